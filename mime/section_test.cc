#include "mime/section.h"

#include <doctest/doctest.h>

#include <string>

#include "mime/header.h"
#include "mime/message_parser.h"

namespace slotmail::mime {
namespace {

// RFC 3501 6.4.5's example shape: 1 text, 2 octet-stream, 3 message/rfc822
// (holding a multipart of 3.1 text and 3.2 octet-stream), 4 multipart (4.1
// image, 4.2 message/rfc822 holding a single text part).
const std::string kComplex =
    "Subject: top\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    "--outer\r\nContent-Type: text/plain\r\n\r\npart one\r\n"
    "--outer\r\nContent-Type: application/octet-stream\r\n\r\nAAEC\r\n"
    "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
    "Subject: three\r\nContent-Type: multipart/mixed; boundary=\"in3\"\r\n\r\n"
    "--in3\r\nContent-Type: text/plain\r\n\r\nthree.one\r\n"
    "--in3\r\nContent-Type: application/octet-stream\r\n\r\nthree.two\r\n"
    "--in3--\r\n"
    "\r\n--outer\r\nContent-Type: multipart/mixed; boundary=\"in4\"\r\n\r\n"
    "--in4\r\nContent-Type: image/gif\r\n\r\nGIF89a\r\n"
    "--in4\r\nContent-Type: message/rfc822\r\n\r\nSubject: four.two\r\n\r\nfour.two body\r\n"
    "--in4--\r\n"
    "--outer--\r\n";

std::string Slice(const std::string& msg, std::vector<uint32_t> path, SectionText t) {
  Result<Range> r = ResolveSection(ParseMessage(msg), path, t);
  if (!r.ok()) return std::string("<") + CodeName(r.status().code()) + ">";
  return std::string(r->Of(msg));
}

using S = SectionText;

TEST_CASE("mime: top-level sections BODY[], HEADER and TEXT") {
  CHECK(Slice(kComplex, {}, S::kNone) == kComplex);
  CHECK(Slice(kComplex, {}, S::kHeader) ==
        "Subject: top\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
  CHECK(Slice(kComplex, {}, S::kText) == kComplex.substr(kComplex.find("--outer")));
  CHECK(Slice(kComplex, {}, S::kMime) == "<InvalidArgument>");
}

TEST_CASE("mime: numbered parts return their bodies, MIME their headers") {
  CHECK(Slice(kComplex, {1}, S::kNone) == "part one");
  CHECK(Slice(kComplex, {1}, S::kMime) == "Content-Type: text/plain\r\n\r\n");
  CHECK(Slice(kComplex, {2}, S::kNone) == "AAEC");
  CHECK(Slice(kComplex, {4, 1}, S::kNone) == "GIF89a");
  CHECK(Slice(kComplex, {4, 1}, S::kMime) == "Content-Type: image/gif\r\n\r\n");
  CHECK(Slice(kComplex, {4}, S::kMime) ==
        "Content-Type: multipart/mixed; boundary=\"in4\"\r\n\r\n");
  CHECK(Slice(kComplex, {4}, S::kNone).starts_with("--in4\r\n"));
}

TEST_CASE("mime: a message/rfc822 part and the parts inside it") {
  std::string three = Slice(kComplex, {3}, S::kNone);
  CHECK(three.starts_with("Subject: three\r\n"));
  CHECK(three.ends_with("--in3--\r\n"));
  CHECK(Slice(kComplex, {3}, S::kHeader) ==
        "Subject: three\r\nContent-Type: multipart/mixed; boundary=\"in3\"\r\n\r\n");
  CHECK(Slice(kComplex, {3}, S::kText).starts_with("--in3\r\n"));
  CHECK(Slice(kComplex, {3, 1}, S::kNone) == "three.one");
  CHECK(Slice(kComplex, {3, 2}, S::kNone) == "three.two");
  CHECK(Slice(kComplex, {3, 2}, S::kMime) == "Content-Type: application/octet-stream\r\n\r\n");
  // An encapsulated message that is not multipart has exactly part 1, its body.
  CHECK(Slice(kComplex, {4, 2, 1}, S::kNone) == "four.two body");
  CHECK(Slice(kComplex, {4, 2}, S::kHeader) == "Subject: four.two\r\n\r\n");
  CHECK(Slice(kComplex, {4, 2}, S::kText) == "four.two body");
}

TEST_CASE("mime: HEADER and TEXT need a message/rfc822 part") {
  CHECK(Slice(kComplex, {1}, S::kHeader) == "<InvalidArgument>");
  CHECK(Slice(kComplex, {4}, S::kText) == "<InvalidArgument>");
}

TEST_CASE("mime: parts that do not exist are NotFound") {
  CHECK(Slice(kComplex, {5}, S::kNone) == "<NotFound>");
  CHECK(Slice(kComplex, {0}, S::kNone) == "<NotFound>");
  CHECK(Slice(kComplex, {1, 1}, S::kNone) == "<NotFound>");
  CHECK(Slice(kComplex, {3, 3}, S::kNone) == "<NotFound>");
  CHECK(Slice(kComplex, {4, 2, 2}, S::kNone) == "<NotFound>");
  CHECK(Slice(kComplex, {4, 1, 1}, S::kMime) == "<NotFound>");
}

TEST_CASE("mime: a single-part message has part 1, its body") {
  std::string msg = "Subject: s\nContent-Type: text/plain\n\nhello\n";
  CHECK(Slice(msg, {1}, S::kNone) == "hello\n");
  CHECK(Slice(msg, {1}, S::kMime) == "Subject: s\nContent-Type: text/plain\n\n");
  CHECK(Slice(msg, {2}, S::kNone) == "<NotFound>");
  CHECK(Slice(msg, {1, 1}, S::kNone) == "<NotFound>");
  CHECK(Slice(msg, {}, S::kText) == "hello\n");
}

TEST_CASE("mime: header sections of a message without a body have no blank line") {
  std::string msg = "Subject: s\r\nFrom: a@b\r\n";
  CHECK(Slice(msg, {}, S::kHeader) == msg);
  CHECK(Slice(msg, {}, S::kText) == "");
  Range h = ResolveSection(ParseMessage(msg), {}, S::kHeader).value();
  CHECK(ExtractHeaderFields(h.Of(msg), {"from"}, false) == "From: a@b\r\n");
}

TEST_CASE("mime: HEADER.FIELDS of an encapsulated message") {
  Range h = ResolveSection(ParseMessage(kComplex), {3}, S::kHeader).value();
  CHECK(ExtractHeaderFields(h.Of(kComplex), {"SUBJECT"}, false) == "Subject: three\r\n\r\n");
}

}  // namespace
}  // namespace slotmail::mime
