// The text of a message as a reader sees it, for SEARCH: transfer encoding
// decoded and charset converted to UTF-8. Pure functions: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "mime/message.h"

namespace slotmail::mime {

// The body of leaf `part` of `message` (the bytes it was parsed from),
// decoded per its Content-Transfer-Encoding and converted from its charset
// parameter (absent: UTF-8 with replacement, see charset.h). Empty for
// multipart and message/rfc822 parts, whose text lies in their children.
std::string PartText(std::string_view message, const Part& part);

// PartText of every text/* leaf, in order, each followed by '\n', including
// those inside encapsulated messages. Other leaves (images, archives...) are
// not text and are skipped, as Dovecot does without an FTS decoder.
std::string SearchableBody(std::string_view message, const Message& parsed);

}  // namespace slotmail::mime
