#include "common/base64.h"

#include <doctest/doctest.h>

using slotmail::Base64Decode;
using slotmail::Base64Encode;

TEST_CASE("base64: RFC 4648 test vectors both ways") {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    CHECK(Base64Encode(plain) == encoded);
    auto d = Base64Decode(encoded);
    REQUIRE(d.ok());
    CHECK(*d == plain);
  }
  std::string with_nul("\0user\0pass", 10);
  CHECK(*Base64Decode(Base64Encode(with_nul)) == with_nul);
}

TEST_CASE("base64: strict decoding refuses malformed input") {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!", "Zg==Zg==", "=Zg=", "Zm 9v"}) {
    CAPTURE(bad);
    CHECK_FALSE(Base64Decode(bad).ok());
  }
}
