#include "mime/transfer.h"

#include <cstdint>

#include "common/base64.h"
#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

// Position just past the line ending at `i` (CRLF or LF), or npos if there
// is no line ending at `i`.
size_t PastLineEnd(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == '\n') return i + 1;
  if (i + 1 < s.size() && s[i] == '\r' && s[i + 1] == '\n') return i + 2;
  return std::string_view::npos;
}

}  // namespace

std::string DecodeBase64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int n = 0;  // sextets in acc
  auto flush = [&] {
    if (n >= 2) out += static_cast<char>((acc >> (6 * n - 8)) & 0xFF);
    if (n >= 3) out += static_cast<char>((acc >> (6 * n - 16)) & 0xFF);
    acc = 0;
    n = 0;
  };
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) {
      if (c == '=') flush();
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++n == 4) {
      out += static_cast<char>((acc >> 16) & 0xFF);
      out += static_cast<char>((acc >> 8) & 0xFF);
      out += static_cast<char>(acc & 0xFF);
      acc = 0;
      n = 0;
    }
  }
  flush();
  return out;
}

std::string DecodeQuotedPrintable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
        out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
        i += 3;
        continue;
      }
      size_t j = i + 1;
      while (j < in.size() && IsWsp(in[j])) ++j;
      if (j == in.size()) break;  // "=" at the very end: a soft break into nothing
      if (size_t next = PastLineEnd(in, j); next != std::string_view::npos) {
        i = next;  // soft line break
        continue;
      }
      out += c;
      ++i;
      continue;
    }
    if (IsWsp(c)) {
      size_t j = i;
      while (j < in.size() && IsWsp(in[j])) ++j;
      if (j == in.size() || PastLineEnd(in, j) != std::string_view::npos) {
        i = j;  // trailing whitespace is transport padding (rule 3)
        continue;
      }
      out.append(in.substr(i, j - i));
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string DecodeTransfer(std::string_view body, std::string_view encoding) {
  if (EqualsIgnoreCase(encoding, "base64")) return DecodeBase64(body);
  if (EqualsIgnoreCase(encoding, "quoted-printable")) return DecodeQuotedPrintable(body);
  return std::string(body);
}

bool CanDecodeTransfer(std::string_view encoding) {
  for (std::string_view known : {"", "7bit", "8bit", "binary", "base64", "quoted-printable"}) {
    if (EqualsIgnoreCase(encoding, known)) return true;
  }
  return false;
}

}  // namespace slotmail::mime
