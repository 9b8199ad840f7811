#include "common/json.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

using slotmail::Code;
using slotmail::json::Parse;
using slotmail::json::ParseLimits;
using slotmail::json::Pretty;
using slotmail::json::Serialize;
using slotmail::json::Value;

namespace {

Value Sample() {
  Value inner = Value::Array();
  inner.Push(1).Push(Value());
  inner.Push(Value::Object());
  inner.Push(Value::Array());
  Value v = Value::Object();
  v.Set("null", nullptr)
      .Set("t", true)
      .Set("f", false)
      .Set("int", int64_t{-42})
      .Set("min", std::numeric_limits<int64_t>::min())
      .Set("max", std::numeric_limits<int64_t>::max())
      .Set("double", 0.1)
      .Set("whole double", 3.0)
      .Set("tiny", 5e-324)
      .Set("big", 1.5e300)
      .Set("str", "line1\nline2\t\"q\" \\ \x01\x1f\x7f")
      .Set("utf8", "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x82\xAC")
      .Set("", "empty key")
      .Set("list", std::move(inner));
  return v;
}

// The error message of parsing `text`, which must fail with `code`.
std::string Rejection(std::string_view text, Code code = Code::kInvalidArgument,
                      const ParseLimits& limits = {}) {
  auto r = Parse(text, limits);
  REQUIRE_MESSAGE(!r.ok(), "accepted: ", std::string(text));
  CHECK_MESSAGE(r.status().code() == code, std::string(text), " -> ", r.status().ToString());
  return r.status().message();
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("json: a value survives Serialize and Parse unchanged") {
  const Value v = Sample();
  const std::string line = Serialize(v);
  CHECK(line.find('\n') == std::string::npos);
  auto back = Parse(line);
  REQUIRE(back.ok());
  CHECK(*back == v);
  CHECK(Serialize(*back) == line);

  auto pretty = Parse(Pretty(v));
  REQUIRE(pretty.ok());
  CHECK(*pretty == v);
}

TEST_CASE("json: Serialize is compact and keeps member order") {
  Value v = Value::Object();
  v.Set("b", 1).Set("a", Value::Array().Push("x"));
  v.Set("b", 2);  // replaces in place
  CHECK(Serialize(v) == R"({"b":2,"a":["x"]})");
  CHECK(Serialize(Value::Array()) == "[]");
  CHECK(Serialize(Value::Object()) == "{}");
  CHECK(Serialize(Value(3.0)) == "3.0");
  CHECK(Serialize(Value(-0.5)) == "-0.5");
  CHECK(Serialize(Value(std::numeric_limits<double>::infinity())) == "null");
}

TEST_CASE("json: Pretty indents with two spaces") {
  Value v = Value::Object();
  Value list = Value::Array();
  list.Push(1).Push(true);
  v.Set("a", std::move(list)).Set("b", Value::Object()).Set("c", "x");
  CHECK(Pretty(v) ==
        "{\n"
        "  \"a\": [\n"
        "    1,\n"
        "    true\n"
        "  ],\n"
        "  \"b\": {},\n"
        "  \"c\": \"x\"\n"
        "}");
}

TEST_CASE("json: Serialize escapes every control character, so output is one line") {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all += "\x7f\"\\/";
  const std::string line = Serialize(Value(all));
  for (char c : line) CHECK(static_cast<unsigned char>(c) >= 0x20);
  CHECK(line.find("\\n") != std::string::npos);
  CHECK(line.find("\\u0001") != std::string::npos);
  auto back = Parse(line);
  REQUIRE(back.ok());
  CHECK(back->AsString() == all);
}

TEST_CASE("json: Serialize replaces invalid UTF-8 so that its output parses") {
  const std::string line = Serialize(Value(std::string("a\xFF" "b\xC3")));
  auto back = Parse(line);
  REQUIRE(back.ok());
  CHECK(back->AsString() == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

TEST_CASE("json: integers are kInt when they fit int64, other numbers kDouble") {
  auto parse = [](const char* text) {
    auto r = Parse(text);
    REQUIRE_MESSAGE(r.ok(), text, " ", r.status().ToString());
    return *r;
  };
  CHECK(parse("0").is_int());
  CHECK(parse("-0").is_int());
  CHECK(parse("9223372036854775807").AsInt() == std::numeric_limits<int64_t>::max());
  CHECK(parse("-9223372036854775808").AsInt() == std::numeric_limits<int64_t>::min());
  CHECK(parse("9223372036854775808").type() == Value::Type::kDouble);
  CHECK(parse("1.0").type() == Value::Type::kDouble);
  CHECK(parse("1e2").type() == Value::Type::kDouble);
  CHECK(parse("1e2").AsDouble() == 100.0);
  CHECK(parse("-1.5E-3").AsDouble() == -0.0015);
  CHECK(parse("7").AsDouble() == 7.0);

  CHECK(Value(uint64_t{5}).is_int());
  CHECK(Value(uint64_t{INT64_MAX}).is_int());
  const Value huge(std::numeric_limits<uint64_t>::max());
  CHECK(huge.type() == Value::Type::kDouble);
  CHECK(huge.AsDouble() == 18446744073709551616.0);
}

TEST_CASE("json: \\u escapes, surrogate pairs included") {
  auto str = [](const char* text) {
    auto r = Parse(text);
    REQUIRE_MESSAGE(r.ok(), text, " ", r.status().ToString());
    return r->AsString();
  };
  CHECK(str(R"("\u0041\u00e9\u20AC")") == "A\xC3\xA9\xE2\x82\xAC");
  CHECK(str(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80");
  CHECK(str(R"("\uDBFF\uDFFF")") == "\xF4\x8F\xBF\xBF");
  CHECK(str(R"("\u0000")") == std::string(1, '\0'));
  CHECK(str(R"("\"\\\/\b\f\n\r\t")") == "\"\\/\b\f\n\r\t");

  CHECK(Rejection(R"("\ud83d")").find("lone high surrogate") != std::string::npos);
  CHECK(Rejection(R"("\ud83dx")").find("lone high surrogate") != std::string::npos);
  CHECK(Rejection(R"("\ud83d\n")").find("lone high surrogate") != std::string::npos);
  CHECK(Rejection(R"("\ud83d\u0041")").find("lone high surrogate") != std::string::npos);
  CHECK(Rejection(R"("\ud83d\ud83d")").find("lone high surrogate") != std::string::npos);
  CHECK(Rejection(R"("ab\ude00")") == "at byte 3: lone low surrogate");
  CHECK(Rejection(R"("\u12")").find("invalid \\u escape") != std::string::npos);
  CHECK(Rejection(R"("\u12g4")").find("invalid \\u escape") != std::string::npos);
}

TEST_CASE("json: each class of invalid input is rejected with its byte offset") {
  struct Case {
    std::string text;
    const char* message;
  };
  const Case cases[] = {
      {"", "at byte 0: unexpected end of input"},
      {"   ", "at byte 3: unexpected end of input"},
      {"nul", "at byte 3: unexpected end of input"},
      {"nulL", "at byte 3: invalid literal"},
      {"True", "at byte 0: unexpected character"},
      {"[1,]", "at byte 3: unexpected character"},
      {"[1 2]", "at byte 3: expected ',' or ']'"},
      {"{\"a\" 1}", "at byte 5: expected ':'"},
      {"{\"a\":1,}", "at byte 7: expected a member name"},
      {"{a:1}", "at byte 1: expected a member name"},
      {"{\"a\":1 \"b\":2}", "at byte 7: expected ',' or '}'"},
      {"{\"a\":1,\"b\":2,\"a\":3}", "at byte 13: duplicate member \"a\""},
      {"1 2", "at byte 2: unexpected data after the value"},
      {"{} x", "at byte 3: unexpected data after the value"},
      {"[]]", "at byte 2: unexpected data after the value"},
      {"01", "at byte 1: leading zero"},
      {"-", "at byte 1: unexpected end of input"},
      {"-a", "at byte 1: expected a digit"},
      {"1.", "at byte 2: unexpected end of input"},
      {"1.e3", "at byte 2: expected a digit"},
      {"1e", "at byte 2: unexpected end of input"},
      {"1e+", "at byte 3: unexpected end of input"},
      {".5", "at byte 0: unexpected character"},
      {"+1", "at byte 0: unexpected character"},
      {"0x10", "at byte 1: unexpected data after the value"},
      {"NaN", "at byte 0: unexpected character"},
      {"Infinity", "at byte 0: unexpected character"},
      {"1e400", "at byte 0: number out of range"},
      {"[-1e400]", "at byte 1: number out of range"},
      {"1e-400", "at byte 0: number out of range"},
      {"\"a\nb\"", "at byte 2: control character in a string"},
      {"\"a\tb\"", "at byte 2: control character in a string"},
      {std::string("\"a\0b\"", 5), "at byte 2: control character in a string"},
      {"\"\\x\"", "at byte 2: invalid escape"},
      {"\"\\'\"", "at byte 2: invalid escape"},
      {"'a'", "at byte 0: unexpected character"},
      {"\"abc", "at byte 4: unexpected end of input"},
      {"\"\xFF\"", "at byte 1: invalid UTF-8"},
      {"\"\x80\"", "at byte 1: invalid UTF-8"},
      {"\"\xC0\xAF\"", "at byte 1: invalid UTF-8"},          // overlong '/'
      {"\"\xE0\x80\xAF\"", "at byte 1: invalid UTF-8"},      // overlong
      {"\"\xF0\x80\x80\xAF\"", "at byte 1: invalid UTF-8"},  // overlong
      {"\"a\xED\xA0\x80\"", "at byte 2: invalid UTF-8"},     // encoded surrogate
      {"\"\xF4\x90\x80\x80\"", "at byte 1: invalid UTF-8"},  // above U+10FFFF
      {"\"\xC3(\"", "at byte 1: invalid UTF-8"},             // bad continuation
      {"\"\xE2\x82\"", "at byte 1: invalid UTF-8"},          // cut short
      {"\xEF\xBB\xBF{}", "at byte 0: unexpected character"},  // BOM
      {"/* c */ 1", "at byte 0: unexpected character"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(Rejection(c.text) == c.message);
  }
}

TEST_CASE("json: every truncation of a valid document is rejected") {
  const std::string doc = Serialize(Sample());
  const std::string pretty = Pretty(Sample());
  for (const std::string* text : {&doc, &pretty}) {
    for (size_t n = 0; n < text->size(); ++n) {
      auto r = Parse(std::string_view(*text).substr(0, n));
      CHECK_MESSAGE(!r.ok(), "prefix of ", n, " bytes accepted");
    }
    CHECK(Parse(*text).ok());
  }
}

TEST_CASE("json: corrupted documents never crash the parser") {
  const std::string doc = Serialize(Sample());
  std::mt19937 rng(7);
  size_t rejected = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string text = doc;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = static_cast<char>(rng() % 256); break;
        case 1: text.erase(at, 1); break;
        case 2: text.insert(at, 1, "{}[]\",:\\u0e1"[rng() % 12]); break;
      }
    }
    auto r = Parse(text);
    if (!r.ok()) {
      ++rejected;
      CHECK(r.status().message().rfind("at byte ", 0) == 0);
    } else {
      CHECK(Parse(Serialize(*r)).ok());
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("json: nesting deeper than the limit is refused") {
  CHECK(Parse(Nested(32)).ok());
  CHECK(Rejection(Nested(33), Code::kTooBig) == "at byte 32: nested deeper than 32 levels");
  CHECK(Rejection(std::string(100000, '['), Code::kTooBig).find("nested deeper") !=
        std::string::npos);
  ParseLimits shallow;
  shallow.max_depth = 2;
  CHECK(Parse(R"({"a":[1]})", shallow).ok());
  Rejection(R"({"a":[{}]})", Code::kTooBig, shallow);
  Rejection(R"([[[]]])", Code::kTooBig, shallow);
}

TEST_CASE("json: input longer than max_bytes is refused") {
  ParseLimits small;
  small.max_bytes = 8;
  CHECK(Parse("[1,2,3] ", small).ok());
  CHECK(Rejection("[1,2,3]  ", Code::kTooBig, small) == "at byte 8: document longer than 8 bytes");
}

TEST_CASE("json: typed getters name the key that is missing or of another type") {
  auto v = Parse(R"({"s":"x","i":7,"b":true,"d":1.5,"n":null})");
  REQUIRE(v.ok());
  CHECK(v->GetString("s").value() == "x");
  CHECK(v->GetInt("i").value() == 7);
  CHECK(v->GetBool("b").value() == true);

  auto expect_invalid = [](const slotmail::Status& st, const char* text) {
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK_MESSAGE(st.message().find(text) != std::string::npos, st.message());
  };
  expect_invalid(v->GetString("i").status(), "\"i\" must be a string");
  expect_invalid(v->GetString("n").status(), "\"n\" must be a string");
  expect_invalid(v->GetInt("s").status(), "\"s\" must be an integer");
  expect_invalid(v->GetInt("d").status(), "\"d\" must be an integer");
  expect_invalid(v->GetBool("i").status(), "\"i\" must be a boolean");
  expect_invalid(v->GetString("missing").status(), "missing \"missing\"");
  expect_invalid(v->GetInt("missing").status(), "missing \"missing\"");
  // Not an object at all: every key is missing.
  expect_invalid(Value(1).GetString("k").status(), "missing \"k\"");
  CHECK(Value(1).Find("k") == nullptr);
}

TEST_CASE("json: equality compares type and contents") {
  CHECK(Value(1) == Value(int64_t{1}));
  CHECK_FALSE(Value(1) == Value(1.0));
  CHECK_FALSE(Value("1") == Value(1));
  CHECK(Value() == Value(nullptr));
  Value a = Value::Object();
  a.Set("x", 1).Set("y", 2);
  Value b = Value::Object();
  b.Set("y", 2).Set("x", 1);
  CHECK_FALSE(a == b);  // member order is part of the value
}
