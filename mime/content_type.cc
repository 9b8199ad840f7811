#include "mime/content_type.h"

#include <algorithm>

#include "common/limits.h"
#include "mime/ascii.h"
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/lexer.h"

namespace slotmail::mime {

namespace {

// Occurrences kept per field: every parameter once plus one name in full sections.
constexpr size_t kMaxRawParams = limits::kMaxMimeParams + limits::kMaxRfc2231Sections;

// One "name*N*=value" occurrence before sections are joined.
struct RawParam {
  std::string base;  // name without the RFC 2231 suffixes
  int section = -1;  // N of "name*N", or -1
  bool extended = false;
  std::string value;
};

// Splits "title*1*" into base "title", section 1, extended; false if the
// section number is out of range (the parameter is then ignored).
bool SplitName(std::string_view name, RawParam* out) {
  if (name.size() > 1 && name.back() == '*') {
    out->extended = true;
    name.remove_suffix(1);
  }
  size_t star = name.rfind('*');
  if (star != std::string_view::npos && star + 1 < name.size() && star > 0) {
    std::string_view digits = name.substr(star + 1);
    if (std::all_of(digits.begin(), digits.end(), IsDigit)) {
      int n = 0;
      for (char d : digits) {
        n = n * 10 + (d - '0');
        if (n >= static_cast<int>(limits::kMaxRfc2231Sections)) return false;
      }
      out->section = n;
      name = name.substr(0, star);
    }
  }
  out->base = std::string(name);
  return true;
}

// Tokens up to the next ';' joined as written (one space where whitespace
// separated them), so unquoted values holding specials survive.
std::string ReadValue(Lexer* lex) {
  std::string value;
  bool first = true;
  while (lex->Peek().kind != Lexer::Kind::kEnd && !lex->Peek().Is(';')) {
    Lexer::Token t = lex->Next();
    if (!first && t.space_before) value += ' ';
    value += t.text;
    first = false;
  }
  return value;
}

void SkipToSemicolon(Lexer* lex) {
  while (lex->Peek().kind != Lexer::Kind::kEnd && !lex->Peek().Is(';')) lex->Next();
}

std::vector<RawParam> ReadRawParams(Lexer* lex) {
  std::vector<RawParam> raw;
  while (lex->Peek().kind != Lexer::Kind::kEnd) {
    Lexer::Token t = lex->Next();
    if (t.Is(';')) continue;
    if (t.kind != Lexer::Kind::kAtom || !lex->Peek().Is('=')) {
      SkipToSemicolon(lex);
      continue;
    }
    lex->Next();  // '='
    RawParam p;
    bool usable = SplitName(t.text, &p);
    p.value = ReadValue(lex);
    if (usable && raw.size() < kMaxRawParams) raw.push_back(std::move(p));
  }
  return raw;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Splits an extended initial value "charset'lang'text"; without two quotes
// the whole value is text.
void SplitInitial(std::string_view v, Param* p, std::string_view* text) {
  size_t q1 = v.find('\'');
  size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) {
    *text = v;
    return;
  }
  p->charset = std::string(v.substr(0, q1));
  p->language = std::string(v.substr(q1 + 1, q2 - q1 - 1));
  *text = v.substr(q2 + 1);
}

// Joins the occurrences of one name (all with the same base, in input order).
Param Join(const std::vector<const RawParam*>& group) {
  Param p;
  p.name = group.front()->base;
  std::vector<const RawParam*> sections, extended, plain;
  for (const RawParam* r : group) {
    (r->section >= 0 ? sections : r->extended ? extended : plain).push_back(r);
  }
  if (!sections.empty()) {
    std::stable_sort(sections.begin(), sections.end(),
                     [](const RawParam* a, const RawParam* b) { return a->section < b->section; });
    int last = -1;
    for (const RawParam* r : sections) {
      if (r->section == last) continue;  // a repeated section: the first one counts
      last = r->section;
      std::string_view text = r->value;
      if (r->extended) {
        p.extended = true;
        if (r->section == 0) SplitInitial(r->value, &p, &text);
        p.value += PercentDecode(text);
      } else {
        p.value += text;
      }
    }
  } else if (!extended.empty()) {
    std::string_view text;
    p.extended = true;
    SplitInitial(extended.front()->value, &p, &text);
    p.value = PercentDecode(text);
  } else {
    p.value = plain.front()->value;
  }
  return p;
}

}  // namespace

std::vector<Param> ParseParams(std::string_view text) {
  Lexer lex(text, kMimeSpecials);
  std::vector<RawParam> raw = ReadRawParams(&lex);
  std::vector<std::vector<const RawParam*>> groups;
  for (const RawParam& r : raw) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return EqualsIgnoreCase(g.front()->base, r.base);
    });
    if (it != groups.end()) {
      it->push_back(&r);
    } else if (groups.size() < limits::kMaxMimeParams) {
      groups.push_back({&r});
    }
  }
  std::vector<Param> params;
  for (const auto& g : groups) params.push_back(Join(g));
  return params;
}

std::optional<MediaType> ParseContentType(std::string_view value) {
  Lexer lex(value, kMimeSpecials);
  Lexer::Token type = lex.Next();
  if (type.kind != Lexer::Kind::kAtom || !lex.Next().Is('/')) return std::nullopt;
  Lexer::Token subtype = lex.Next();
  if (subtype.kind != Lexer::Kind::kAtom) return std::nullopt;
  MediaType mt;
  mt.type = std::move(type.text);
  mt.subtype = std::move(subtype.text);
  mt.params = ParseParams(value.substr(lex.position()));
  return mt;
}

std::optional<Disposition> ParseContentDisposition(std::string_view value) {
  Lexer lex(value, kMimeSpecials);
  Lexer::Token type = lex.Next();
  if (type.kind != Lexer::Kind::kAtom) return std::nullopt;
  Disposition d;
  d.type = std::move(type.text);
  d.params = ParseParams(value.substr(lex.position()));
  return d;
}

std::string ParamUtf8(const Param& param) {
  if (param.extended) return ToUtf8(param.value, param.charset);
  return DecodeEncodedWords(param.value);
}

std::vector<std::string> ParseLanguageList(std::string_view value) {
  std::vector<std::string> tags;
  Lexer lex(value, kMimeSpecials);
  for (Lexer::Token t = lex.Next(); t.kind != Lexer::Kind::kEnd; t = lex.Next()) {
    if (t.IsWord() && !t.text.empty() && tags.size() < limits::kMaxMimeParams) {
      tags.push_back(std::move(t.text));
    }
  }
  return tags;
}

std::string ParseEncodingToken(std::string_view value) {
  Lexer lex(value, kMimeSpecials);
  Lexer::Token t = lex.Next();
  return t.IsWord() ? t.text : std::string();
}

}  // namespace slotmail::mime
