// Converting text in a declared charset to UTF-8 (glibc iconv). Mail lies
// about charsets and carries broken bytes, so conversion never fails: bytes
// that do not decode become U+FFFD, and an unknown charset is read as UTF-8
// (with the same replacement). Thread-safe; no state kept between calls.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::mime {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// `s` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

// `bytes` in `charset` (a MIME charset name, any case; empty, "us-ascii" and
// "utf-8" mean UTF-8 with replacement, since mail labelled us-ascii often is
// UTF-8) as UTF-8.
std::string ToUtf8(std::string_view bytes, std::string_view charset);

// True if ToUtf8 knows `charset` (as opposed to falling back to UTF-8).
bool IsKnownCharset(std::string_view charset);

}  // namespace slotmail::mime
