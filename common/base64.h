// Base64 (RFC 4648, standard alphabet).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail {

// The 6-bit value of a base64 alphabet character, or -1.
int Base64Value(char c);

std::string Base64Encode(std::string_view bytes);
// Strict: only the alphabet, correct '=' padding, length a multiple of 4.
// InvalidArgument otherwise. (Lenient decoding of MIME bodies is in mime/.)
Result<std::string> Base64Decode(std::string_view text);

}  // namespace slotmail
