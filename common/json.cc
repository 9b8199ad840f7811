#include "common/json.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "common/check.h"
#include "common/utf8.h"

namespace slotmail::json {

// ---- Value

Value::Value(uint64_t v) {
  if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    type_ = Type::kInt;
    int_ = static_cast<int64_t>(v);
  } else {
    type_ = Type::kDouble;
    double_ = static_cast<double>(v);
  }
}

bool Value::AsBool() const {
  SM_CHECK(is_bool()) << "type " << static_cast<int>(type_);
  return bool_;
}

int64_t Value::AsInt() const {
  SM_CHECK(is_int()) << "type " << static_cast<int>(type_);
  return int_;
}

double Value::AsDouble() const {
  SM_CHECK(is_number()) << "type " << static_cast<int>(type_);
  return is_int() ? static_cast<double>(int_) : double_;
}

const std::string& Value::AsString() const {
  SM_CHECK(is_string()) << "type " << static_cast<int>(type_);
  return string_;
}

const std::vector<Value>& Value::Items() const {
  SM_CHECK(is_array()) << "type " << static_cast<int>(type_);
  return items_;
}

const std::vector<std::pair<std::string, Value>>& Value::Members() const {
  SM_CHECK(is_object()) << "type " << static_cast<int>(type_);
  return members_;
}

Value& Value::Push(Value v) {
  SM_CHECK(is_array()) << "type " << static_cast<int>(type_);
  items_.push_back(std::move(v));
  return *this;
}

Value& Value::Set(std::string_view key, Value v) {
  SM_CHECK(is_object()) << "type " << static_cast<int>(type_);
  for (auto& [k, old] : members_) {
    if (k == key) {
      old = std::move(v);
      return *this;
    }
  }
  members_.emplace_back(std::string(key), std::move(v));
  return *this;
}

const Value* Value::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

// The member `key` of `obj` if it has type `want`, else InvalidArgument.
Result<const Value*> Typed(const Value& obj, std::string_view key, Value::Type want,
                           const char* want_name) {
  const Value* v = obj.Find(key);
  if (v == nullptr) return Status::InvalidArgument("missing \"" + std::string(key) + "\"");
  if (v->type() != want) {
    return Status::InvalidArgument("\"" + std::string(key) + "\" must be " + want_name);
  }
  return v;
}

}  // namespace

Result<std::string> Value::GetString(std::string_view key) const {
  ASSIGN_OR_RETURN(const Value* v, Typed(*this, key, Type::kString, "a string"));
  return v->string_;
}

Result<int64_t> Value::GetInt(std::string_view key) const {
  ASSIGN_OR_RETURN(const Value* v, Typed(*this, key, Type::kInt, "an integer"));
  return v->int_;
}

Result<bool> Value::GetBool(std::string_view key) const {
  ASSIGN_OR_RETURN(const Value* v, Typed(*this, key, Type::kBool, "a boolean"));
  return v->bool_;
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull: return true;
    case Type::kBool: return bool_ == o.bool_;
    case Type::kInt: return int_ == o.int_;
    case Type::kDouble: return double_ == o.double_;
    case Type::kString: return string_ == o.string_;
    case Type::kArray: return items_ == o.items_;
    case Type::kObject: return members_ == o.members_;
  }
  return false;
}

