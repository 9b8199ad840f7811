// RFC 8474 (OBJECTID) identifiers, derived from what the store keeps, so
// nothing new is stored:
//   EMAILID   "M" + the message GUID (SHA-256 of its bytes, 64 hex digits).
//             The same bytes have the same id: a COPY or MOVE keeps it, as
//             RFC 8474 requires, and identical bytes delivered twice share
//             one (the id names the content).
//   MAILBOXID "F" + the mailbox's id (32 random hex digits, kept by RENAME).
//   THREADID  not kept: FETCH answers NIL (its grammar allows it) and
//             SEARCH THREADID matches nothing.
// The letter prefix keeps ids from starting with a digit. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::imap {

// RFC 8474 objectid: 1 to 255 characters of [A-Za-z0-9_-].
bool IsObjectId(std::string_view s);

std::string EmailId(std::string_view guid);
std::string MailboxId(std::string_view mailbox_id);

}  // namespace slotmail::imap
