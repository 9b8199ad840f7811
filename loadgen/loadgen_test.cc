#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "loadgen/corpus.h"
#include "loadgen/response.h"
#include "loadgen/workload.h"

namespace slotmail::loadgen {
namespace {

const char kStream[] =
    "* 3 EXISTS\r\n"
    "* 1 FETCH (UID 7 RFC822.SIZE 5 BODY[] {5}\r\nab\r\nc)\r\n"
    "a1 OK done\r\n";

TEST_CASE("loadgen: responses are framed the same fed whole or one byte at a time") {
  std::vector<std::string> whole, bytes;
  ResponseReader r1, r2;
  r1.Feed(kStream, &whole);
  std::string s(kStream);
  for (char c : s) r2.Feed(std::string_view(&c, 1), &bytes);
  REQUIRE(whole.size() == 3);
  CHECK(whole == bytes);
  CHECK(whole[1] == "* 1 FETCH (UID 7 RFC822.SIZE 5 BODY[] {5}\r\nab\r\nc)");
  CHECK(LiteralAfter(whole[1], "BODY[]") == std::string_view("ab\r\nc"));
  CHECK(NumberAfter(whole[1], "RFC822.SIZE") == 5u);
  CHECK(NumberAfter(whole[1], "UID") == 7u);
  CHECK(UntaggedNumber(whole[0], "EXISTS") == 3u);
  CHECK(UntaggedNumber(whole[1], "FETCH") == 1u);
  CHECK(!UntaggedNumber(whole[0], "EXPUNGE"));
}

TEST_CASE("loadgen: literal announcements") {
  CHECK(TrailingLiteral("* 1 FETCH (BODY[] {12}") == 12u);
  CHECK(TrailingLiteral("a APPEND x {3+}") == 3u);
  CHECK(!TrailingLiteral("* OK {x}"));
  CHECK(!TrailingLiteral("* OK done"));
}

TEST_CASE("loadgen: the corpus is deterministic and names its own entries") {
  Corpus a(7, 40), b(7, 40), other(8, 40);
  size_t small = 0, big = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a.Message(i) == b.Message(i));
    CHECK(a.IndexOf(a.Message(i)) == long(i));
    CHECK(other.IndexOf(a.Message(i)) == -1);
    CHECK(a.Message(i).find("\n.") == std::string::npos);  // no dot-stuffing needed
    small += a.Message(i).size() < 10000;
    big += a.Message(i).size() > 40000;
  }
  CHECK(small > big);  // mostly small, a tail of large ones
  CHECK(a.Message(0) != a.Message(1));
  std::string sized = GenerateSized(3, 4096);
  CHECK(sized.size() == 4096);
  CHECK(sized.substr(4094) == "\r\n");
}

TEST_CASE("loadgen: weights parse and pick only weighted operations") {
  Weights w;
  CHECK(w.Parse("list=0,status=0,select=0,fetch=0,body=0,store=0,expunge=0,append=0,"
                "logout=0").code() == Code::kInvalidArgument);
  Weights only;
  REQUIRE(only.Parse("list=0,status=0,select=0,fetch=1,body=0,store=0,expunge=0,append=0,"
                     "logout=0").ok());
  Rng rng(1);
  for (int i = 0; i < 100; ++i) CHECK(only.Pick(&rng) == Op::kFetch);
  CHECK(!Weights().Parse("login=3").ok());
  CHECK(!Weights().Parse("fetch=x").ok());
  CHECK(!Weights().Parse("nosuch=1").ok());
}

}  // namespace
}  // namespace slotmail::loadgen
