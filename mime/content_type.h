// Structured MIME fields: Content-Type and Content-Disposition with their
// parameters (RFC 2045 5.1, RFC 2183), RFC 2231 parameter value sections,
// charsets and languages, Content-Language lists (RFC 3282) and the
// Content-Transfer-Encoding token (RFC 2045 6.1). Tolerant of what real mail
// does (missing ';', unquoted values with specials, comments anywhere);
// bounded by limits::kMaxMimeParams and limits::kMaxRfc2231Sections.
// Pure functions: no I/O, no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace slotmail::mime {

struct MediaType {
  std::string type, subtype;  // as written
  std::vector<Param> params;
};

// The unfolded value of a Content-Type field; nullopt if it does not begin
// with `type "/" subtype` (the caller then applies RFC 2045's default).
std::optional<MediaType> ParseContentType(std::string_view value);

// The unfolded value of a Content-Disposition field; nullopt if it has no
// disposition type.
std::optional<Disposition> ParseContentDisposition(std::string_view value);

// `name=value` parameters from `;`-separated text (no leading type), with
// RFC 2231 sections joined in section order and extended values
// percent-decoded. For one name, sections ("name*0", "name*1*") win over an
// extended value ("name*"), which wins over a plain one; otherwise the first
// occurrence wins. Output order is the order names first appear.
std::vector<Param> ParseParams(std::string_view text);

// A parameter's value as UTF-8: an extended value converted from its RFC 2231
// charset; a plain value with any RFC 2047 encoded words decoded (mailers
// put them in filenames although RFC 2047 5 forbids it). Invalid bytes
// become U+FFFD.
std::string ParamUtf8(const Param& param);

// Content-Language tags in order (commas and comments skipped).
std::vector<std::string> ParseLanguageList(std::string_view value);

// The single token of a Content-Transfer-Encoding value, comments dropped;
// empty if there is none.
std::string ParseEncodingToken(std::string_view value);

}  // namespace slotmail::mime
