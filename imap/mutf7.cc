#include "imap/mutf7.h"

#include <cstdint>
#include <vector>

namespace slotmail::imap {

namespace {

constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsDirect(uint32_t cp) { return cp >= 0x20 && cp <= 0x7e; }

Status Invalid(const char* why) {
  return Status::InvalidArgument(std::string("invalid modified UTF-7 mailbox name: ") + why);
}

// Decodes one UTF-8 sequence at s[*i]; advances *i. -1 if malformed.
int64_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len;
  uint32_t cp;
  uint32_t min;
  if (b0 < 0x80) {
    ++*i;
    return b0;
  } else if ((b0 & 0xe0) == 0xc0) {
    len = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*i + len > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  *i += len;
  return cp;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Appends the modified BASE64 of UTF-16BE `units` (no padding).
void AppendShifted(const std::vector<uint16_t>& units, std::string* out) {
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      *out += kBase64[(bits >> nbits) & 0x3f];
    }
  }
  if (nbits > 0) *out += kBase64[(bits << (6 - nbits)) & 0x3f];
}

// Decodes the base64 between '&' and '-' into UTF-8.
Status DecodeShifted(std::string_view b64, std::string* out) {
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : b64) {
    const int v = Base64Value(c);
    if (v < 0) return Invalid("bad base64 character");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<uint16_t>(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  // A canonical encoder stops as soon as the last unit is complete: fewer
  // than 6 bits may be left over, and they must be zero.
  if (nbits >= 6) return Invalid("partial UTF-16 unit");
  if (bits != 0) return Invalid("non-zero padding bits");
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t cp = units[i];
    if (cp >= 0xdc00 && cp <= 0xdfff) return Invalid("unpaired low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (i + 1 == units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff) {
        return Invalid("unpaired high surrogate");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (units[++i] - 0xdc00);
    }
    if (IsDirect(cp)) return Invalid("printable ASCII must not be encoded");
    AppendUtf8(cp, out);
  }
  return Status::Ok();
}

}  // namespace

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (NextCodePoint(s, &i) < 0) return false;
  }
  return true;
}

Result<std::string> Utf8ToMutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> pending;  // UTF-16 units of the current shift
  size_t i = 0;
  while (i < utf8.size()) {
    const int64_t cp = NextCodePoint(utf8, &i);
    if (cp < 0) return Status::InvalidArgument("mailbox name is not valid UTF-8");
    if (IsDirect(static_cast<uint32_t>(cp))) {
      if (!pending.empty()) {
        out += '&';
        AppendShifted(pending, &out);
        out += '-';
        pending.clear();
      }
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp >= 0x10000) {
      const uint32_t v = static_cast<uint32_t>(cp) - 0x10000;
      pending.push_back(static_cast<uint16_t>(0xd800 + (v >> 10)));
      pending.push_back(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      pending.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!pending.empty()) {
    out += '&';
    AppendShifted(pending, &out);
    out += '-';
  }
  return out;
}

Result<std::string> Mutf7ToUtf8(std::string_view mutf7) {
  std::string out;
  size_t i = 0;
  bool after_shift = false;  // the previous thing was a base64 shift
  while (i < mutf7.size()) {
    const char c = mutf7[i];
    if (!IsDirect(static_cast<unsigned char>(c))) return Invalid("character outside 0x20-0x7e");
    if (c != '&') {
      out += c;
      ++i;
      after_shift = false;
      continue;
    }
    const size_t dash = mutf7.find('-', i + 1);
    if (dash == std::string_view::npos) return Invalid("unterminated '&'");
    if (dash == i + 1) {
      out += '&';
      after_shift = false;
    } else {
      if (after_shift) return Invalid("two shifts back to back");
      RETURN_IF_ERROR(DecodeShifted(mutf7.substr(i + 1, dash - i - 1), &out));
      after_shift = true;
    }
    i = dash + 1;
  }
  return out;
}

}  // namespace slotmail::imap
