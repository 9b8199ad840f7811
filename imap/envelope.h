// The ENVELOPE fetch item (RFC 3501 7.4.2, 9 "envelope"): header values as
// they are written (encoded words are not decoded; folding is removed),
// strings via imap/quote.h. Pure functions: no I/O, no state.
#pragma once

#include <string>

#include "mime/message.h"

namespace slotmail::imap {

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)".
// An empty address list is NIL; an empty or absent Sender or Reply-To is
// the From list (RFC 3501 7.4.2). Addresses are "(name adl mailbox host)"
// with NIL for an empty name or route; a group is "(NIL NIL name NIL)",
// its members, then "(NIL NIL NIL NIL)".
std::string FormatEnvelope(const mime::Envelope& envelope);
void AppendEnvelope(const mime::Envelope& envelope, std::string* out);

// The envelope of a parsed message's own header (all NIL if it has none).
std::string MessageEnvelope(const mime::Message& message);

}  // namespace slotmail::imap
