// The BODY and BODYSTRUCTURE fetch items (RFC 3501 7.4.2, 9 "body") of a
// parsed message, built from mime::Message alone (no message bytes), so a
// cached structure (mime/serialize.h) answers FETCH without reparsing.
//
// Choices where the RFC leaves room:
// - Types, subtypes, parameter names and values, the transfer encoding and
//   the disposition type are sent as written in the message, case kept (as
//   Dovecot does); only defaults are ours, in lowercase: "text" "plain"
//   ("charset" "us-ascii") and "7bit".
// - A parameter written with RFC 2231 sections is sent joined: a plain one
//   as name/value, an extended one as "name*" with the value re-encoded as
//   charset'language'%XX (RFC 2231's own form, which clients decode).
// - Content-Language is always sent as a list: ("en" "de").
// - Octets and lines count the stored bytes of the body as they are (still
//   transfer-encoded); a partial last line counts as a line.
// Pure functions: no I/O, no state.
#pragma once

#include <string>

#include "mime/message.h"

namespace slotmail::imap {

// BODY: the non-extensible form (no body-ext-1part / body-ext-mpart).
std::string FormatBody(const mime::Message& message);
// BODYSTRUCTURE: with md5, disposition, language, location for single parts
// and parameters, disposition, language, location for multiparts.
std::string FormatBodyStructure(const mime::Message& message);

// One part's "body" production; `extended` selects BODYSTRUCTURE.
void AppendBody(const mime::Part& part, bool extended, std::string* out);

}  // namespace slotmail::imap
