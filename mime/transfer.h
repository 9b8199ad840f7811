// Content-Transfer-Encoding decoders (RFC 2045 6). Tolerant, as readers of
// real mail must be: they never fail, skip what they cannot decode, and
// produce at most as many bytes as they are given. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::mime {

// RFC 2045 6.8. Characters outside the alphabet (whitespace, line breaks,
// junk) are skipped; padding is optional; a '=' ends the current quantum, so
// concatenated padded blocks decode too. A lone trailing sextet is dropped.
std::string DecodeBase64(std::string_view in);

// RFC 2045 6.7. "=XX" (either case of hex) is a byte; "=" before a line end
// (optionally after trailing whitespace) is a soft line break; whitespace at
// the end of a line is dropped (rule 3); any other '=' is kept as is. Line
// endings (CRLF or LF) are kept as written.
std::string DecodeQuotedPrintable(std::string_view in);

// `body` decoded per `encoding` (the Content-Transfer-Encoding token, any
// case): base64 and quoted-printable are decoded; 7bit, 8bit, binary,
// absent and unknown encodings return the bytes unchanged.
std::string DecodeTransfer(std::string_view body, std::string_view encoding);

// True if DecodeTransfer undoes `encoding`: 7bit, 8bit, binary, base64,
// quoted-printable (any case), or absent (7bit).
bool CanDecodeTransfer(std::string_view encoding);

}  // namespace slotmail::mime
