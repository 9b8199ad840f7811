#include "common/utf8.h"

namespace slotmail::utf8 {

size_t SequenceAt(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlongs
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlongs
    if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

bool IsValid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceAt(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string_view Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  // s[max] exists. If it continues a sequence, find that sequence's lead
  // byte; a well-formed sequence cut by the limit is left out whole.
  size_t lead = max;
  while (lead > 0 && max - lead < 3 && (static_cast<unsigned char>(s[lead]) & 0xc0) == 0x80) {
    --lead;
  }
  if (lead < max && lead + SequenceAt(s, lead) > max) return s.substr(0, lead);
  return s.substr(0, max);
}

}  // namespace slotmail::utf8
