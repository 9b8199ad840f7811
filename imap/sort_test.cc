#include "imap/sort.h"

#include <doctest/doctest.h>

namespace slotmail::imap {
namespace {

using Key = SortCriterion::Key;

Arg Atom(std::string v) {
  Arg a;
  a.value = std::move(v);
  return a;
}
Arg List(std::vector<Arg> items) {
  Arg a;
  a.kind = Arg::kList;
  a.list = std::move(items);
  return a;
}

TEST_CASE("sort: SORT arguments") {
  auto r = ParseSort({List({Atom("REVERSE"), Atom("date"), Atom("SUBJECT")}), Atom("UTF-8"),
                      Atom("ALL")});
  REQUIRE(r.ok());
  CHECK(r->criteria == std::vector<SortCriterion>{{Key::kDate, true}, {Key::kSubject, false}});
  CHECK_FALSE(r->program.ret.esearch);
  CHECK(r->program.charset == "UTF-8");

  r = ParseSort({Atom("RETURN"), List({Atom("MIN"), Atom("COUNT")}), List({Atom("DISPLAYFROM")}),
                 Atom("US-ASCII"), Atom("SEEN")});
  REQUIRE(r.ok());
  CHECK(r->program.ret.esearch);
  CHECK(r->program.ret.min);
  CHECK(r->program.ret.count);
  CHECK_FALSE(r->program.ret.all);
  CHECK(r->criteria.front().key == Key::kDisplayFrom);

  CHECK_FALSE(ParseSort({}).ok());
  CHECK_FALSE(ParseSort({List({}), Atom("UTF-8"), Atom("ALL")}).ok());
  CHECK_FALSE(ParseSort({List({Atom("REVERSE")}), Atom("UTF-8"), Atom("ALL")}).ok());
  CHECK_FALSE(ParseSort({List({Atom("REVERSE"), Atom("REVERSE"), Atom("TO")}), Atom("UTF-8"),
                         Atom("ALL")}).ok());
  CHECK_FALSE(ParseSort({List({Atom("DATE")}), Atom("UTF-8")}).ok());
  CHECK_FALSE(ParseSort({Atom("DATE"), Atom("UTF-8"), Atom("ALL")}).ok());
  auto bad = ParseSort({List({Atom("DATE")}), Atom("KOI8-R"), Atom("ALL")});
  REQUIRE_FALSE(bad.ok());
  CHECK(IsBadCharset(bad.status()));
}

TEST_CASE("sort: THREAD arguments") {
  auto t = ParseThread({Atom("orderedsubject"), Atom("UTF-8"), Atom("ALL")});
  REQUIRE(t.ok());
  CHECK(t->algorithm == ThreadAlgorithm::kOrderedSubject);
  t = ParseThread({Atom("REFERENCES"), Atom("UTF-8"), Atom("1:4")});
  REQUIRE(t.ok());
  CHECK(t->algorithm == ThreadAlgorithm::kReferences);
  CHECK_FALSE(ParseThread({Atom("REFS"), Atom("UTF-8"), Atom("ALL")}).ok());
  CHECK_FALSE(ParseThread({Atom("REFERENCES"), Atom("UTF-8")}).ok());
}

TEST_CASE("sort: order by criteria, ties by sequence number, REVERSE per criterion") {
  std::vector<mime::SortKeys> keys(4);
  keys[0].subject = "B";
  keys[1].subject = "A";
  keys[2].subject = "B";
  keys[3].subject = "_";  // '_' sorts after letters under i;ascii-casemap (upper-case)
  keys[0].sent_date = 100;
  keys[2].sent_date = 50;  // keys[1], keys[3]: no Date, internal date used
  std::vector<SortItem> items = {
      {1, 500, 10, &keys[0]}, {2, 70, 30, &keys[1]}, {3, 500, 20, &keys[2]}, {4, 60, 10, &keys[3]}};
  using V = std::vector<size_t>;
  CHECK(SortOrder({{Key::kSubject, false}}, items) == V{1, 0, 2, 3});
  CHECK(SortOrder({{Key::kSubject, true}}, items) == V{3, 0, 2, 1});
  CHECK(SortOrder({{Key::kDate, false}}, items) == V{2, 3, 1, 0});
  CHECK(SortOrder({{Key::kArrival, false}}, items) == V{3, 1, 0, 2});
  CHECK(SortOrder({{Key::kSize, false}}, items) == V{0, 3, 2, 1});
  CHECK(SortOrder({{Key::kSize, true}}, items) == V{1, 2, 0, 3});
  CHECK(SortOrder({{Key::kSubject, false}, {Key::kDate, false}}, items) == V{1, 2, 0, 3});
  CHECK(SentDate(items[1]) == 70);
}

TEST_CASE("sort: ordered sequence sets keep the order") {
  CHECK(FormatOrderedNumbers({}) == "");
  CHECK(FormatOrderedNumbers({3, 4, 5, 1, 7, 6}) == "3:5,1,7,6");
  CHECK(FormatOrderedNumbers({9}) == "9");
}

}  // namespace
}  // namespace slotmail::imap
