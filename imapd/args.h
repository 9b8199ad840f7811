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
// How a session spells mailbox names on the wire: modified UTF-7 (RFC 3501
// 5.1.3), or UTF-8 once the client enabled IMAP4rev2 (RFC 9051 5.1) or
// UTF8=ACCEPT (RFC 9755 3). Inside slotmail names are always UTF-8.
enum class NameEncoding { kMutf7, kUtf8 };

// A mailbox name argument (an astring) in `enc`, returned as UTF-8.
// Protocol (-> BAD) if absent, a list, or not valid in `enc`.
Result<std::string> MailboxArg(const imap::Command& cmd, size_t i, NameEncoding enc);
// The same for one Arg (a LIST pattern inside parentheses, for example).
Result<std::string> MailboxFrom(const imap::Arg& arg, NameEncoding enc);
// A LIST or LSUB reference or pattern: as MailboxFrom, but ASCII that is
// not valid modified UTF-7 ("&'", a lone "&") is taken as it is, as Dovecot
// does: RFC 3501 9 lets list-mailbox hold any ATOM-CHAR, and such a pattern
// simply matches the names spelled that way.
Result<std::string> PatternFrom(const imap::Arg& arg, NameEncoding enc);
// A mailbox name for a response, in `enc`, quoted as needed.
std::string MailboxOut(std::string_view utf8_name, NameEncoding enc);
// A parenthesised flag list ("(\Seen $Work)"); \Recent and unknown system
// flags are refused.
Result<store::Flags> FlagsArg(const imap::Arg& arg);
// The sequence set of argument `i` (message numbers or UIDs per `uid`),
// resolved against the view as UID ranges. Message numbers beyond the
// mailbox are a Protocol error (RFC 3501 9). "$" stands for the view's saved
// search result (RFC 5182), whether or not `uid`.
Result<store::UidSet> UidSetArg(const imap::Command& cmd, size_t i, bool uid,
                                const MailboxView& view);

}  // namespace slotmail::imapd
