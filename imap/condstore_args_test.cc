#include "imap/condstore_args.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::imap {
namespace {

// The arguments of "t CMD <text>".
std::vector<Arg> Args(const std::string& text) {
  Result<Command> cmd = ParseCommandText("t CMD " + text + "\r\n", ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  return cmd->args;
}

Result<SelectParams> Select(const std::string& text) { return ParseSelectParams(Args(text)); }
Result<FetchModifiers> Fetch(const std::string& text) { return ParseFetchModifiers(Args(text)[0]); }
Result<StoreModifiers> Store(const std::string& text) { return ParseStoreModifiers(Args(text)[0]); }

TEST_CASE("imap condstore: SELECT parameters") {
  CHECK(ParseSelectParams({}).ok());
  CHECK_FALSE(ParseSelectParams({})->condstore);
  auto p = Select("(condstore)");
  REQUIRE(p.ok());
  CHECK(p->condstore);
  CHECK_FALSE(p->qresync);

  p = Select("(QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  REQUIRE(p.ok());
  REQUIRE(p->qresync);
  CHECK(p->qresync->uidvalidity == 67890007u);
  CHECK(p->qresync->modseq == 20050715194045000ull);
  REQUIRE(p->qresync->known_uids);
  CHECK(p->qresync->known_uids->ToString() == "41,43:211,214:541");
  CHECK_FALSE(p->qresync->seq_match);

  p = Select("(QRESYNC (1 2 1:10 (1:3,5 2,4:5,9)) CONDSTORE)");
  REQUIRE(p.ok());
  CHECK(p->condstore);
  REQUIRE(p->qresync->seq_match);
  CHECK(p->qresync->uid_match->ToString() == "2,4:5,9");

  p = Select("(QRESYNC (1 2 (1:3 4:6)))");  // match data without known-uids
  REQUIRE(p.ok());
  CHECK_FALSE(p->qresync->known_uids);
  CHECK(p->qresync->seq_match);
}

TEST_CASE("imap condstore: bad SELECT parameters are refused") {
  for (const char* bad : {"()", "(FOO)", "(CONDSTORE CONDSTORE)", "(QRESYNC)", "(QRESYNC ())",
                          "(QRESYNC (1))", "(QRESYNC (0 5))", "(QRESYNC (x 5))",
                          "(QRESYNC (1 -5))", "(QRESYNC (1 9223372036854775808))",
                          "(QRESYNC (4294967296 5))", "(QRESYNC (1 5 1:x))",
                          "(QRESYNC (1 5 1:* (1:2 3:4:5)))", "(QRESYNC (1 5 1:9 (1:2 3)))",
                          "(QRESYNC (1 5 1:9 (1:* 3:*)))", "(QRESYNC (1 5 1:9 (1 2) x))",
                          "(QRESYNC (1 5 $))", "(CONDSTORE) (CONDSTORE)", "CONDSTORE"}) {
    CAPTURE(bad);
    CHECK_FALSE(Select(bad).ok());
  }
}

TEST_CASE("imap condstore: FETCH modifiers") {
  auto m = Fetch("(CHANGEDSINCE 12345)");
  REQUIRE(m.ok());
  CHECK(*m->changed_since == 12345u);
  CHECK_FALSE(m->vanished);
  m = Fetch("(vanished changedsince 7)");
  REQUIRE(m.ok());
  CHECK(m->vanished);
  CHECK(*m->changed_since == 7u);
  CHECK(Fetch("(CHANGEDSINCE 0)").ok());  // an empty cache: everything
  for (const char* bad : {"()", "(VANISHED)", "(CHANGEDSINCE)", "(CHANGEDSINCE x)",
                          "(CHANGEDSINCE 1 CHANGEDSINCE 2)", "(CHANGEDSINCE 1 VANISHED VANISHED)",
                          "(CHANGEDSINCE 1 FOO)", "(CHANGEDSINCE 9223372036854775808)",
                          "CHANGEDSINCE"}) {
    CAPTURE(bad);
    CHECK_FALSE(Fetch(bad).ok());
  }
}

TEST_CASE("imap condstore: STORE modifiers") {
  auto m = Store("(UNCHANGEDSINCE 320162338)");
  REQUIRE(m.ok());
  CHECK(*m->unchanged_since == 320162338u);
  CHECK(*Store("(unchangedsince 0)")->unchanged_since == 0u);
  for (const char* bad : {"()", "(UNCHANGEDSINCE)", "(UNCHANGEDSINCE -1)", "(FOO 1)",
                          "(UNCHANGEDSINCE 1 UNCHANGEDSINCE 2)", "UNCHANGEDSINCE"}) {
    CAPTURE(bad);
    CHECK_FALSE(Store(bad).ok());
  }
}

TEST_CASE("imap condstore: decimal numbers") {
  CHECK(*ParseDecimal("0", 10, false) == 0u);
  CHECK_FALSE(ParseDecimal("0", 10, true).ok());
  CHECK_FALSE(ParseDecimal("11", 10, false).ok());
  CHECK_FALSE(ParseDecimal("", 10, false).ok());
  CHECK_FALSE(ParseDecimal("+1", 10, false).ok());
  CHECK_FALSE(ParseDecimal("1 ", 10, false).ok());
  CHECK(*ParseDecimal("9223372036854775807", kMaxModSeqValue, true) == 9223372036854775807ull);
}

}  // namespace
}  // namespace slotmail::imap
