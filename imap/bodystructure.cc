#include "imap/bodystructure.h"

#include "imap/envelope.h"
#include "imap/quote.h"
#include "mime/ascii.h"

namespace slotmail::imap {

namespace {

using mime::Param;
using mime::Part;

// RFC 2231 attribute-char: CHAR except SPACE, CTLs, "*", "'", "%", tspecials.
bool IsAttributeChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  return std::string_view("*'%()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) ==
         std::string_view::npos;
}

// An extended parameter value in RFC 2231 form: charset'language'%XX...
std::string ExtendedValue(const Param& p) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string v = p.charset + "'" + p.language + "'";
  for (char ch : p.value) {
    auto c = static_cast<unsigned char>(ch);
    if (IsAttributeChar(c)) {
      v += ch;
    } else {
      v += '%';
      v += kHex[c >> 4];
      v += kHex[c & 0xF];
    }
  }
  return v;
}

void AppendParams(const std::vector<Param>& params, std::string* out) {
  if (params.empty()) {
    *out += "NIL";
    return;
  }
  *out += '(';
  for (size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    if (i > 0) *out += ' ';
    if (p.extended) {
      AppendQuoted(p.name + "*", out);
      *out += ' ';
      AppendQuoted(ExtendedValue(p), out);
    } else {
      AppendQuoted(p.name, out);
      *out += ' ';
      AppendQuoted(p.value, out);
    }
  }
  *out += ')';
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc
void AppendDispositionLanguageLocation(const Part& p, std::string* out) {
  if (p.disposition) {
    *out += '(';
    AppendQuoted(p.disposition->type, out);
    *out += ' ';
    AppendParams(p.disposition->params, out);
    *out += ')';
  } else {
    *out += "NIL";
  }
  *out += ' ';
  if (p.languages.empty()) {
    *out += "NIL";
  } else {
    *out += '(';
    for (size_t i = 0; i < p.languages.size(); ++i) {
      if (i > 0) *out += ' ';
      AppendQuoted(p.languages[i], out);
    }
    *out += ')';
  }
  *out += ' ';
  AppendNString(p.location, out);
}

void AppendMultipart(const Part& p, bool extended, std::string* out) {
  *out += '(';
  for (const Part& child : p.children) AppendBody(child, extended, out);
  *out += ' ';
  AppendQuoted(p.subtype, out);
  if (extended) {
    *out += ' ';
    AppendParams(p.params, out);
    *out += ' ';
    AppendDispositionLanguageLocation(p, out);
  }
  *out += ')';
}

void AppendSinglePart(const Part& p, bool extended, std::string* out) {
  *out += '(';
  AppendQuoted(p.type, out);
  *out += ' ';
  AppendQuoted(p.subtype, out);
  *out += ' ';
  AppendParams(p.params, out);  // body-fields
  *out += ' ';
  AppendNString(p.id, out);
  *out += ' ';
  AppendNString(p.description, out);
  *out += ' ';
  AppendQuoted(p.encoding.empty() ? "7bit" : p.encoding, out);
  *out += ' ';
  *out += std::to_string(p.body.size());
  if (p.kind == Part::Kind::kMessage) {  // body-type-msg
    const Part& inner = p.children.front();
    *out += ' ';
    AppendEnvelope(inner.envelope.value_or(mime::Envelope{}), out);
    *out += ' ';
    AppendBody(inner, extended, out);
    *out += ' ';
    *out += std::to_string(p.body_lines);
  } else if (mime::EqualsIgnoreCase(p.type, "text")) {  // body-type-text
    *out += ' ';
    *out += std::to_string(p.body_lines);
  }
  if (extended) {  // body-ext-1part
    *out += ' ';
    AppendNString(p.md5, out);
    *out += ' ';
    AppendDispositionLanguageLocation(p, out);
  }
  *out += ')';
}

}  // namespace

void AppendBody(const Part& part, bool extended, std::string* out) {
  if (part.kind == Part::Kind::kMultipart) {
    AppendMultipart(part, extended, out);
  } else {
    AppendSinglePart(part, extended, out);
  }
}

std::string FormatBody(const mime::Message& message) {
  std::string out;
  AppendBody(message.root, false, &out);
  return out;
}

std::string FormatBodyStructure(const mime::Message& message) {
  std::string out;
  AppendBody(message.root, true, &out);
  return out;
}

}  // namespace slotmail::imap
