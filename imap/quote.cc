#include "imap/quote.h"

#include "imap/mutf7.h"

namespace slotmail::imap {

namespace {

// RFC 3501 TEXT-CHAR: any CHAR (%x01-7F) except CR and LF.
bool IsTextChar(unsigned char c) { return c >= 0x01 && c <= 0x7F && c != '\r' && c != '\n'; }

// RFC 3501 ASTRING-CHAR: ATOM-CHAR or resp-specials (']').
bool IsAstringChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;  // CTL, SP, 8-bit
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\':
      return false;
    default:
      return true;
  }
}

}  // namespace

// U+FFFD, which stands in for NUL: RFC 3501 9 forbids NUL anywhere, literals included.
constexpr std::string_view kNulReplacement = "\xEF\xBF\xBD";

void AppendLiteral(std::string_view s, std::string* out) {
  size_t nuls = 0;
  for (char c : s) nuls += c == '\0';
  *out += '{';
  *out += std::to_string(s.size() + nuls * (kNulReplacement.size() - 1));
  *out += "}\r\n";
  for (char c : s) {
    if (c == '\0') {
      *out += kNulReplacement;
    } else {
      *out += c;
    }
  }
}

namespace {

// `s` between double quotes, \ and " escaped. REQUIRES: no NUL, CR or LF.
void AppendQuotedString(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  *out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') *out += '\\';
    *out += c;
  }
  *out += '"';
}

}  // namespace

void AppendQuoted(std::string_view s, std::string* out) {
  bool quotable = true;
  for (char c : s) quotable &= IsTextChar(static_cast<unsigned char>(c));
  if (!quotable) return AppendLiteral(s, out);
  AppendQuotedString(s, out);
}

std::string QuotedUtf8(std::string_view s) {
  bool quotable = IsUtf8(s);
  for (char c : s) quotable &= c != '\0' && c != '\r' && c != '\n';
  if (!quotable) return Quoted(s);
  std::string out;
  AppendQuotedString(s, &out);
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendQuoted(s, &out);
  return out;
}

void AppendNString(const std::optional<std::string>& s, std::string* out) {
  if (s) {
    AppendQuoted(*s, out);
  } else {
    *out += "NIL";
  }
}

std::string NString(const std::optional<std::string>& s) {
  std::string out;
  AppendNString(s, &out);
  return out;
}

std::string AString(std::string_view s) {
  bool atom = !s.empty();
  for (char c : s) atom &= IsAstringChar(static_cast<unsigned char>(c));
  return atom ? std::string(s) : Quoted(s);
}

}  // namespace slotmail::imap
