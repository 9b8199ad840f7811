// A small JSON value, parser and writer for the control channel and for
// tools' --json output (RFC 8259). The parser is strict and bounded: it
// rejects what it cannot handle with a message naming the byte offset.
// Objects keep their members in insertion order (stable output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace slotmail::json {

class Value {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(int v) : type_(Type::kInt), int_(v) {}
  Value(int64_t v) : type_(Type::kInt), int_(v) {}
  Value(uint64_t v);  // above INT64_MAX: stored as a double
  Value(double v) : type_(Type::kDouble), double_(v) {}
  Value(const char* s) : type_(Type::kString), string_(s) {}
  Value(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), string_(s) {}
  static Value Array() { Value v; v.type_ = Type::kArray; return v; }
  static Value Object() { Value v; v.type_ = Type::kObject; return v; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }  // a number without fraction or exponent
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // REQUIRES: the matching type (CHECK otherwise).
  bool AsBool() const;
  int64_t AsInt() const;
  double AsDouble() const;  // kInt or kDouble
  const std::string& AsString() const;
  const std::vector<Value>& Items() const;                           // array
  const std::vector<std::pair<std::string, Value>>& Members() const;  // object

  // Arrays: appends; returns *this so calls chain, like Set.
  // REQUIRES: is_array().
  Value& Push(Value v);
  // Objects: sets (replacing an existing member of that name); returns *this
  // so calls chain. REQUIRES: is_object().
  Value& Set(std::string_view key, Value v);
  // Objects: the member or nullptr (also nullptr when not an object).
  const Value* Find(std::string_view key) const;

  // Typed member access for request validation: InvalidArgument naming the
  // key when it is missing or of another type.
  Result<std::string> GetString(std::string_view key) const;
  Result<int64_t> GetInt(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;

  bool operator==(const Value& o) const;

 private:
  friend class Parser;  // json.cc: builds objects whose keys it has checked
  Type type_ = Type::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

struct ParseLimits {
  size_t max_bytes = 1 << 20;  // the whole text
  size_t max_depth = 32;       // nested arrays/objects
};

// Parses exactly one JSON value (whitespace around it allowed). Rejects
// invalid UTF-8, lone surrogates, control characters in strings, duplicate
// object keys, numbers out of range, trailing garbage, and input over the
// limits: InvalidArgument (TooBig for the limits) with "at byte N: why".
Result<Value> Parse(std::string_view text, const ParseLimits& limits = {});

// Compact, one line: no raw newline ever appears in the output (control
// characters are escaped), so a serialised value can be one line of a
// line-framed protocol. The output always parses: invalid UTF-8 in a
// string becomes U+FFFD, and a non-finite double (no JSON form) is null.
std::string Serialize(const Value& v);
// Indented with two spaces, for people (mailctl --json). No final newline.
std::string Pretty(const Value& v);

}  // namespace slotmail::json
