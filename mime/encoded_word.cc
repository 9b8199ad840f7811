#include "mime/encoded_word.h"

#include "mime/ascii.h"
#include "mime/charset.h"
#include "mime/transfer.h"

namespace slotmail::mime {

namespace {

struct Word {
  std::string charset;
  std::string bytes;  // decoded, still in charset
};

std::string DecodeQ(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      out += ' ';
    } else if (s[i] == '=' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsWordSpace(char c) { return IsWsp(c) || c == '\r' || c == '\n'; }

// Parses an encoded word starting at s[pos] ("=?"); on success sets *end
// just past its "?=".
bool ParseWord(std::string_view s, size_t pos, Word* w, size_t* end) {
  size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2) return false;
  if (q1 + 3 > s.size() || s[q1 + 2] != '?') return false;
  char enc = LowerAscii(s[q1 + 1]);
  if (enc != 'b' && enc != 'q') return false;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  for (char c : charset) {
    if (IsWordSpace(c)) return false;
  }
  // Encoded text holds no '?' and no whitespace, so this scan stops at the
  // first '?' and work stays linear in the input however many "=?" it holds.
  size_t text_begin = q1 + 3;
  size_t close = text_begin;
  while (close < s.size() && s[close] != '?' && !IsWordSpace(s[close])) ++close;
  if (close + 1 >= s.size() || s[close] != '?' || s[close + 1] != '=') return false;
  std::string_view text = s.substr(text_begin, close - text_begin);
  if (size_t star = charset.find('*'); star != std::string_view::npos) {
    charset = charset.substr(0, star);  // RFC 2231 5: charset*language
  }
  w->charset = std::string(charset);
  w->bytes = enc == 'b' ? DecodeBase64(text) : DecodeQ(text);
  *end = close + 2;
  return true;
}

bool AllSpace(std::string_view s) {
  for (char c : s) {
    if (!IsWordSpace(c)) return false;
  }
  return true;
}

}  // namespace

std::string DecodeEncodedWords(std::string_view text) {
  std::string out;
  Word pending;
  bool have_pending = false;
  auto flush = [&] {
    if (have_pending) out += ToUtf8(pending.bytes, pending.charset);
    have_pending = false;
  };
  size_t plain_start = 0;  // start of text not yet copied to out
  size_t search = 0;
  while (true) {
    size_t p = text.find("=?", search);
    if (p == std::string_view::npos) break;
    Word w;
    size_t end;
    if (!ParseWord(text, p, &w, &end)) {
      search = p + 2;
      continue;
    }
    std::string_view between = text.substr(plain_start, p - plain_start);
    if (!have_pending || !AllSpace(between)) {
      flush();
      out += SanitizeUtf8(between);
    }
    if (have_pending && EqualsIgnoreCase(pending.charset, w.charset)) {
      pending.bytes += w.bytes;
    } else {
      flush();
      pending = std::move(w);
      have_pending = true;
    }
    plain_start = search = end;
  }
  flush();
  out += SanitizeUtf8(text.substr(plain_start));
  return out;
}

}  // namespace slotmail::mime
