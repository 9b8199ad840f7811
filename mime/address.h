// RFC 5322 3.4 address lists (mailboxes, groups, display names, quoted
// strings, comments, routes and other obsolete forms of 4.4) in the shape
// IMAP's ENVELOPE uses. Pure functions: no I/O, no state.
#pragma once

#include <string_view>
#include <vector>

#include "mime/message.h"

namespace slotmail::mime {

// The entries of an address-list field value (unfolded or not). A group is a
// kGroupStart, its members, and a kGroupEnd (added if the ';' is missing).
// Tolerated: empty list elements, a display name without angle brackets
// before the address ("John Doe john@x": name "John Doe"), a bare word with
// no '@' (host MISSING_DOMAIN), the name given only as a comment
// ("j@x (John)"). At most limits::kMaxEnvelopeAddresses entries; the rest
// of the field is ignored. Never fails: garbage yields fewer entries.
std::vector<Address> ParseAddressList(std::string_view value);

}  // namespace slotmail::mime
