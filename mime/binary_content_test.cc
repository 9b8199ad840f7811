#include "mime/binary_content.h"

#include <doctest/doctest.h>

#include <string>

#include "mime/message_parser.h"
#include "mime/transfer.h"

namespace slotmail::mime {
namespace {

using namespace std::string_literals;

std::string Encoded(std::string message) {
  EncodeBinaryParts(&message);
  return message;
}

// Issue 14 point 3: RFC 3516 4.4 lets APPEND change a part's transfer
// encoding without losing data; RFC 9051 4.3.1 wants binary data in a
// textual form outside FETCH BINARY.
TEST_CASE("mime: a leaf holding NUL becomes base64 and decodes to the same octets (RFC 3516 4.4)") {
  const std::string body = "\x01\x00\x02 raw\r\n"s;
  const std::string msg = "Subject: x\r\nContent-Transfer-Encoding: binary\r\n\r\n" + body;
  const std::string out = Encoded(msg);
  CHECK(out.find('\0') == std::string::npos);
  CHECK(out.rfind("Subject: x\r\nContent-Transfer-Encoding: base64\r\n\r\n", 0) == 0);
  const Message parsed = ParseMessage(out);
  CHECK(parsed.root.encoding == "base64");
  CHECK(DecodeTransfer(parsed.root.body.Of(out), parsed.root.encoding) == body);
  CHECK(Encoded(out) == out);  // idempotent
}

TEST_CASE("mime: only the binary parts of a multipart change (RFC 3516 4.4)") {
  const std::string blob = "A\x00"s + std::string(100, 'b');
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=XX\r\n\r\npre\r\n"
      "--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--XX\r\nContent-Transfer-Encoding:\r\n binary\r\nContent-Type: application/x-b\r\n\r\n" +
      blob +
      "\r\n--XX\r\n\r\n\x00\r\n"s
      "--XX--\r\n";
  const std::string out = Encoded(msg);
  CHECK(out.find('\0') == std::string::npos);
  const Message parsed = ParseMessage(out);
  REQUIRE(parsed.root.children.size() == 3);
  CHECK(parsed.root.children[0].body.Of(out) == "hello");
  const Part& bin = parsed.root.children[1];
  CHECK(bin.encoding == "base64");
  CHECK(bin.IsType("application", "x-b"));
  CHECK(bin.header.Of(out) ==
        "Content-Type: application/x-b\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  CHECK(DecodeTransfer(bin.body.Of(out), "base64") == blob);
  CHECK(DecodeTransfer(parsed.root.children[2].body.Of(out), "base64") == "\x00"s);
  for (std::string_view line : {"pre\r\n", "--XX--\r\n"}) CHECK(out.find(line) != std::string::npos);
}

TEST_CASE("mime: NUL outside a decodable leaf body is left alone") {
  const std::string in_header = "Subject: a\x00" "b\r\n\r\nbody\r\n"s;
  CHECK(Encoded(in_header) == in_header);
  const std::string unknown = "Content-Transfer-Encoding: x-uuencode\r\n\r\n\x00\r\n"s;
  CHECK(Encoded(unknown) == unknown);
  CHECK(Encoded("Subject: plain\r\n\r\nbody\r\n") == "Subject: plain\r\n\r\nbody\r\n");
}

}  // namespace
}  // namespace slotmail::mime
