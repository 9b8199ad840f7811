// Modified UTF-7 (RFC 3501 5.1.3), the mailbox-name encoding of IMAP4rev1:
// printable US-ASCII stands for itself except '&', written "&-"; anything
// else is UTF-16BE in modified BASE64 (',' for '/', no padding) between '&'
// and '-'. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::imap {

// UTF-8 -> modified UTF-7, the one canonical spelling (runs of non-ASCII
// merged into one shift). InvalidArgument if `utf8` is not valid UTF-8
// (overlongs, surrogates, > U+10FFFF refused).
Result<std::string> Utf8ToMutf7(std::string_view utf8);

// True if `s` is well-formed UTF-8 (the same rules as Utf8ToMutf7). The
// parser checks UTF-8 quoted strings with it (RFC 9051, RFC 9755).
bool IsUtf8(std::string_view s);

// Modified UTF-7 -> UTF-8. Accepts only the canonical form, so decoding and
// re-encoding gives back the input. InvalidArgument for: bytes outside
// 0x20..0x7e, unterminated '&', bad base64 characters, "&-" spelled any
// other way, printable ASCII encoded in base64, an empty or redundant shift
// (two shifts back to back), non-zero padding bits, a partial UTF-16 unit,
// unpaired surrogates.
Result<std::string> Mutf7ToUtf8(std::string_view mutf7);

}  // namespace slotmail::imap
