// The MIME parser: a message's exact bytes in, its part tree out (message.h).
// Lines may end in CRLF or bare LF, mixed. Any input parses: what is not
// well-formed MIME is read the way RFC 2045/2046 and common readers say to
// (defaults, single text part), never rejected. Work is linear in the
// message size per nesting level, and nesting and part count are bounded by
// limits::kMaxMimeDepth and limits::kMaxMimeParts. No I/O, no state.
#pragma once

#include <string_view>

#include "mime/message.h"

namespace slotmail::mime {

// Multipart bodies are split at delimiter lines: "--" boundary, optionally
// "--" (close delimiter), then only whitespace to the line end (so a boundary
// that is a prefix of another's does not match it). The line ending before a
// delimiter belongs to the delimiter (RFC 2046 5.1.1); preamble and epilogue
// are in no part. A missing close delimiter ends the last part at the end of
// the enclosing body. A multipart with no boundary parameter, or with no
// delimiter line in its body, is read as text/plain (see Part::type).
// message/rfc822 parts (case-insensitive) are parsed recursively whatever
// their transfer encoding claims; message/global and others stay leaves.
Message ParseMessage(std::string_view bytes);

}  // namespace slotmail::mime
