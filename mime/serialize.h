// A compact binary form of a parsed Message, so FETCH can be answered from a
// cache keyed by the message's GUID instead of reparsing its bytes (Dovecot
// caches its "mime.parts" and "imap.bodystructure" the same way).
//
// Format, version 1 (all integers unsigned LEB128 varints unless "u8"):
//   message  = u8 version(=1) part
//   part     = u8 kind header.begin header.size body.size body_lines
//              str type  str subtype  params  str encoding
//              ostr id  ostr description  ostr md5  ostr location
//              u8 has_disposition [str type params]
//              count *str(language)
//              u8 has_envelope [envelope]
//              count *part(children)
//   params   = count *(str name  str value  u8 extended  str charset  str language)
//   envelope = ostr date  ostr subject  alist from sender reply_to to cc bcc
//              ostr in_reply_to  ostr message_id
//   alist    = count *(u8 kind  str name  str route  str mailbox  str host)
//   str      = count *byte ;  ostr = u8 present [str]
// body.begin is header.end (the parser guarantees it). The form does not
// carry the message bytes; a reader must use it with the same GUID's bytes.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "mime/message.h"

namespace slotmail::mime {

std::string SerializeStructure(const Message& message);

// The Message SerializeStructure wrote. Corruption (never a crash) for any
// other input: truncation, trailing bytes, an unknown version, a tree deeper
// than kMaxMimeDepth or larger than kMaxMimeParts, or a part whose kind and
// children disagree (a multipart with none, a message/rfc822 without one).
Result<Message> DeserializeStructure(std::string_view data);

}  // namespace slotmail::mime
