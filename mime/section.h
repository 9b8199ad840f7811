// IMAP section specifiers (RFC 3501 6.4.5) resolved to byte ranges of the
// message, so BODY[...] is served as a slice of the stored bytes.
// Pure function of a parsed Message: no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "mime/message.h"

namespace slotmail::mime {

enum class SectionText {
  kNone,    // BODY[]  /  BODY[1.2]
  kHeader,  // BODY[HEADER] / BODY[3.HEADER] (also the source of HEADER.FIELDS[.NOT])
  kText,    // BODY[TEXT] / BODY[3.TEXT]
  kMime,    // BODY[1.2.MIME]
};

// The bytes BODY[path.text] returns, as a range of the message.
//   path {} : kNone -> the whole message; kHeader -> its header (with the
//             blank line); kText -> its body; kMime -> InvalidArgument.
//   path {n...}: part numbering per 6.4.5: the parts of a multipart are
//             1..N; a non-multipart message (or encapsulated message) has
//             exactly part 1, its body; a message/rfc822 part's subparts are
//             those of the message it encapsulates.
//             kNone -> the part's body (for message/rfc822, the whole
//             encapsulated message); kMime -> the part's header block;
//             kHeader / kText -> the encapsulated message's header / body,
//             InvalidArgument unless the part is message/rfc822.
// NotFound if a number names no part (RFC 3501 lets the server answer with
// an empty string or NIL; that choice is the caller's). A 0 in path is
// NotFound.
Result<Range> ResolveSection(const Message& message, const std::vector<uint32_t>& path,
                             SectionText text);

}  // namespace slotmail::mime
