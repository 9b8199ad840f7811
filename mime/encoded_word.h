// RFC 2047 encoded words ("=?charset?B|Q?text?=") in header text, decoded to
// UTF-8. Pure functions: no I/O, no state.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::mime {

// `text` (an unfolded header value, or a phrase or parameter taken from one)
// as UTF-8. Encoded words are decoded and converted from their charset (an
// RFC 2231 "*language" suffix is ignored); whitespace between two encoded
// words is dropped (RFC 2047 6.2), and adjacent words in the same charset are
// joined before conversion, so a character split across words survives.
// Encoded words are recognised even when glued to other text, as common
// readers do. Malformed encoded words are left as written. Text outside
// encoded words is taken as UTF-8. Invalid bytes become U+FFFD.
std::string DecodeEncodedWords(std::string_view text);

}  // namespace slotmail::mime
