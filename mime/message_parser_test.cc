#include "mime/message_parser.h"

#include <doctest/doctest.h>

#include <string>

#include "common/limits.h"

namespace slotmail::mime {
namespace {

std::string TypeOf(const Part& p) { return p.type + "/" + p.subtype; }

std::string Charset(const Part& p) {
  const Param* c = p.FindParam("charset");
  return c ? c->value : "<none>";
}

TEST_CASE("mime: a message without MIME headers is text/plain us-ascii") {
  std::string msg = "From: a@b\r\nSubject: hi\r\n\r\nline 1\r\nline 2\r\n";
  Message m = ParseMessage(msg);
  CHECK(m.root.kind == Part::Kind::kLeaf);
  CHECK(TypeOf(m.root) == "text/plain");
  CHECK(Charset(m.root) == "us-ascii");
  CHECK(m.root.header.Of(msg) == "From: a@b\r\nSubject: hi\r\n\r\n");
  CHECK(m.root.body.Of(msg) == "line 1\r\nline 2\r\n");
  CHECK(m.root.body_lines == 2);
  CHECK(m.size() == msg.size());
  REQUIRE(m.root.envelope);
  CHECK(m.root.envelope->subject == "hi");
}

TEST_CASE("mime: line counts include a partial last line") {
  CHECK(ParseMessage("A: 1\n\nx").root.body_lines == 1);
  CHECK(ParseMessage("A: 1\n\nx\n").root.body_lines == 1);
  CHECK(ParseMessage("A: 1\n\nx\n\n").root.body_lines == 2);
  CHECK(ParseMessage("A: 1\n\n").root.body_lines == 0);
}

TEST_CASE("mime: MIME fields of a single part") {
  std::string msg =
      "Content-Type: Text/HTML; charset=\"ISO-8859-1\"\r\n"
      "Content-Transfer-Encoding: Quoted-Printable (yes)\r\n"
      "Content-ID: <id1@x>\r\nContent-Description: A page\r\nContent-MD5: Q2hlY2s=\r\n"
      "Content-Location: http://x.test/a\r\n"
      "Content-Disposition: inline; filename=a.html\r\nContent-Language: en, de\r\n\r\n<p>hi";
  Part p = ParseMessage(msg).root;
  CHECK(TypeOf(p) == "Text/HTML");
  CHECK(Charset(p) == "ISO-8859-1");
  CHECK(p.encoding == "Quoted-Printable");
  CHECK(p.id == "<id1@x>");
  CHECK(p.description == "A page");
  CHECK(p.md5 == "Q2hlY2s=");
  CHECK(p.location == "http://x.test/a");
  REQUIRE(p.disposition);
  CHECK(p.disposition->type == "inline");
  CHECK(p.disposition->params[0].value == "a.html");
  CHECK(p.languages == std::vector<std::string>{"en", "de"});
}

TEST_CASE("mime: empty MIME fields count as absent") {
  Part p = ParseMessage("Content-ID:\r\nContent-Transfer-Encoding: \r\n\r\nx").root;
  CHECK_FALSE(p.id);
  CHECK(p.encoding == "");
}

TEST_CASE("mime: an invalid content type gets the RFC 2045 default") {
  Part p = ParseMessage("Content-Type: garbage\r\n\r\nx").root;
  CHECK(TypeOf(p) == "text/plain");
  CHECK(Charset(p) == "us-ascii");
}

TEST_CASE("mime: multipart splits at boundaries, skipping preamble and epilogue") {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
      "preamble\r\n--b1\r\n\r\nfirst\r\n--b1\r\nContent-Type: text/html\r\n\r\n<b>2</b>\r\n"
      "--b1--\r\nepilogue\r\n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.kind == Part::Kind::kMultipart);
  REQUIRE(m.root.children.size() == 2);
  const Part& a = m.root.children[0];
  const Part& b = m.root.children[1];
  CHECK(a.header.Of(msg) == "\r\n");
  CHECK(a.body.Of(msg) == "first");
  CHECK(TypeOf(a) == "text/plain");
  CHECK(b.header.Of(msg) == "Content-Type: text/html\r\n\r\n");
  CHECK(b.body.Of(msg) == "<b>2</b>");
  CHECK(b.body_lines == 1);
  CHECK_FALSE(a.envelope);  // body parts have MIME headers, not message headers
}

TEST_CASE("mime: delimiters at the start of the body, with padding, and in LF mail") {
  std::string msg =
      "Content-Type: multipart/alternative; boundary=zz\n\n--zz \t\nA: 1\n\none\n--zz\n\ntwo\n"
      "--zz-- \n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.children.size() == 2);
  CHECK(m.root.children[0].body.Of(msg) == "one");
  CHECK(m.root.children[1].body.Of(msg) == "two");
}

TEST_CASE("mime: a boundary that prefixes another does not split it") {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n"
      "Content-Type: multipart/mixed; boundary=abc\r\n\r\n--abc\r\n\r\ninner\r\n--abc--\r\n"
      "--ab--\r\n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.children.size() == 1);
  const Part& inner = m.root.children[0];
  REQUIRE(inner.kind == Part::Kind::kMultipart);
  REQUIRE(inner.children.size() == 1);
  CHECK(inner.children[0].body.Of(msg) == "inner");
}

TEST_CASE("mime: a missing close delimiter ends the last part at the end") {
  std::string msg = "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nlast\r\n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.children.size() == 1);
  CHECK(m.root.children[0].body.Of(msg) == "last\r\n");
}

TEST_CASE("mime: multipart without a usable boundary is one text part") {
  for (const char* msg :
       {"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n",
        "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nbody\r\n",
        "Content-Type: multipart/mixed; boundary=never\r\n\r\n--x\r\n\r\nbody\r\n",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\nonly a close\r\n--x--\r\n"}) {
    CAPTURE(msg);
    Message m = ParseMessage(msg);
    CHECK(m.root.kind == Part::Kind::kLeaf);
    CHECK(TypeOf(m.root) == "text/plain");
    CHECK(Charset(m.root) == "us-ascii");
    CHECK(m.root.children.empty());
  }
}

TEST_CASE("mime: message/rfc822 parts are parsed recursively with their envelope") {
  std::string inner =
      "From: x@y\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
      "--i\r\n\r\none\r\n--i\r\n\r\ntwo\r\n--i--\r\n";
  std::string msg = "Subject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
                    "--o\r\n\r\ntext\r\n--o\r\nContent-Type: message/RFC822\r\n\r\n" +
                    inner + "\r\n--o--\r\n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.children.size() == 2);
  const Part& rfc822 = m.root.children[1];
  REQUIRE(rfc822.kind == Part::Kind::kMessage);
  CHECK(rfc822.body.Of(msg) == inner);
  REQUIRE(rfc822.children.size() == 1);
  const Part& nested = rfc822.children[0];
  REQUIRE(nested.envelope);
  CHECK(nested.envelope->subject == "inner");
  CHECK(nested.header.Of(msg).starts_with("From: x@y"));
  REQUIRE(nested.children.size() == 2);
  CHECK(nested.children[1].body.Of(msg) == "two");
}

TEST_CASE("mime: parts of multipart/digest default to message/rfc822") {
  std::string msg =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n"
      "--d\r\nContent-Type: text/plain\r\n\r\nnot a message\r\n--d--\r\n";
  Message m = ParseMessage(msg);
  REQUIRE(m.root.children.size() == 2);
  CHECK(m.root.children[0].kind == Part::Kind::kMessage);
  CHECK(m.root.children[0].children[0].envelope->subject == "one");
  CHECK(m.root.children[1].kind == Part::Kind::kLeaf);
}

TEST_CASE("mime: message/global stays a leaf") {
  Message m = ParseMessage("Content-Type: message/global\r\n\r\nSubject: x\r\n\r\ny");
  CHECK(m.root.kind == Part::Kind::kLeaf);
}

TEST_CASE("mime: nesting beyond the depth limit becomes one opaque leaf") {
  std::string msg;
  size_t levels = limits::kMaxMimeDepth + 5;
  for (size_t i = 0; i < levels; ++i) {
    msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
           std::to_string(i) + "\r\n";
  }
  msg += "\r\ndeep text\r\n";
  Message m = ParseMessage(msg);
  const Part* p = &m.root;
  size_t depth = 0;
  while (p->kind == Part::Kind::kMultipart) {
    REQUIRE(p->children.size() == 1);
    p = &p->children[0];
    ++depth;
  }
  CHECK(depth == limits::kMaxMimeDepth);
  CHECK(TypeOf(*p) == "application/octet-stream");
  CHECK(p->body.end == msg.size());
}

TEST_CASE("mime: nested message/rfc822 beyond the depth limit becomes opaque") {
  std::string msg;
  for (size_t i = 0; i < limits::kMaxMimeDepth + 3; ++i) msg += "Content-Type: message/rfc822\r\n\r\n";
  msg += "Subject: bottom\r\n\r\nx";
  Message m = ParseMessage(msg);
  const Part* p = &m.root;
  size_t depth = 0;
  while (p->kind == Part::Kind::kMessage) {
    p = &p->children[0];
    ++depth;
  }
  CHECK(depth == limits::kMaxMimeDepth);
  CHECK(TypeOf(*p) == "application/octet-stream");
}

size_t CountParts(const Part& p) {
  size_t n = 1;
  for (const Part& c : p.children) n += CountParts(c);
  return n;
}

TEST_CASE("mime: parts beyond the part limit are left unsplit") {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (size_t i = 0; i < limits::kMaxMimeParts + 100; ++i) msg += "--p\r\n\r\nx\r\n";
  msg += "--p--\r\n";
  Message m = ParseMessage(msg);
  CHECK(CountParts(m.root) == limits::kMaxMimeParts);
  CHECK(m.root.children.size() == limits::kMaxMimeParts - 1);
}

TEST_CASE("mime: the part limit also stops expansion of later containers") {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (size_t i = 0; i < limits::kMaxMimeParts - 2; ++i) msg += "--p\r\n\r\nx\r\n";
  msg += "--p\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\ny\r\n--q--\r\n--p--\r\n";
  Message m = ParseMessage(msg);
  CHECK(CountParts(m.root) == limits::kMaxMimeParts);
  CHECK(TypeOf(m.root.children.back()) == "application/octet-stream");
}

TEST_CASE("mime: empty and header-only messages") {
  Message empty = ParseMessage("");
  CHECK(empty.root.header.size() == 0);
  CHECK(empty.root.body.size() == 0);
  CHECK(TypeOf(empty.root) == "text/plain");
  std::string h = "Subject: only\r\nFrom: a@b\r\n";
  Message only = ParseMessage(h);
  CHECK(only.root.header.Of(h) == h);
  CHECK(only.root.body.begin == h.size());
  CHECK(only.root.body_lines == 0);
  CHECK(only.root.envelope->subject == "only");
}

}  // namespace
}  // namespace slotmail::mime
