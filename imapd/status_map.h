// The one place that turns a Status into an IMAP tagged response: the
// condition (NO/BAD), an RFC 5530 response code, and a sentence safe to
// show a client. Details stay in the server log.
#pragma once

#include <string>

#include "common/status.h"

namespace slotmail::imapd {

// "NO [NONEXISTENT] No such mailbox" for Status::NotFound("no such mailbox").
// REQUIRES: !st.ok().
std::string ResponseFor(const Status& st);

}  // namespace slotmail::imapd
