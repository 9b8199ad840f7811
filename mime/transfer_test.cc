#include "mime/transfer.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::mime {
namespace {

using namespace std::string_literals;

TEST_CASE("mime: base64 decodes RFC 4648 test vectors") {
  CHECK(DecodeBase64("") == "");
  CHECK(DecodeBase64("Zg==") == "f");
  CHECK(DecodeBase64("Zm8=") == "fo");
  CHECK(DecodeBase64("Zm9v") == "foo");
  CHECK(DecodeBase64("Zm9vYg==") == "foob");
  CHECK(DecodeBase64("Zm9vYmE=") == "fooba");
  CHECK(DecodeBase64("Zm9vYmFy") == "foobar");
  CHECK(DecodeBase64("AP8A/w==") == "\0\xff\0\xff"s);
  CHECK(DecodeBase64("+/+/") == "\xfb\xff\xbf");
}

TEST_CASE("mime: base64 tolerates whitespace, line breaks and missing padding") {
  CHECK(DecodeBase64("Zm9v\r\nYmFy\r\n") == "foobar");
  CHECK(DecodeBase64("  Zm 9v\tYm\nFy  ") == "foobar");
  CHECK(DecodeBase64("Zm9vYg") == "foob");
  CHECK(DecodeBase64("Zm9vYmE") == "fooba");
  CHECK(DecodeBase64("Zm9vY") == "foo");  // a lone trailing sextet is dropped
  CHECK(DecodeBase64("Zm9v!!YmFy*") == "foobar");  // junk is skipped
}

TEST_CASE("mime: base64 decodes concatenated padded blocks") {
  CHECK(DecodeBase64("Zg==Zm8=") == "ffo");
  CHECK(DecodeBase64("Zg==\r\nZm9v") == "ffoo");
}

TEST_CASE("mime: quoted-printable decodes hex escapes in either case") {
  CHECK(DecodeQuotedPrintable("caf=C3=A9") == "caf\xc3\xa9");
  CHECK(DecodeQuotedPrintable("caf=c3=a9") == "caf\xc3\xa9");
  CHECK(DecodeQuotedPrintable("a=3Db") == "a=b");
  CHECK(DecodeQuotedPrintable("=00") == "\0"s);
}

TEST_CASE("mime: quoted-printable soft line breaks join lines") {
  CHECK(DecodeQuotedPrintable("long=\r\nline") == "longline");
  CHECK(DecodeQuotedPrintable("long=\nline") == "longline");
  CHECK(DecodeQuotedPrintable("long= \t\r\nline") == "longline");  // padding after '='
  CHECK(DecodeQuotedPrintable("end=") == "end");
  CHECK(DecodeQuotedPrintable("end=  ") == "end");
}

TEST_CASE("mime: quoted-printable keeps hard line breaks and drops trailing whitespace") {
  CHECK(DecodeQuotedPrintable("a\r\nb\nc") == "a\r\nb\nc");
  CHECK(DecodeQuotedPrintable("a  \r\nb\t\nc ") == "a\r\nb\nc");
  CHECK(DecodeQuotedPrintable("a b\tc") == "a b\tc");
}

TEST_CASE("mime: quoted-printable keeps malformed escapes as written") {
  CHECK(DecodeQuotedPrintable("100% =ZZ =4") == "100% =ZZ =4");
  CHECK(DecodeQuotedPrintable("a=\rb") == "a=\rb");
  CHECK(DecodeQuotedPrintable("=") == "");
}

TEST_CASE("mime: transfer decoding picks the decoder by token, any case") {
  CHECK(DecodeTransfer("Zm9v", "BASE64") == "foo");
  CHECK(DecodeTransfer("Zm9v", "base64") == "foo");
  CHECK(DecodeTransfer("a=3D", "Quoted-Printable") == "a=");
  CHECK(DecodeTransfer("a=3D", "7bit") == "a=3D");
  CHECK(DecodeTransfer("a=3D", "") == "a=3D");
  CHECK(DecodeTransfer("a=3D", "x-uuencode") == "a=3D");
}

}  // namespace
}  // namespace slotmail::mime
