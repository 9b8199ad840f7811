// Reading command arguments the way handlers need them, with the BAD text
// to send when an argument is missing or malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "imap/parser.h"
#include "imap/sequence_set.h"
#include "store/types.h"

namespace slotmail::imapd {

class MailboxView;

// Argument `i` as an astring; Protocol status (-> BAD) if absent or a list.
Result<std::string> AstringArg(const imap::Command& cmd, size_t i, const char* what);
// A mailbox name argument: astring in modified UTF-7, returned as UTF-8.
Result<std::string> MailboxArg(const imap::Command& cmd, size_t i);
// The same for one Arg (a LIST pattern inside parentheses, for example).
Result<std::string> MailboxFrom(const imap::Arg& arg);
// A mailbox name for a response: modified UTF-7, quoted as needed.
std::string MailboxOut(std::string_view utf8_name);
// A parenthesised flag list ("(\Seen $Work)"); \Recent and unknown system
// flags are refused.
Result<store::Flags> FlagsArg(const imap::Arg& arg);
// The sequence set of argument `i` (message numbers or UIDs per `uid`),
// resolved against the view as UID ranges. Message numbers beyond the
// mailbox are a Protocol error (RFC 3501 9).
Result<store::UidSet> UidSetArg(const imap::Command& cmd, size_t i, bool uid,
                                const MailboxView& view);

}  // namespace slotmail::imapd
