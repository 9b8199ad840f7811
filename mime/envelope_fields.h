// The ENVELOPE facts of one RFC 5322 header (RFC 3501 7.4.2), before IMAP's
// defaults are applied. Pure function: no I/O, no state.
#pragma once

#include <vector>

#include "mime/header.h"
#include "mime/message.h"

namespace slotmail::mime {

// Date, Subject, In-Reply-To and Message-ID as their trimmed unfolded values,
// at most limits::kMaxMimeFieldBytes of each; From, Sender, Reply-To, To, Cc
// and Bcc parsed as address lists from at most kMaxAddressFieldBytes. The first
// occurrence of each field counts; absent fields stay nullopt / empty.
Envelope EnvelopeFromFields(const std::vector<HeaderField>& fields);

}  // namespace slotmail::mime
