// RFC 7162 3.2.5: what SELECT/EXAMINE (QRESYNC (...)) tells a client about
// the changes since its cached modseq: the UIDs expunged (VANISHED
// (EARLIER)) and the messages changed (FETCH), computed from the store's
// per-message modseqs and its tombstones.
//
// The store never prunes tombstones (doc/store.md), so VanishedSince is
// exact for every modseq and the sequence match data, which only helps a
// server that forgot old expunges, is parsed and not needed.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "imap/condstore_args.h"
#include "store/types.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::imapd {

class MailboxView;

struct Resync {
  std::vector<uint32_t> vanished;            // ascending, within known-uids
  std::vector<store::MessageInfo> changed;   // ascending UID
};

// For the worker pool. `info` is the mailbox as SELECT read it; if its
// UIDVALIDITY differs from the client's, nothing is reported (RFC 7162
// 3.2.5: the client's cache is void anyway).
Result<Resync> ReadResync(store::Store& st, const std::string& user,
                          const store::MailboxInfo& info, const imap::QresyncParams& q);

// "VANISHED [(EARLIER) ]<set>" for `uids` (ascending, not empty), as
// several responses if the set is longer than kMaxImapVanishedSetBytes.
std::vector<std::string> VanishedResponses(bool earlier, const std::vector<uint32_t>& uids);

// The untagged responses, without "* ": VANISHED (EARLIER) if anything
// vanished, then one FETCH (FLAGS UID MODSEQ) per changed message in `view`.
std::vector<std::string> ResyncResponses(const Resync& r, const MailboxView& view);

}  // namespace slotmail::imapd
