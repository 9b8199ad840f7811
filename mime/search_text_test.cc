#include "mime/search_text.h"

#include <doctest/doctest.h>

#include <string>

#include "mime/message_parser.h"

namespace slotmail::mime {
namespace {

TEST_CASE("mime: part text decodes transfer encoding and charset") {
  std::string msg =
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 cr=\r\nme\r\n";
  Message m = ParseMessage(msg);
  CHECK(PartText(msg, m.root) == "caf\xc3\xa9 crme\r\n");  // soft break joins
}

TEST_CASE("mime: part text of base64 UTF-8") {
  std::string msg =
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"
      "w6l0w6kK\r\n";
  CHECK(PartText(msg, ParseMessage(msg).root) == "\xc3\xa9t\xc3\xa9\n");
}

TEST_CASE("mime: searchable body covers text leaves, nested messages included") {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\n\x80 price\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: fwd\r\n\r\nforwarded words\r\n"
      "--b--\r\n";
  Message m = ParseMessage(msg);
  CHECK(SearchableBody(msg, m) == "\xe2\x82\xac price\nforwarded words\n");
  CHECK(PartText(msg, m.root) == "");
}

}  // namespace
}  // namespace slotmail::mime
