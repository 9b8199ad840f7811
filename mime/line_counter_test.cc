#include "mime/line_counter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

namespace slotmail::mime {
namespace {

TEST_CASE("mime: line counts of ranges agree with a plain count, across block edges") {
  std::mt19937 rng(3);
  std::string s(20000, 'x');
  for (char& c : s) c = rng() % 7 == 0 ? '\n' : 'x';
  LineCounter lc(s);
  for (int i = 0; i < 2000; ++i) {
    size_t a = rng() % (s.size() + 1), b = rng() % (s.size() + 1);
    if (a > b) std::swap(a, b);
    CAPTURE(a);
    CAPTURE(b);
    CHECK(lc.Count(a, b) == static_cast<uint64_t>(std::count(s.begin() + a, s.begin() + b, '\n')));
  }
  CHECK(lc.Count(0, s.size()) == static_cast<uint64_t>(std::count(s.begin(), s.end(), '\n')));
}

TEST_CASE("mime: a partial last line counts as a line") {
  std::string s = "a\nb\nc";
  LineCounter lc(s);
  CHECK(lc.Lines(0, 5) == 3);
  CHECK(lc.Lines(0, 4) == 2);
  CHECK(lc.Lines(2, 2) == 0);
  CHECK(LineCounter("").Lines(0, 0) == 0);
}

}  // namespace
}  // namespace slotmail::mime
