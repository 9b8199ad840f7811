#include "mime/charset.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::mime {
namespace {

using namespace std::string_literals;

const std::string kFffd(kReplacementChar);

TEST_CASE("mime: UTF-8 validation refuses overlongs, surrogates and out-of-range") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xc3"));              // truncated
  CHECK_FALSE(IsValidUtf8("\xff"));
}

TEST_CASE("mime: sanitizing replaces each bad byte and keeps good sequences") {
  CHECK(SanitizeUtf8("ok") == "ok");
  CHECK(SanitizeUtf8("a\xff" "b") == "a" + kFffd + "b");
  CHECK(SanitizeUtf8("\xc3\xa9\xc3") == "\xc3\xa9" + kFffd);
  CHECK(SanitizeUtf8("\0"s) == "\0"s);
}

TEST_CASE("mime: charsets convert to UTF-8 through iconv") {
  CHECK(ToUtf8("caf\xe9", "iso-8859-1") == "caf\xc3\xa9");
  CHECK(ToUtf8("caf\xe9", "ISO-8859-1") == "caf\xc3\xa9");
  CHECK(ToUtf8("\x80", "windows-1252") == "\xe2\x82\xac");
  CHECK(ToUtf8("\xa4", "iso-8859-15") == "\xe2\x82\xac");
  CHECK(ToUtf8("\xc4\xe3", "gb2312") == "\xe4\xbd\xa0");  // 你
  CHECK(ToUtf8("\x82\xa0", "shift_jis") == "\xe3\x81\x82");  // あ
  CHECK(ToUtf8("\x1b$B$\"\x1b(B", "ISO-2022-JP") == "\xe3\x81\x82");
  CHECK(ToUtf8("\xf0\xc1", "koi8-r") == "\xd0\x9f\xd0\xb0");  // Па
  CHECK(ToUtf8("\xff\xfe" "A\0"s, "utf-16") == "A");
}

TEST_CASE("mime: utf-8, us-ascii and empty charsets sanitize instead of converting") {
  CHECK(ToUtf8("caf\xc3\xa9", "utf-8") == "caf\xc3\xa9");
  CHECK(ToUtf8("caf\xc3\xa9", "us-ascii") == "caf\xc3\xa9");  // mislabelled UTF-8 survives
  CHECK(ToUtf8("caf\xe9", "us-ascii") == "caf" + kFffd);
  CHECK(ToUtf8("caf\xe9", "") == "caf" + kFffd);
  CHECK(ToUtf8("x", "\"UTF-8\"") == "x");
}

TEST_CASE("mime: invalid bytes in a known charset become U+FFFD") {
  // 0x81 is undefined in windows-1252.
  CHECK(ToUtf8("a\x81" "b", "windows-1252") == "a" + kFffd + "b");
  // A Shift_JIS lead byte at the very end.
  CHECK(ToUtf8("a\x82", "shift_jis") == "a" + kFffd);
}

TEST_CASE("mime: unknown or hostile charset names fall back to UTF-8") {
  CHECK(ToUtf8("caf\xc3\xa9", "x-no-such-charset") == "caf\xc3\xa9");
  CHECK(ToUtf8("abc", "UTF-8//TRANSLIT") == "abc");
  CHECK(ToUtf8("abc", "../../etc/passwd") == "abc");
  CHECK(ToUtf8("abc", std::string(500, 'a')) == "abc");
  CHECK_FALSE(IsKnownCharset("x-no-such-charset"));
  CHECK_FALSE(IsKnownCharset("UTF-8//IGNORE"));
  CHECK(IsKnownCharset("iso-8859-2"));
  CHECK(IsKnownCharset("us-ascii"));
}

}  // namespace
}  // namespace slotmail::mime