// ---- UTF-8 (shared by parser and writer)

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// ---- Parser: recursive descent; recursion is bounded by limits.max_depth.

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : s_(text), limits_(limits) {}

  Result<Value> ParseDocument() {
    if (s_.size() > limits_.max_bytes) {
      return Status::TooBig(At(limits_.max_bytes, "document longer than " +
                                                      std::to_string(limits_.max_bytes) +
                                                      " bytes"));
    }
    Value v;
    RETURN_IF_ERROR(ParseValue(0, &v));
    SkipSpace();
    if (pos_ != s_.size()) return Fail("unexpected data after the value");
    return v;
  }

 private:
  std::string At(size_t pos, const std::string& why) const {
    return "at byte " + std::to_string(pos) + ": " + why;
  }
  Status Fail(const std::string& why) const { return Status::InvalidArgument(At(pos_, why)); }
  Status FailEnd() const { return Fail("unexpected end of input"); }
  bool AtEnd() const { return pos_ >= s_.size(); }

  void SkipSpace() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                        s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  Status ParseValue(size_t depth, Value* out) {
    SkipSpace();
    if (AtEnd()) return FailEnd();
    switch (s_[pos_]) {
      case '{': return ParseObject(depth + 1, out);
      case '[': return ParseArray(depth + 1, out);
      case '"': {
        std::string str;
        RETURN_IF_ERROR(ParseString(&str));
        *out = Value(std::move(str));
        return Status::Ok();
      }
      case 't': return ParseLiteral("true", Value(true), out);
      case 'f': return ParseLiteral("false", Value(false), out);
      case 'n': return ParseLiteral("null", Value(), out);
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return ParseNumber(out);
        return Fail("unexpected character");
    }
  }

  Status ParseLiteral(std::string_view word, Value v, Value* out) {
    for (char c : word) {
      if (AtEnd()) return FailEnd();
      if (s_[pos_] != c) return Fail("invalid literal");
      ++pos_;
    }
    *out = std::move(v);
    return Status::Ok();
  }

  Status CheckDepth(size_t depth) const {
    if (depth > limits_.max_depth) {
      return Status::TooBig(
          At(pos_, "nested deeper than " + std::to_string(limits_.max_depth) + " levels"));
    }
    return Status::Ok();
  }

  Status ParseArray(size_t depth, Value* out) {
    RETURN_IF_ERROR(CheckDepth(depth));
    ++pos_;  // '['
    *out = Value::Array();
    SkipSpace();
    if (!AtEnd() && s_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    for (;;) {
      Value item;
      RETURN_IF_ERROR(ParseValue(depth, &item));
      out->Push(std::move(item));
      SkipSpace();
      if (AtEnd()) return FailEnd();
      if (s_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      if (s_[pos_] != ',') return Fail("expected ',' or ']'");
      ++pos_;
    }
  }

  Status ParseObject(size_t depth, Value* out) {
    RETURN_IF_ERROR(CheckDepth(depth));
    ++pos_;  // '{'
    Value obj = Value::Object();
    std::vector<std::pair<std::string, Value>> members;
    std::unordered_set<std::string> keys;
    SkipSpace();
    if (!AtEnd() && s_[pos_] == '}') {
      ++pos_;
      *out = std::move(obj);
      return Status::Ok();
    }
    for (;;) {
      SkipSpace();
      if (AtEnd()) return FailEnd();
      if (s_[pos_] != '"') return Fail("expected a member name");
      const size_t key_pos = pos_;
      std::string key;
      RETURN_IF_ERROR(ParseString(&key));
      if (!keys.insert(key).second) {
        return Status::InvalidArgument(At(key_pos, "duplicate member \"" + key + "\""));
      }
      SkipSpace();
      if (AtEnd()) return FailEnd();
      if (s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      Value v;
      RETURN_IF_ERROR(ParseValue(depth, &v));
      members.emplace_back(std::move(key), std::move(v));
      SkipSpace();
      if (AtEnd()) return FailEnd();
      if (s_[pos_] == '}') {
        ++pos_;
        break;
      }
      if (s_[pos_] != ',') return Fail("expected ',' or '}'");
      ++pos_;
    }
    // Keys are known distinct: no Set (a linear search per member).
    obj.members_ = std::move(members);
    *out = std::move(obj);
    return Status::Ok();
  }

  // Four hex digits at pos_.
  Status ParseHex4(uint32_t* out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      if (AtEnd()) return FailEnd();
      const char c = s_[pos_];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("invalid \\u escape");
      }
      v = v * 16 + d;
      ++pos_;
    }
    *out = v;
    return Status::Ok();
  }

  // After "\u": one code point, a surrogate pair taken together.
  Status ParseUnicodeEscape(std::string* out) {
    const size_t start = pos_ - 2;
    uint32_t cp = 0;
    RETURN_IF_ERROR(ParseHex4(&cp));
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Status::InvalidArgument(At(start, "lone low surrogate"));
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (AtEnd()) return FailEnd();
      if (s_[pos_] != '\\') return Status::InvalidArgument(At(start, "lone high surrogate"));
      if (pos_ + 1 >= s_.size()) return FailEnd();
      if (s_[pos_ + 1] != 'u') return Status::InvalidArgument(At(start, "lone high surrogate"));
      pos_ += 2;
      uint32_t low = 0;
      RETURN_IF_ERROR(ParseHex4(&low));
      if (low < 0xDC00 || low > 0xDFFF) {
        return Status::InvalidArgument(At(start, "lone high surrogate"));
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return Status::Ok();
  }

  static bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

  Status ParseString(std::string* out) {
    ++pos_;  // '"'
    for (;;) {
      if (AtEnd()) return FailEnd();
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) return FailEnd();
        const char e = s_[pos_++];
        switch (e) {
          case '"': out->push_back('"'); break;
          case '\\': out->push_back('\\'); break;
          case '/': out->push_back('/'); break;
          case 'b': out->push_back('\b'); break;
          case 'f': out->push_back('\f'); break;
          case 'n': out->push_back('\n'); break;
          case 'r': out->push_back('\r'); break;
          case 't': out->push_back('\t'); break;
          case 'u': RETURN_IF_ERROR(ParseUnicodeEscape(out)); break;
          default:
            --pos_;
            return Fail("invalid escape");
        }
        continue;
      }
      if (c < 0x80) {  // a run of plain ASCII in one append
        const size_t run = pos_;
        while (!AtEnd() && IsPlain(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        out->append(s_.substr(run, pos_ - run));
        continue;
      }
      const size_t n = utf8::SequenceAt(s_, pos_);
      if (n == 0) return Fail("invalid UTF-8");
      out->append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  Status ParseNumber(Value* out) {
    const size_t start = pos_;
    const auto digits = [&] {
      size_t n = 0;
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    if (s_[pos_] == '-') ++pos_;
    if (AtEnd()) return FailEnd();
    if (s_[pos_] == '0') {
      ++pos_;
      if (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') return Fail("leading zero");
    } else if (digits() == 0) {
      return Fail("expected a digit");
    }
    bool integral = true;
    if (!AtEnd() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (AtEnd()) return FailEnd();
      if (digits() == 0) return Fail("expected a digit");
    }
    if (!AtEnd() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (!AtEnd() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (AtEnd()) return FailEnd();
      if (digits() == 0) return Fail("expected a digit");
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (integral) {
      int64_t i = 0;
      auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc() && r.ptr == last) {
        *out = Value(i);
        return Status::Ok();
      }
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) {
      return Status::InvalidArgument(At(start, "number out of range"));
    }
    *out = Value(d);
    return Status::Ok();
  }

  std::string_view s_;
  const ParseLimits& limits_;
  size_t pos_ = 0;
};

namespace {

// ---- Writer

void WriteString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    // A run of printable ASCII other than '"' and '\\' goes out as it is.
    size_t run = i;
    while (run < s.size() && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\') {
      ++run;
    }
    if (run > i) {
      out->append(s.substr(i, run - i));
      i = run;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Invalid UTF-8 in a value (a bug upstream, or bytes from a file)
      // becomes U+FFFD, so the output always parses.
      const size_t n = utf8::SequenceAt(s, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

// Shortest text that reads back as the same double, always with a '.' or
// an exponent so that it reads back as a double. Non-finite values have no
// JSON form: null.
void WriteDouble(double d, std::string* out) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

// indent < 0: compact. Otherwise pretty, at nesting level `level`.
void Write(const Value& v, int indent, int level, std::string* out) {
  const auto newline = [&](int lvl) {
    if (indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.type()) {
    case Value::Type::kNull: out->append("null"); return;
    case Value::Type::kBool: out->append(v.AsBool() ? "true" : "false"); return;
    case Value::Type::kInt: out->append(std::to_string(v.AsInt())); return;
    case Value::Type::kDouble: WriteDouble(v.AsDouble(), out); return;
    case Value::Type::kString: WriteString(v.AsString(), out); return;
    case Value::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : v.Items()) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        Write(item, indent, level + 1, out);
      }
      if (!first) newline(level);
      out->push_back(']');
      return;
    }
    case Value::Type::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : v.Members()) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        WriteString(key, out);
        out->append(indent < 0 ? ":" : ": ");
        Write(member, indent, level + 1, out);
      }
      if (!first) newline(level);
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

Result<Value> Parse(std::string_view text, const ParseLimits& limits) {
  return Parser(text, limits).ParseDocument();
}

std::string Serialize(const Value& v) {
  std::string out;
  Write(v, -1, 0, &out);
  return out;
}

std::string Pretty(const Value& v) {
  std::string out;
  Write(v, 2, 0, &out);
  return out;
}

}  // namespace slotmail::json
