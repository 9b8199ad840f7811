// RFC 5322 3.4 address lists (mailboxes, groups, display names, quoted
// strings, comments, routes and other obsolete forms of 4.4) in the shape
// IMAP's ENVELOPE uses. Pure functions: no I/O, no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace slotmail::mime {

// The entries of an address-list field value (unfolded or not). A group is a
// kGroupStart, its members, and a kGroupEnd (added if the ';' is missing).
// Tolerated: empty list elements, a display name without angle brackets
// before the address ("John Doe john@x": name "John Doe"), a bare word with
// no '@' (host MISSING_DOMAIN), the name given only as a comment after the
// address ("j@x (John)"). Comments anywhere else, inside an addr-spec
// included ("<j (c)@ (c) x>"), are CFWS and dropped. At most limits::kMaxEnvelopeAddresses entries; the rest
// of the field is ignored. Never fails: garbage yields fewer entries.
std::vector<Address> ParseAddressList(std::string_view value);

// What ParseAddressList puts where a mailbox or domain is missing.
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

// "mailbox@host" of a mailbox entry, without the missing-domain placeholder
// ("mailbox"); "" if the mailbox is missing.
std::string AddrSpec(const Address& a);

// The list as SEARCH FROM/TO/CC/BCC match it (RFC 3501 6.4.4; Dovecot
// matches the same normalized form): "Name <addr-spec>" or "addr-spec" per
// mailbox, "group: ...;" around a group's members, ", " between entries;
// display names RFC 2047-decoded. Comments, quoting and routes are gone.
std::string AddressSearchText(const std::vector<Address>& list);

}  // namespace slotmail::mime
