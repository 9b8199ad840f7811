#include "mime/encoded_word.h"

#include <doctest/doctest.h>

#include <string>

#include "mime/charset.h"

namespace slotmail::mime {
namespace {

TEST_CASE("mime: encoded words in B and Q decode to UTF-8") {
  CHECK(DecodeEncodedWords("=?UTF-8?B?Y2Fmw6k=?=") == "caf\xc3\xa9");
  CHECK(DecodeEncodedWords("=?utf-8?b?Y2Fmw6k?=") == "caf\xc3\xa9");  // no padding
  CHECK(DecodeEncodedWords("=?ISO-8859-1?Q?caf=E9?=") == "caf\xc3\xa9");
  CHECK(DecodeEncodedWords("=?iso-8859-1?q?a_b=5Fc?=") == "a b_c");
  CHECK(DecodeEncodedWords("=?windows-1252?Q?=80?=") == "\xe2\x82\xac");
}

TEST_CASE("mime: whitespace between adjacent encoded words is dropped") {
  CHECK(DecodeEncodedWords("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab");
  CHECK(DecodeEncodedWords("=?utf-8?q?a?=\r\n\t=?utf-8?q?b?=") == "ab");
  CHECK(DecodeEncodedWords("=?utf-8?q?a?=   =?iso-8859-1?q?=E9?=") == "a\xc3\xa9");
  CHECK(DecodeEncodedWords("=?utf-8?q?a_?= =?utf-8?q?_b?=") == "a  b");
}

TEST_CASE("mime: whitespace between an encoded word and text is kept") {
  CHECK(DecodeEncodedWords("Re: =?utf-8?q?caf=C3=A9?= time") == "Re: caf\xc3\xa9 time");
  CHECK(DecodeEncodedWords("=?utf-8?q?a?= b =?utf-8?q?c?=") == "a b c");
}

TEST_CASE("mime: a character split across two encoded words survives") {
  // "é" is C3 A9: the first word carries C3, the second A9.
  CHECK(DecodeEncodedWords("=?utf-8?B?ww==?= =?utf-8?B?qQ==?=") == "\xc3\xa9");
  CHECK(DecodeEncodedWords("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=") == "caf\xc3\xa9");
  CHECK(DecodeEncodedWords("=?utf-8?B?w6nDqQ==?= =?UTF-8?B?w6k=?=") == "\xc3\xa9\xc3\xa9\xc3\xa9");
}

TEST_CASE("mime: RFC 2231 language suffix on an encoded word's charset is ignored") {
  CHECK(DecodeEncodedWords("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore");
}

TEST_CASE("mime: malformed encoded words are left as written") {
  for (const char* s : {"=?utf-8?x?abc?=", "=??q?abc?=", "=?utf-8?q?abc", "=?utf-8?q?a b?=",
                        "=?utf-8?q?", "=?", "a =? b ?= c", "100% =?"}) {
    CAPTURE(s);
    CHECK(DecodeEncodedWords(s) == s);
  }
}

TEST_CASE("mime: encoded words glued to text are still decoded") {
  CHECK(DecodeEncodedWords("x=?utf-8?q?y?=z") == "xyz");
}

TEST_CASE("mime: raw 8-bit text outside encoded words is kept if UTF-8, else replaced") {
  CHECK(DecodeEncodedWords("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(DecodeEncodedWords("caf\xe9") == "caf" + std::string(kReplacementChar));
  CHECK(DecodeEncodedWords("=?utf-8?q?=FF?=") == std::string(kReplacementChar));
}

TEST_CASE("mime: encoded words with an unknown charset decode as UTF-8") {
  CHECK(DecodeEncodedWords("=?x-unknown-cs?q?caf=C3=A9?=") == "caf\xc3\xa9");
}

TEST_CASE("mime: many unterminated encoded-word openers stay linear") {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "=?a?q?b";
  CHECK(DecodeEncodedWords(s) == s);
}

}  // namespace
}  // namespace slotmail::mime
