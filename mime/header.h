// RFC 5322 header blocks: where a header ends, its fields (name, raw and
// unfolded value, exact byte range), and the subsets IMAP's
// BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)] return.
// Lines may end in CRLF or bare LF. Pure functions: no I/O, no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace slotmail::mime {

struct HeaderField {
  std::string name;   // as written, without whitespace before the colon
  std::string raw;    // everything after the colon up to the final line ending, folds kept
  std::string value;  // raw unfolded (RFC 5322 2.2.3) with surrounding whitespace trimmed
  Range range;        // the whole field with its final line ending, within the block parsed
  bool operator==(const HeaderField&) const = default;
};

// Offset in `part` of its first body byte: just past the first empty line
// (CRLF or LF). part.size() if there is no empty line (all header, no body).
size_t FindBodyStart(std::string_view part);

// The fields of a header block, in order, up to the first empty line. A line
// that is neither a field ("name:") nor a continuation of one (leading WSP)
// is not a field and is skipped; so is a continuation with no field before it.
std::vector<HeaderField> ParseHeaderFields(std::string_view header_block);

// The first field named `name` (ASCII case-insensitive), or nullptr.
const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name);

// RFC 5322 unfolding: `raw` with every CR and LF removed (inside a field a
// line ending is always followed by WSP, which stays).
std::string Unfold(std::string_view raw);

// The fields of `header_block` whose name is (exclude = false) or is not
// (exclude = true) one of `names`, compared ASCII case-insensitively, as
// their original bytes in their original order, followed by the block's
// terminating empty line (RFC 3501 6.4.5: included in every header fetch
// unless the message has no body and no blank line, in which case there is
// none to include). Lines that are not fields are never returned.
std::string ExtractHeaderFields(std::string_view header_block,
                                const std::vector<std::string>& names, bool exclude);

}  // namespace slotmail::mime
