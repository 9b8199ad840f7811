#include "mime/charset.h"

#include <errno.h>
#include <iconv.h>

#include <optional>

#include "common/utf8.h"
#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

bool IsUtf8Alias(std::string_view name) {
  for (std::string_view a : {"", "utf-8", "utf8", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968",
                             "unknown-8bit", "x-unknown"}) {
    if (name == a) return true;
  }
  return false;
}

// MIME names glibc does not know, or knows as a narrower charset than the
// one mailers really use under that label.
std::string_view IconvName(std::string_view name) {
  struct Alias {
    std::string_view mime, iconv;
  };
  static constexpr Alias kAliases[] = {
      {"ks_c_5601-1987", "CP949"},  {"gb2312", "GB18030"},       {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},         {"x-sjis", "CP932"},         {"shift-jis", "CP932"},
      {"sjis", "CP932"},            {"iso-8859-8-i", "ISO-8859-8"}, {"x-mac-roman", "MACINTOSH"},
      {"unicode-1-1-utf-7", "UTF-7"},
  };
  for (const Alias& a : kAliases) {
    if (name == a.mime) return a.iconv;
  }
  return name;
}

// The charset label reduced to what may reach iconv_open: lowercase, and only
// [a-z0-9._:-] (no "//" suffixes from the network); nullopt if it is anything else.
std::optional<std::string> NormalizeLabel(std::string_view charset) {
  std::string name = LowerAscii(TrimWhitespace(charset));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  constexpr size_t kMaxLabel = 40;  // IANA names are short; this is syntax, not policy
  if (name.size() > kMaxLabel) return std::nullopt;
  for (char c : name) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') {
      return std::nullopt;
    }
  }
  return name;
}

class Iconv {
 public:
  explicit Iconv(std::string_view from)
      : cd_(iconv_open("UTF-8", std::string(IconvName(from)).c_str())) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // REQUIRES: ok().
  std::string Convert(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    char* in = const_cast<char*>(bytes.data());  // iconv does not write through it
    size_t in_left = bytes.size();
    char buf[4096];
    while (in_left > 0) {
      char* o = buf;
      size_t o_left = sizeof buf;
      size_t r = iconv(cd_, &in, &in_left, &o, &o_left);
      int err = errno;
      out.append(buf, static_cast<size_t>(o - buf));
      if (r != static_cast<size_t>(-1) || err == E2BIG) continue;
      out += kReplacementChar;  // EILSEQ: skip one byte; EINVAL: input ends mid-character
      if (err != EILSEQ) break;
      ++in;
      --in_left;
    }
    char* o = buf;
    size_t o_left = sizeof buf;
    iconv(cd_, nullptr, nullptr, &o, &o_left);  // back to the initial shift state
    out.append(buf, static_cast<size_t>(o - buf));
    return out;
  }

 private:
  iconv_t cd_;
};

}  // namespace

bool IsValidUtf8(std::string_view s) { return utf8::IsValid(s); }

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8::SequenceAt(s, i);
    if (n == 0) {
      out += kReplacementChar;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  std::optional<std::string> name = NormalizeLabel(charset);
  if (!name || IsUtf8Alias(*name)) return SanitizeUtf8(bytes);
  Iconv conv(*name);
  if (!conv.ok()) return SanitizeUtf8(bytes);
  return conv.Convert(bytes);
}

bool IsKnownCharset(std::string_view charset) {
  std::optional<std::string> name = NormalizeLabel(charset);
  return name && (IsUtf8Alias(*name) || Iconv(*name).ok());
}

}  // namespace slotmail::mime
