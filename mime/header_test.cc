#include "mime/header.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::mime {
namespace {

TEST_CASE("mime: the header ends at the first empty line, CRLF or LF") {
  CHECK(FindBodyStart("A: 1\r\nB: 2\r\n\r\nbody") == 14);
  CHECK(FindBodyStart("A: 1\nB: 2\n\nbody") == 11);
  CHECK(FindBodyStart("A: 1\r\n\nbody") == 7);  // mixed
  CHECK(FindBodyStart("\r\nbody") == 2);       // empty header
  CHECK(FindBodyStart("\nbody") == 1);
  CHECK(FindBodyStart("A: 1\r\nB: 2\r\n") == 12);  // no blank line: all header
  CHECK(FindBodyStart("A: 1") == 4);
  CHECK(FindBodyStart("") == 0);
  CHECK(FindBodyStart("A: 1\r\n \r\nB: 2\r\n\r\n") == 17);  // whitespace-only line is a fold
}

TEST_CASE("mime: fields keep raw folded values and give unfolded ones") {
  std::string block = "Subject: hello\r\n  world\r\nX-Empty:\r\nTo:a@b\r\n\r\n";
  std::vector<HeaderField> f = ParseHeaderFields(block);
  REQUIRE(f.size() == 3);
  CHECK(f[0].name == "Subject");
  CHECK(f[0].raw == " hello\r\n  world");
  CHECK(f[0].value == "hello  world");
  CHECK(f[0].range.Of(block) == "Subject: hello\r\n  world\r\n");
  CHECK(f[1].name == "X-Empty");
  CHECK(f[1].raw == "");
  CHECK(f[1].value == "");
  CHECK(f[2].value == "a@b");
  CHECK(Unfold("a\r\n b\n\tc") == "a b\tc");
}

TEST_CASE("mime: fields in LF-only headers and a final field without a line end") {
  std::vector<HeaderField> f = ParseHeaderFields("A: 1\nB: two\n  lines");
  REQUIRE(f.size() == 2);
  CHECK(f[1].raw == " two\n  lines");
  CHECK(f[1].value == "two  lines");
  CHECK(f[1].range.end == 19);
}

TEST_CASE("mime: lines that are not fields are skipped") {
  std::string block = "From junk line\r\n continuation of nothing\r\nA: 1\r\n: no name\r\n"
                      "bad name: x\r\nB : spaced\r\n\r\n";
  std::vector<HeaderField> f = ParseHeaderFields(block);
  REQUIRE(f.size() == 2);
  CHECK(f[0].name == "A");
  CHECK(f[1].name == "B");  // obs-optional: WSP before the colon
  CHECK(f[1].value == "spaced");
  f = ParseHeaderFields(" leading fold\r\nC: 3\r\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].name == "C");
}

TEST_CASE("mime: field lookup is case-insensitive and finds the first") {
  std::vector<HeaderField> f = ParseHeaderFields("x-a: 1\r\nX-A: 2\r\n\r\n");
  REQUIRE(FindField(f, "X-a") != nullptr);
  CHECK(FindField(f, "X-a")->value == "1");
  CHECK(FindField(f, "x-b") == nullptr);
}

TEST_CASE("mime: HEADER.FIELDS keeps original bytes and order and ends with the blank line") {
  std::string block =
      "Received: x\r\nSubject: Hi\r\n there\r\nfrom: a@b\r\nTo: c@d\r\nFROM: again\r\n\r\n";
  CHECK(ExtractHeaderFields(block, {"From", "subject"}, false) ==
        "Subject: Hi\r\n there\r\nfrom: a@b\r\nFROM: again\r\n\r\n");
  CHECK(ExtractHeaderFields(block, {"From", "subject"}, true) == "Received: x\r\nTo: c@d\r\n\r\n");
  CHECK(ExtractHeaderFields(block, {"X-None"}, false) == "\r\n");
  CHECK(ExtractHeaderFields(block, {}, true) == block);
}

TEST_CASE("mime: HEADER.FIELDS matches names exactly, not by prefix") {
  std::string block = "Subject: a\r\nSubjects: b\r\nSub: c\r\n\r\n";
  CHECK(ExtractHeaderFields(block, {"Subject"}, false) == "Subject: a\r\n\r\n");
}

TEST_CASE("mime: HEADER.FIELDS of an LF message keeps LF") {
  CHECK(ExtractHeaderFields("A: 1\nB: 2\n\n", {"b"}, false) == "B: 2\n\n");
}

TEST_CASE("mime: HEADER.FIELDS invents no blank line for a message without one") {
  CHECK(ExtractHeaderFields("A: 1\r\nB: 2\r\n", {"a"}, false) == "A: 1\r\n");
  CHECK(ExtractHeaderFields("A: 1\r\nB: 2", {"b"}, false) == "B: 2");
  CHECK(ExtractHeaderFields("", {"a"}, false) == "");
  CHECK(ExtractHeaderFields("\r\n", {"a"}, false) == "\r\n");
}

}  // namespace
}  // namespace slotmail::mime
