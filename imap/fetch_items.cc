#include "imap/fetch_items.h"

#include <algorithm>
#include <utility>

#include "imap/quote.h"

namespace slotmail::imap {

namespace {

using Kind = FetchItem::Kind;
using Text = FetchSection::Text;

struct SimpleName {
  std::string_view name;
  Kind kind;
};
constexpr SimpleName kSimple[] = {
    {"FLAGS", Kind::kFlags},
    {"INTERNALDATE", Kind::kInternalDate},
    {"RFC822.SIZE", Kind::kRfc822Size},
    {"ENVELOPE", Kind::kEnvelope},
    {"BODY", Kind::kBody},
    {"BODYSTRUCTURE", Kind::kBodyStructure},
    {"UID", Kind::kUid},
    {"MODSEQ", Kind::kModSeq},
    {"RFC822", Kind::kRfc822},
    {"RFC822.HEADER", Kind::kRfc822Header},
    {"RFC822.TEXT", Kind::kRfc822Text},
    {"EMAILID", Kind::kEmailId},
    {"THREADID", Kind::kThreadId},
};

// The client's text is not echoed: the message goes into a BAD response.
Status Bad(std::string_view /*item*/, const char* why) {
  return Status::InvalidArgument(std::string("Invalid FETCH item: ") + why);
}

FetchItem Simple(Kind kind) {
  FetchItem item;
  item.kind = kind;
  return item;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Digits at the front of *s as a number below 2^32; consumes them.
// `nonzero`: RFC nz-number (no leading zero, not 0).
bool TakeNumber(std::string_view* s, bool nonzero, uint32_t* out) {
  size_t n = 0;
  uint64_t value = 0;
  while (n < s->size() && IsDigit((*s)[n])) {
    value = value * 10 + static_cast<uint64_t>((*s)[n] - '0');
    if (value > UINT32_MAX) return false;
    ++n;
  }
  if (n == 0 || (nonzero && (*s)[0] == '0')) return false;
  s->remove_prefix(n);
  *out = static_cast<uint32_t>(value);
  return true;
}

// Position of the ']' closing a section that starts after `open`, skipping
// quoted strings; npos if none.
size_t FindSectionEnd(std::string_view text, size_t open) {
  bool quoted = false;
  for (size_t i = open + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ']') {
      return i;
    }
  }
  return std::string_view::npos;
}

// One header-fld-name (astring without literals) from the front of *s.
bool TakeFieldName(std::string_view* s, std::string* out) {
  out->clear();
  if (!s->empty() && s->front() == '"') {
    for (size_t i = 1; i < s->size(); ++i) {
      char c = (*s)[i];
      if (c == '"') {
        s->remove_prefix(i + 1);
        return !out->empty();
      }
      if (c == '\\') {
        if (++i == s->size()) return false;
        c = (*s)[i];
        if (c != '"' && c != '\\') return false;
      }
      *out += c;
    }
    return false;
  }
  size_t n = 0;
  while (n < s->size() && IsAtomChar((*s)[n])) ++n;
  *out = s->substr(0, n);
  s->remove_prefix(n);
  return n > 0;
}

// " (name name ...)" ending the section.
bool ParseHeaderList(std::string_view s, std::vector<std::string>* fields) {
  if (s.size() < 3 || s.substr(0, 2) != " (" || s.back() != ')') return false;
  s = s.substr(2, s.size() - 3);
  for (;;) {
    std::string name;
    if (!TakeFieldName(&s, &name)) return false;
    fields->push_back(AsciiUpper(name));
    if (s.empty()) return true;
    if (s.front() != ' ') return false;
    s.remove_prefix(1);
  }
}

// section-spec without its brackets; `binary` allows part numbers only.
Status ParseSection(std::string_view item, std::string_view spec, bool binary,
                    FetchSection* out) {
  // Part numbers: "1.2.3", each followed by '.' or the end.
  while (!spec.empty() && IsDigit(spec.front())) {
    uint32_t n;
    if (!TakeNumber(&spec, /*nonzero=*/true, &n)) return Bad(item, "bad part number");
    out->part.push_back(n);
    if (spec.empty()) return Status::Ok();
    if (spec.front() != '.') return Bad(item, "bad part number");
    spec.remove_prefix(1);
    if (spec.empty()) return Bad(item, "bad part number");
  }
  if (spec.empty()) return Status::Ok();
  if (binary) return Bad(item, "BINARY takes part numbers only");
  const size_t space = spec.find(' ');
  const std::string keyword = AsciiUpper(spec.substr(0, space));
  const std::string_view rest = space == std::string_view::npos ? "" : spec.substr(space);
  if (keyword == "HEADER.FIELDS" || keyword == "HEADER.FIELDS.NOT") {
    out->text = keyword == "HEADER.FIELDS" ? Text::kHeaderFields : Text::kHeaderFieldsNot;
    if (!ParseHeaderList(rest, &out->fields)) return Bad(item, "bad header field list");
    return Status::Ok();
  }
  if (!rest.empty()) return Bad(item, "bad section");
  if (keyword == "HEADER") {
    out->text = Text::kHeader;
  } else if (keyword == "TEXT") {
    out->text = Text::kText;
  } else if (keyword == "MIME" && !out->part.empty()) {
    out->text = Text::kMime;
  } else {
    return Bad(item, keyword == "MIME" ? "MIME needs a part number" : "unknown section");
  }
  return Status::Ok();
}

// "<offset.length>"
bool ParsePartial(std::string_view s, FetchPartial* out) {
  if (s.size() < 5 || s.front() != '<' || s.back() != '>') return false;
  s = s.substr(1, s.size() - 2);
  if (!TakeNumber(&s, /*nonzero=*/false, &out->offset)) return false;
  if (s.empty() || s.front() != '.') return false;
  s.remove_prefix(1);
  return TakeNumber(&s, /*nonzero=*/true, &out->length) && s.empty();
}

// A field name as the response spells it: an atom, else a quoted string
// (never a bare ']', which would end the section).
std::string FieldForResponse(const std::string& field) {
  return std::all_of(field.begin(), field.end(), IsAtomChar) ? field : Quoted(field);
}

std::string SectionForResponse(const FetchSection& s) {
  std::string out;
  for (uint32_t n : s.part) {
    if (!out.empty()) out += '.';
    out += std::to_string(n);
  }
  const char* keyword = nullptr;
  switch (s.text) {
    case Text::kNone: return out;
    case Text::kHeader: keyword = "HEADER"; break;
    case Text::kHeaderFields: keyword = "HEADER.FIELDS"; break;
    case Text::kHeaderFieldsNot: keyword = "HEADER.FIELDS.NOT"; break;
    case Text::kText: keyword = "TEXT"; break;
    case Text::kMime: keyword = "MIME"; break;
  }
  if (!out.empty()) out += '.';
  out += keyword;
  if (s.text == Text::kHeaderFields || s.text == Text::kHeaderFieldsNot) {
    out += " (";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (i > 0) out += ' ';
      out += FieldForResponse(s.fields[i]);
    }
    out += ')';
  }
  return out;
}

}  // namespace

