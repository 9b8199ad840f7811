#include "imap/search_parse.h"

#include <utility>

#include "common/limits.h"
#include "imap/object_id.h"

namespace slotmail::imap {

namespace {

using Kind = SearchKey::Kind;

constexpr std::string_view kBadCharset = "[BADCHARSET (US-ASCII UTF-8)] ";
constexpr uint64_t kMaxModSeq = INT64_MAX;  // RFC 7162: 63-bit mod-sequence-value

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Keys that are a flag test, with and without the UN- prefix.
struct FlagKey {
  std::string_view key;
  std::string_view flag;
  bool negated;
};
constexpr FlagKey kFlagKeys[] = {
    {"ANSWERED", "\\Answered", false}, {"UNANSWERED", "\\Answered", true},
    {"DELETED", "\\Deleted", false},   {"UNDELETED", "\\Deleted", true},
    {"DRAFT", "\\Draft", false},       {"UNDRAFT", "\\Draft", true},
    {"FLAGGED", "\\Flagged", false},   {"UNFLAGGED", "\\Flagged", true},
    {"SEEN", "\\Seen", false},         {"UNSEEN", "\\Seen", true},
    {"RECENT", "\\Recent", false},     {"OLD", "\\Recent", true},
};

// Keys taking one string, and the header they search (empty: not a header).
struct StringKey {
  std::string_view key;
  Kind kind;
  std::string_view header;
};
constexpr StringKey kStringKeys[] = {
    {"BCC", Kind::kAddress, "BCC"},        {"CC", Kind::kAddress, "CC"},
    {"FROM", Kind::kAddress, "FROM"},      {"SUBJECT", Kind::kHeader, "SUBJECT"},
    {"TO", Kind::kAddress, "TO"},          {"BODY", Kind::kBody, ""},
    {"TEXT", Kind::kText, ""},
};

struct DateKey {
  std::string_view key;
  Kind kind;
};
constexpr DateKey kDateKeys[] = {
    {"BEFORE", Kind::kBefore},         {"ON", Kind::kOn},
    {"SINCE", Kind::kSince},           {"SENTBEFORE", Kind::kSentBefore},
    {"SENTON", Kind::kSentOn},         {"SENTSINCE", Kind::kSentSince},
};

Status Bad(const std::string& why) { return Status::InvalidArgument("Invalid SEARCH: " + why); }

SearchKey Leaf(Kind kind) {
  SearchKey k;
  k.kind = kind;
  return k;
}

SearchKey Not(SearchKey child) {
  SearchKey k = Leaf(Kind::kNot);
  k.children.push_back(std::move(child));
  return k;
}

SearchKey Flag(std::string_view flag) {
  SearchKey k = Leaf(Kind::kFlag);
  k.text = flag;
  return k;
}

// Decimal digits only, at most `max`; `nonzero` refuses 0.
Result<uint64_t> ParseNumber(std::string_view text, uint64_t max, bool nonzero) {
  if (text.empty()) return Bad("number expected");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Bad("number expected");
    if (value > (max - static_cast<uint64_t>(c - '0')) / 10) return Bad("number too big");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (nonzero && value == 0) return Bad("number must not be 0");
  return value;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

class KeyParser {
 public:
  explicit KeyParser(const std::vector<Arg>& args) : args_(args) {}

  bool AtEnd() const { return pos_ == args_.size(); }
  size_t pos() const { return pos_; }
  void Skip(size_t n) { pos_ += n; }

  // One search-key, which may recurse; depth counts enclosing keys.
  Result<SearchKey> ParseKey(size_t depth);
  // Keys up to the end of `args` as one AND (or the single key itself).
  Result<SearchKey> ParseAll(size_t depth);

 private:
  Result<const Arg*> Take(const char* what);
  Result<std::string> TakeString(const char* what);  // astring
  Result<uint64_t> TakeNumber(const char* what, uint64_t max, bool nonzero);
  Result<SearchKey> ParseModSeq();

  const std::vector<Arg>& args_;
  size_t pos_ = 0;
};

Result<const Arg*> KeyParser::Take(const char* what) {
  if (AtEnd()) return Bad(std::string(what) + " expected");
  return &args_[pos_++];
}

Result<std::string> KeyParser::TakeString(const char* what) {
  ASSIGN_OR_RETURN(const Arg* arg, Take(what));
  if (!arg->IsAstring()) return Bad(std::string(what) + " must be a string");
  return arg->value;
}

Result<uint64_t> KeyParser::TakeNumber(const char* what, uint64_t max, bool nonzero) {
  ASSIGN_OR_RETURN(const Arg* arg, Take(what));
  if (arg->kind != Arg::kAtom) return Bad(std::string(what) + " must be a number");
  return ParseNumber(arg->value, max, nonzero);
}

Result<SearchKey> KeyParser::ParseAll(size_t depth) {
  SearchKey all = Leaf(Kind::kAnd);
  while (!AtEnd()) {
    ASSIGN_OR_RETURN(SearchKey key, ParseKey(depth));
    all.children.push_back(std::move(key));
  }
  if (all.children.empty()) return Bad("search criteria expected");
  if (all.children.size() == 1) return std::move(all.children[0]);
  return all;
}

Result<SearchKey> KeyParser::ParseModSeq() {
  SearchKey key = Leaf(Kind::kModSeq);
  if (AtEnd()) return Bad("MODSEQ needs a value");
  if (args_[pos_].kind != Arg::kAtom) {  // entry name and type come first
    ASSIGN_OR_RETURN(key.field, TakeString("MODSEQ entry name"));
    if (key.field.size() <= 7 || !EqualsIgnoreCase(key.field.substr(0, 7), "/flags/")) {
      return Bad("MODSEQ entry name must be \"/flags/<flag>\"");
    }
    ASSIGN_OR_RETURN(const std::string type, TakeString("MODSEQ entry type"));
    if (EqualsIgnoreCase(type, "priv")) {
      key.entry_type = SearchKey::EntryType::kPriv;
    } else if (EqualsIgnoreCase(type, "shared")) {
      key.entry_type = SearchKey::EntryType::kShared;
    } else if (EqualsIgnoreCase(type, "all")) {
      key.entry_type = SearchKey::EntryType::kAll;
    } else {
      return Bad("MODSEQ entry type must be priv, shared or all");
    }
  }
  ASSIGN_OR_RETURN(key.number, TakeNumber("MODSEQ value", kMaxModSeq, false));
  return key;
}

Result<SearchKey> KeyParser::ParseKey(size_t depth) {
  if (depth >= limits::kMaxImapSearchDepth) return Bad("criteria nested too deeply");
  ASSIGN_OR_RETURN(const Arg* arg, Take("search key"));
  if (arg->kind == Arg::kList) {
    if (arg->list.empty()) return Bad("empty parentheses");
    KeyParser group(arg->list);
    ASSIGN_OR_RETURN(SearchKey key, group.ParseAll(depth + 1));
    if (key.kind == Kind::kAnd) return key;
    SearchKey wrapped = Leaf(Kind::kAnd);  // keep "(x)" a group for ToString
    wrapped.children.push_back(std::move(key));
    return wrapped;
  }
  if (arg->kind != Arg::kAtom) return Bad("search key expected");
  const std::string& word = arg->value;
  if (!word.empty() && (word[0] == '*' || word[0] == '$' || (word[0] >= '0' && word[0] <= '9'))) {
    SearchKey key = Leaf(Kind::kSequenceSet);
    ASSIGN_OR_RETURN(key.set, SequenceSet::Parse(word));
    return key;
  }
  const std::string name = AsciiUpper(word);
  if (name == "ALL") return Leaf(Kind::kAll);
  for (const FlagKey& f : kFlagKeys) {
    if (name == f.key) return f.negated ? Not(Flag(f.flag)) : Flag(f.flag);
  }
  if (name == "NEW") {  // RECENT UNSEEN
    SearchKey key = Leaf(Kind::kAnd);
    key.children.push_back(Flag("\\Recent"));
    key.children.push_back(Not(Flag("\\Seen")));
    return key;
  }
  for (const StringKey& s : kStringKeys) {
    if (name != s.key) continue;
    SearchKey key = Leaf(s.kind);
    key.field = s.header;
    ASSIGN_OR_RETURN(key.text, TakeString("search string"));
    return key;
  }
  for (const DateKey& d : kDateKeys) {
    if (name != d.key) continue;
    SearchKey key = Leaf(d.kind);
    ASSIGN_OR_RETURN(const std::string text, TakeString("date"));
    ASSIGN_OR_RETURN(key.date, ParseSearchDate(text));
    return key;
  }
  if (name == "HEADER") {
    SearchKey key = Leaf(Kind::kHeader);
    ASSIGN_OR_RETURN(const std::string field, TakeString("header field name"));
    if (field.empty()) return Bad("empty header field name");
    key.field = AsciiUpper(field);
    ASSIGN_OR_RETURN(key.text, TakeString("search string"));
    return key;
  }
  if (name == "KEYWORD" || name == "UNKEYWORD") {
    ASSIGN_OR_RETURN(const Arg* flag, Take("keyword"));
    if (!flag->IsAtom()) return Bad("keyword must be an atom");
    return name == "KEYWORD" ? Flag(flag->value) : Not(Flag(flag->value));
  }
  if (name == "LARGER" || name == "SMALLER") {
    SearchKey key = Leaf(name == "LARGER" ? Kind::kLarger : Kind::kSmaller);
    ASSIGN_OR_RETURN(key.number, TakeNumber("size", UINT64_MAX, false));
    return key;
  }
  if (name == "OLDER" || name == "YOUNGER") {
    SearchKey key = Leaf(name == "OLDER" ? Kind::kOlder : Kind::kYounger);
    ASSIGN_OR_RETURN(key.number, TakeNumber("interval", UINT32_MAX, true));
    return key;
  }
  if (name == "UID") {
    SearchKey key = Leaf(Kind::kUid);
    ASSIGN_OR_RETURN(const Arg* set, Take("UID set"));
    if (set->kind != Arg::kAtom) return Bad("UID set expected");
    ASSIGN_OR_RETURN(key.set, SequenceSet::Parse(set->value));
    return key;
  }
  if (name == "MODSEQ") return ParseModSeq();
  if (name == "EMAILID" || name == "THREADID") {  // RFC 8474
    SearchKey key = Leaf(name == "EMAILID" ? Kind::kEmailId : Kind::kThreadId);
    ASSIGN_OR_RETURN(const Arg* id, Take("object id"));
    if (id->kind != Arg::kAtom || !IsObjectId(id->value)) return Bad("invalid object id");
    key.text = id->value;
    return key;
  }
  if (name == "NOT") {
    ASSIGN_OR_RETURN(SearchKey child, ParseKey(depth + 1));
    return Not(std::move(child));
  }
  if (name == "OR") {
    SearchKey key = Leaf(Kind::kOr);
    for (int i = 0; i < 2; ++i) {
      ASSIGN_OR_RETURN(SearchKey child, ParseKey(depth + 1));
      key.children.push_back(std::move(child));
    }
    return key;
  }
  return Bad("unknown search key");
}

Result<SearchReturn> ParseReturn(const Arg& list) {
  if (list.kind != Arg::kList) return Bad("RETURN needs a list of options");
  SearchReturn ret;
  ret.esearch = true;
  for (const Arg& opt : list.list) {
    const std::string name = opt.kind == Arg::kAtom ? AsciiUpper(opt.value) : "";
    if (name == "MIN") {
      ret.min = true;
    } else if (name == "MAX") {
      ret.max = true;
    } else if (name == "ALL") {
      ret.all = true;
    } else if (name == "COUNT") {
      ret.count = true;
    } else if (name == "SAVE") {
      ret.save = true;
    } else {
      return Bad("unknown RETURN option");
    }
  }
  if (list.list.empty()) ret.all = true;  // RFC 4731: "RETURN ()" means ALL
  return ret;
}

// A string for ToString: quoted, with \ and " escaped and any byte outside
// printable ASCII as \xNN, so a log line stays one line.
std::string Quote(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b >= 0x7f) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DateString(const SearchDate& d) {
  return std::to_string(d.day) + "-" + std::string(kMonths[d.month - 1]) + "-" +
         std::to_string(d.year);
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kAll: return "ALL";
    case Kind::kAnd: return "AND";
    case Kind::kOr: return "OR";
    case Kind::kNot: return "NOT";
    case Kind::kSequenceSet: return "";
    case Kind::kUid: return "UID";
    case Kind::kFlag: return "FLAG";
    case Kind::kHeader: return "HEADER";
    case Kind::kAddress: return "ADDRESS";
    case Kind::kBody: return "BODY";
    case Kind::kText: return "TEXT";
    case Kind::kBefore: return "BEFORE";
    case Kind::kOn: return "ON";
    case Kind::kSince: return "SINCE";
    case Kind::kSentBefore: return "SENTBEFORE";
    case Kind::kSentOn: return "SENTON";
    case Kind::kSentSince: return "SENTSINCE";
    case Kind::kLarger: return "LARGER";
    case Kind::kSmaller: return "SMALLER";
    case Kind::kModSeq: return "MODSEQ";
    case Kind::kOlder: return "OLDER";
    case Kind::kYounger: return "YOUNGER";
    case Kind::kEmailId: return "EMAILID";
    case Kind::kThreadId: return "THREADID";
  }
  return "?";
}

}  // namespace

Result<SearchDate> ParseSearchDate(std::string_view text) {
  const size_t dash1 = text.find('-');
  const size_t dash2 = dash1 == std::string_view::npos ? dash1 : text.find('-', dash1 + 1);
  if (dash2 == std::string_view::npos || dash1 < 1 || dash1 > 2 || dash2 != dash1 + 4 ||
      text.size() != dash2 + 5) {
    return Bad("date must look like 1-Feb-1994");
  }
  SearchDate date;
  ASSIGN_OR_RETURN(uint64_t day, ParseNumber(text.substr(0, dash1), 31, true));
  ASSIGN_OR_RETURN(uint64_t year, ParseNumber(text.substr(dash2 + 1), 9999, true));
  const std::string_view month = text.substr(dash1 + 1, 3);
  for (size_t m = 0; m < 12; ++m) {
    if (EqualsIgnoreCase(month, kMonths[m])) date.month = static_cast<int>(m) + 1;
  }
  if (date.month == 0) return Bad("unknown month in date");
  date.year = static_cast<int>(year);
  date.day = static_cast<int>(day);
  if (date.day > DaysInMonth(date.year, date.month)) return Bad("no such day");
  return date;
}

Result<SearchProgram> ParseSearch(const std::vector<Arg>& args) {
  SearchProgram program;
  KeyParser parser(args);
  auto keyword_at = [&](size_t i, std::string_view word) {
    return i < args.size() && args[i].kind == Arg::kAtom && EqualsIgnoreCase(args[i].value, word);
  };
  if (keyword_at(0, "RETURN")) {
    if (args.size() < 2) return Bad("RETURN needs a list of options");
    ASSIGN_OR_RETURN(program.ret, ParseReturn(args[1]));
    parser.Skip(2);
  }
  if (keyword_at(parser.pos(), "CHARSET")) {
    const size_t at = parser.pos() + 1;
    if (at >= args.size() || !args[at].IsAstring()) return Bad("CHARSET needs a name");
    const std::string charset = AsciiUpper(args[at].value);
    if (charset != "UTF-8" && charset != "US-ASCII") {
      return Status::InvalidArgument(std::string(kBadCharset) + "Unsupported charset");
    }
    program.charset = charset;
    parser.Skip(2);
  }
  ASSIGN_OR_RETURN(program.key, parser.ParseAll(0));
  return program;
}

bool IsBadCharset(const Status& status) {
  return status.code() == Code::kInvalidArgument && status.message().starts_with(kBadCharset);
}

std::string SearchKey::ToString() const {
  std::string out = KindName(kind);
  switch (kind) {
    case Kind::kAll:
      return out;
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNot: {
      if (kind == Kind::kAnd) out.clear();
      for (const SearchKey& c : children) {
        if (!out.empty()) out += ' ';
        out += c.ToString();
      }
      return "(" + out + ")";
    }
    case Kind::kSequenceSet:
      return set.ToString();
    case Kind::kUid:
      return out + " " + set.ToString();
    case Kind::kFlag:
    case Kind::kEmailId:
    case Kind::kThreadId:
      return out + " " + text;
    case Kind::kHeader:
    case Kind::kAddress:
      return out + " " + field + " " + Quote(text);
    case Kind::kBody:
    case Kind::kText:
      return out + " " + Quote(text);
    case Kind::kBefore:
    case Kind::kOn:
    case Kind::kSince:
    case Kind::kSentBefore:
    case Kind::kSentOn:
    case Kind::kSentSince:
      return out + " " + DateString(date);
    case Kind::kModSeq:
      if (!field.empty()) {
        static constexpr const char* kTypes[] = {"all", "priv", "shared"};
        out += " " + Quote(field) + " " + kTypes[static_cast<int>(entry_type)];
      }
      return out + " " + std::to_string(number);
    case Kind::kLarger:
    case Kind::kSmaller:
    case Kind::kOlder:
    case Kind::kYounger:
      return out + " " + std::to_string(number);
  }
  return out;
}

}  // namespace slotmail::imap
