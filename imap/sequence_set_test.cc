#include "imap/sequence_set.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace slotmail::imap {
namespace {

SequenceSet Set(std::string_view text) {
  Result<SequenceSet> r = SequenceSet::Parse(text);
  REQUIRE(r.ok());
  return r.value();
}

// Resolve(max) rendered compactly, "" if empty.
std::string Resolved(std::string_view text, uint32_t max) {
  return FormatRanges(Set(text).Resolve(max));
}

TEST_CASE("imap sequence set: parses RFC 3501 forms and keeps them as written") {
  for (const char* text : {"1", "1:3", "1:3,5,7:*", "*", "*:4", "4:2", "$", "1,$,3:*",
                           "4294967295", "1:4294967295", "2,2,2"}) {
    CAPTURE(text);
    CHECK(Set(text).ToString() == text);
  }
  CHECK(Set("3:3").ToString() == "3");
  CHECK(Set("$").uses_saved());
  CHECK_FALSE(Set("1:*").uses_saved());
  const std::vector<SequenceSet::Element> e = Set("5:*").elements();
  REQUIRE(e.size() == 1);
  CHECK(e[0].first == 5);
  CHECK(e[0].last == SequenceSet::kStar);
}

TEST_CASE("imap sequence set: malformed sets are refused") {
  for (const char* text : {"", "0", "01", "1:0", "1:", ":1", ":", "1,,2", "1,", ",1", "a",
                           "1:2:3", "4294967296", "99999999999999999999", "1 2", "-1", "$:1",
                           "$$", "1.5", "*1", "+1"}) {
    CAPTURE(text);
    Result<SequenceSet> r = SequenceSet::Parse(text);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("imap sequence set: Resolve turns * into the largest number in use") {
  CHECK(Resolved("1:3,5,7:*", 10) == "1:3,5,7:10");
  CHECK(Resolved("*", 10) == "10");
  CHECK(Resolved("1:*", 1) == "1");
  // A range is unordered: "*:4" == "4:*", "4:2" == "2:4".
  CHECK(Resolved("*:4", 10) == "4:10");
  CHECK(Resolved("4:2", 10) == "2:4");
  // "n:*" with n beyond the end still covers the last message (RFC 9051 6.4.9).
  CHECK(Resolved("559:*", 100) == "100");
  CHECK(Resolved("7:*", 6) == "6");
  // Explicit numbers beyond the end name nothing; ranges are clipped.
  CHECK(Resolved("20", 10) == "");
  CHECK(Resolved("20:30", 10) == "");
  CHECK(Resolved("8:30", 10) == "8:10");
  // An empty mailbox: nothing, whatever the set says.
  CHECK(Resolved("*", 0) == "");
  CHECK(Resolved("1:*", 0) == "");
  // Sorted, merged when overlapping or adjacent.
  CHECK(Resolved("9,1:5,3:8", 20) == "1:9");
  CHECK(Resolved("5,4,3,1", 20) == "1,3:5");
  CHECK(Resolved("1:4294967295", 4294967295u) == "1:4294967295");
  CHECK(Resolved("4294967295,*", 4294967295u) == "4294967295");
  // "$" contributes nothing until replaced.
  CHECK(Resolved("$", 10) == "");
  CHECK(Resolved("$,2", 10) == "2");
}

TEST_CASE("imap sequence set: Contains agrees with Resolve") {
  for (const char* text : {"1:3,5,7:*", "*", "4:2", "*:4", "9,1:5,3:8", "12:*", "$,3"}) {
    for (uint32_t max : {0u, 1u, 3u, 6u, 10u, 12u, 15u}) {
      const std::vector<SeqRange> ranges = Set(text).Resolve(max);
      for (uint32_t n = 0; n <= 16; ++n) {
        bool in = false;
        for (const SeqRange& r : ranges) in = in || (r.lo <= n && n <= r.hi);
        CAPTURE(text);
        CAPTURE(max);
        CAPTURE(n);
        CHECK(Set(text).Contains(n, max) == in);
      }
    }
  }
}

TEST_CASE("imap sequence set: FitsWithin flags sequence numbers past the end") {
  CHECK(Set("1:5").FitsWithin(5));
  CHECK_FALSE(Set("1:6").FitsWithin(5));
  CHECK_FALSE(Set("6:*").FitsWithin(5));
  CHECK(Set("1:*").FitsWithin(1));
  CHECK_FALSE(Set("*").FitsWithin(0));  // "*" in an empty mailbox (RFC 9051 9)
  CHECK_FALSE(Set("1").FitsWithin(0));
  CHECK(Set("$").FitsWithin(0));
}

TEST_CASE("imap sequence set: ReplaceSaved and FromRanges") {
  const SequenceSet saved = SequenceSet::FromRanges({{2, 4}, {9, 9}});
  CHECK(saved.ToString() == "2:4,9");
  CHECK(Set("$").ReplaceSaved(saved).ToString() == "2:4,9");
  CHECK(Set("1,$,*").ReplaceSaved(saved).ToString() == "1,2:4,9,*");
  CHECK(Set("$").ReplaceSaved(SequenceSet()).ToString() == "");
  CHECK(Set("$").ReplaceSaved(SequenceSet()).Resolve(10).empty());
}

TEST_CASE("imap sequence set: FormatNumbers is compact and ordered") {
  CHECK(FormatNumbers({}) == "");
  CHECK(FormatNumbers({7}) == "7");
  CHECK(FormatNumbers({5, 1, 2, 3, 3}) == "1:3,5");
  CHECK(FormatNumbers({1, 3, 5}) == "1,3,5");
  CHECK(FormatNumbers({4294967295u, 4294967294u, 1}) == "1,4294967294:4294967295");
  CHECK(FormatRanges({{5, 3}, {1, 1}, {2, 2}, {7, 9}, {8, 12}}) == "1:5,7:12");
  // Round trip through Parse.
  const std::string text = FormatNumbers({10, 11, 12, 20, 22, 23});
  CHECK(text == "10:12,20,22:23");
  CHECK(FormatRanges(Set(text).Resolve(100)) == text);
}

}  // namespace
}  // namespace slotmail::imap