bool FetchItem::SetsSeen() const {
  switch (kind) {
    case Kind::kRfc822:
    case Kind::kRfc822Text:
      return true;
    case Kind::kBodySection:
    case Kind::kBinary:
      return !peek;
    default:
      return false;
  }
}

std::string FetchItem::ResponseName() const {
  for (const SimpleName& s : kSimple) {
    if (s.kind == kind) return std::string(s.name);
  }
  std::string out = kind == Kind::kBodySection ? "BODY["
                    : kind == Kind::kBinary    ? "BINARY["
                                               : "BINARY.SIZE[";
  out += SectionForResponse(section);
  out += ']';
  if (partial) out += "<" + std::to_string(partial->offset) + ">";
  return out;
}

Result<FetchItem> ParseFetchItem(std::string_view text) {
  const size_t open = text.find('[');
  const std::string name = AsciiUpper(text.substr(0, open));
  FetchItem item;
  if (open == std::string_view::npos) {
    for (const SimpleName& s : kSimple) {
      if (s.name == name) {
        item.kind = s.kind;
        return item;
      }
    }
    if (name == "BODY.PEEK" || name.starts_with("BINARY")) {
      return Bad(text, "a section in [] is required");
    }
    return Bad(text, "unknown item");
  }
  if (name == "BODY" || name == "BODY.PEEK") {
    item.kind = Kind::kBodySection;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    item.kind = Kind::kBinary;
  } else if (name == "BINARY.SIZE") {
    item.kind = Kind::kBinarySize;
  } else {
    return Bad(text, "unknown item");
  }
  item.peek = name.ends_with(".PEEK");
  const size_t close = FindSectionEnd(text, open);
  if (close == std::string_view::npos) return Bad(text, "missing ']'");
  RETURN_IF_ERROR(ParseSection(text, text.substr(open + 1, close - open - 1),
                               item.kind != Kind::kBodySection, &item.section));
  const std::string_view tail = text.substr(close + 1);
  if (tail.empty()) return item;
  FetchPartial partial;
  if (item.kind == Kind::kBinarySize) return Bad(text, "BINARY.SIZE takes no <partial>");
  if (!ParsePartial(tail, &partial)) return Bad(text, "bad <offset.length>");
  item.partial = partial;
  return item;
}

Result<std::vector<FetchItem>> ParseFetchItems(const Arg& arg) {
  std::vector<FetchItem> items;
  if (arg.kind == Arg::kAtom) {
    const std::string macro = AsciiUpper(arg.value);
    if (macro == "ALL" || macro == "FAST" || macro == "FULL") {
      for (Kind k : {Kind::kFlags, Kind::kInternalDate, Kind::kRfc822Size}) {
        items.push_back(Simple(k));
      }
      if (macro != "FAST") items.push_back(Simple(Kind::kEnvelope));
      if (macro == "FULL") items.push_back(Simple(Kind::kBody));
      return items;
    }
    ASSIGN_OR_RETURN(FetchItem item, ParseFetchItem(arg.value));
    items.push_back(std::move(item));
    return items;
  }
  if (arg.kind != Arg::kList || arg.list.empty()) {
    return Status::InvalidArgument("FETCH needs an item or a list of items");
  }
  for (const Arg& a : arg.list) {
    if (a.kind != Arg::kAtom) return Status::InvalidArgument("Invalid FETCH item");
    ASSIGN_OR_RETURN(FetchItem item, ParseFetchItem(a.value));
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace slotmail::imap
