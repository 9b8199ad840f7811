// Binary content (RFC 3516) made storable: a message whose parts hold NUL
// is kept with those parts base64-encoded, so BODY[] and RFC822 can carry
// it in an ordinary literal (RFC 9051 4.3.1: binary data is sent in a
// textual form except as a literal8 answering FETCH BINARY) while BINARY[n]
// still returns the original octets. RFC 3516 4.4 lets the server change a
// part's transfer encoding on APPEND as long as no data is lost.
// Pure functions: no I/O, no state.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::mime {

// Re-encodes, in place, every leaf part of `message` whose body holds NUL: its
// Content-Transfer-Encoding fields replaced by one saying base64, its body
// the base64 of the decoded body in CRLF-ended lines of 76 characters.
// Leaves with an encoding DecodeTransfer cannot undo, and NUL anywhere
// else (a header, a multipart preamble), are left as they are. A message
// with no such leaf is left unchanged (and not parsed unless it holds NUL),
// so the call is idempotent.
void EncodeBinaryParts(std::string* message);

}  // namespace slotmail::mime
