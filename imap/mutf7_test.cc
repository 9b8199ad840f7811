#include "imap/mutf7.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

namespace slotmail::imap {
namespace {

using namespace std::string_literals;

std::string Encode(std::string_view utf8) {
  Result<std::string> r = Utf8ToMutf7(utf8);
  REQUIRE(r.ok());
  return r.value();
}

std::string Decode(std::string_view mutf7) {
  Result<std::string> r = Mutf7ToUtf8(mutf7);
  REQUIRE(r.ok());
  return r.value();
}

TEST_CASE("imap mutf7: RFC 3501 5.1.3 example both ways") {
  const std::string mutf7 = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
  const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  CHECK(Decode(mutf7) == utf8);  // ~peter/mail/台北/日本語
  CHECK(Encode(utf8) == mutf7);
}

TEST_CASE("imap mutf7: ASCII, ampersand and other vectors") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"INBOX", "INBOX"},
      {"&", "&-"},
      {"A&B&&", "A&-B&-&-"},
      {" !~", " !~"},
      {"\xc2\xa3", "&AKM-"},                          // £
      {"\xc2\xa3&", "&AKM-&-"},                       // shift then "&-"
      {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},            // Entwürfe
      {"\xd0\x9e\xd1\x82\xd0\xbf", "&BB4EQgQ,-"},     // Отп: '/' spelled ','
      {"\xf0\x9f\x98\x80", "&2D3eAA-"},               // U+1F600, a surrogate pair
      {"a\xf0\x9f\x98\x80z\xc3\xa9", "a&2D3eAA-z&AOk-"},
      {"\t", "&AAk-"},                                // controls are encoded
  };
  for (const auto& [utf8, mutf7] : vectors) {
    CAPTURE(mutf7);
    CHECK(Encode(utf8) == mutf7);
    CHECK(Decode(mutf7) == utf8);
  }
}

TEST_CASE("imap mutf7: malformed modified UTF-7 is refused") {
  for (const std::string& bad : {
           "&"s,              // unterminated
           "abc&U,BTFw"s,     // unterminated shift
           "&AGE-"s,          // encodes 'a', printable ASCII
           "&ACY-"s,          // encodes '&', must be "&-"
           "&U,BTFw-&ZeVnLIqe-"s,  // two shifts back to back: non-canonical
           "&U,BT-"s,         // leftover bits form a partial unit
           "&A-"s,            // 6 bits: no unit at all
           "&AKN-"s,          // non-zero padding bits
           "&U/BTFw-"s,       // '/' is not modified base64
           "&U=BTFw-"s,       // padding is not allowed
           "&2D0-"s,          // unpaired high surrogate
           "&2D0AQQ-"s,       // high surrogate followed by a non-surrogate
           "&3gA-"s,          // unpaired low surrogate
           "\xc3\xa9"s,       // raw 8-bit
           "a\tb"s,           // raw control
           "a\0b"s,           // raw NUL
           "\x7f"s,
       }) {
    CAPTURE(bad);
    Result<std::string> r = Mutf7ToUtf8(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("imap mutf7: invalid UTF-8 cannot be encoded") {
  for (const std::string& bad : {"\xff"s, "\xc0\xaf"s, "\xe0\x80\xaf"s, "\xed\xa0\x80"s,
                                 "\xe6\x97"s, "\xf4\x90\x80\x80"s, "a\x80"s}) {
    CAPTURE(bad);
    CHECK_FALSE(Utf8ToMutf7(bad).ok());
  }
}

TEST_CASE("imap mutf7: random UTF-8 round-trips and decoding is canonical") {
  std::mt19937 rng(7);
  const uint32_t pool[] = {'a', '&', '-', ' ', '~', 0xe9, 0x3b1, 0x53f0, 0xfffd, 0x1f600,
                           0x10ffff, 0x7f, 0x1, 0xd7ff, 0xe000};
  for (int round = 0; round < 500; ++round) {
    std::string utf8;
    const int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      const uint32_t cp = pool[rng() % std::size(pool)];
      if (cp < 0x80) {
        utf8 += static_cast<char>(cp);
      } else if (cp < 0x800) {
        utf8 += static_cast<char>(0xc0 | (cp >> 6));
        utf8 += static_cast<char>(0x80 | (cp & 0x3f));
      } else if (cp < 0x10000) {
        utf8 += static_cast<char>(0xe0 | (cp >> 12));
        utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        utf8 += static_cast<char>(0x80 | (cp & 0x3f));
      } else {
        utf8 += static_cast<char>(0xf0 | (cp >> 18));
        utf8 += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        utf8 += static_cast<char>(0x80 | (cp & 0x3f));
      }
    }
    CAPTURE(utf8);
    const std::string mutf7 = Encode(utf8);
    CHECK(Decode(mutf7) == utf8);
  }
}

}  // namespace
}  // namespace slotmail::imap
