#include "imap/quote.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::imap {
namespace {

using namespace std::string_literals;

TEST_CASE("imap quote: 7-bit text becomes a quoted string with \\ and \" escaped") {
  CHECK(Quoted("") == "\"\"");
  CHECK(Quoted("hello world") == "\"hello world\"");
  CHECK(Quoted("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(Quoted("a\\b") == "\"a\\\\b\"");
  CHECK(Quoted("tab\there") == "\"tab\there\"");  // TEXT-CHAR allows other CTLs
  CHECK(Quoted("(){}%*]") == "\"(){}%*]\"");
}

TEST_CASE("imap quote: CR, LF, NUL and 8-bit bytes need a literal") {
  CHECK(Quoted("a\r\nb") == "{4}\r\na\r\nb");
  CHECK(Quoted("line\n") == "{5}\r\nline\n");
  CHECK(Quoted("x\0y"s) == "{5}\r\nx\xef\xbf\xbdy");  // NUL is never sent
  CHECK(Quoted("caf\xc3\xa9") == "{5}\r\ncaf\xc3\xa9");
  CHECK(Quoted("\"\xff") == "{2}\r\n\"\xff");  // no escaping inside literals
}

TEST_CASE("imap quote: QuotedUtf8 quotes well-formed UTF-8, else falls back to Quoted") {
  CHECK(QuotedUtf8("caf\xc3\xa9 \"x\"") == "\"caf\xc3\xa9 \\\"x\\\"\"");
  CHECK(QuotedUtf8("plain") == "\"plain\"");
  CHECK(QuotedUtf8("\xff") == "{1}\r\n\xff");           // not UTF-8
  CHECK(QuotedUtf8("\xc3\xa9\r\n") == "{4}\r\n\xc3\xa9\r\n");  // CR LF
}

TEST_CASE("imap quote: NString is NIL for absent values") {
  CHECK(NString(std::nullopt) == "NIL");
  CHECK(NString(std::string("NIL")) == "\"NIL\"");
  CHECK(NString(std::string("")) == "\"\"");
  std::string out = "x ";
  AppendNString(std::string("a"), &out);
  AppendQuoted("b", &out);
  CHECK(out == "x \"a\"\"b\"");
}

TEST_CASE("imap quote: AString is an atom when it can be") {
  CHECK(AString("INBOX") == "INBOX");
  CHECK(AString("Sent.2024-01") == "Sent.2024-01");
  CHECK(AString("a]b") == "a]b");  // resp-specials are ASTRING-CHARs
  CHECK(AString("") == "\"\"");
  CHECK(AString("two words") == "\"two words\"");
  for (const char* s : {"a(b", "a)b", "a{b", "a%b", "a*b", "a\"b", "a\\b", "a\x7f" "b"}) {
    CAPTURE(s);
    CHECK(AString(s)[0] == '"');
  }
  CHECK(AString("caf\xc3\xa9") == "{5}\r\ncaf\xc3\xa9");
}

}  // namespace
}  // namespace slotmail::imap
