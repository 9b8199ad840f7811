#include "imap/search_parse.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/limits.h"

namespace slotmail::imap {
namespace {

// ParseSearch over the arguments of "t SEARCH <text>".
Result<SearchProgram> Search(const std::string& text) {
  Result<Command> cmd =
      ParseCommandText("t SEARCH " + text + "\r\n", ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  return ParseSearch(cmd->args);
}

// The key tree rendered, or "<error>".
std::string Tree(const std::string& text) {
  Result<SearchProgram> r = Search(text);
  return r.ok() ? r->key.ToString() : "<error>";
}

TEST_CASE("imap search: flag keys and their UN- forms") {
  CHECK(Tree("ALL") == "ALL");
  CHECK(Tree("ANSWERED") == "FLAG \\Answered");
  CHECK(Tree("unanswered") == "(NOT FLAG \\Answered)");
  CHECK(Tree("DELETED UNDELETED") == "(FLAG \\Deleted (NOT FLAG \\Deleted))");
  CHECK(Tree("DRAFT UNDRAFT") == "(FLAG \\Draft (NOT FLAG \\Draft))");
  CHECK(Tree("FLAGGED UNFLAGGED") == "(FLAG \\Flagged (NOT FLAG \\Flagged))");
  CHECK(Tree("SEEN UNSEEN") == "(FLAG \\Seen (NOT FLAG \\Seen))");
  CHECK(Tree("RECENT OLD") == "(FLAG \\Recent (NOT FLAG \\Recent))");
  CHECK(Tree("NEW") == "(FLAG \\Recent (NOT FLAG \\Seen))");
  CHECK(Tree("KEYWORD $Junk UNKEYWORD work") == "(FLAG $Junk (NOT FLAG work))");
  CHECK(Tree("KEYWORD \"x\"") == "<error>");  // flag-keyword is an atom
  CHECK(Tree("KEYWORD \\Seen") == "<error>");
  CHECK(Tree("KEYWORD") == "<error>");
}

TEST_CASE("imap search: string keys") {
  CHECK(Tree("FROM alice") == "ADDRESS FROM \"alice\"");
  CHECK(Tree("BCC b CC c TO \"d e\" SUBJECT {3}\r\nx\"y") ==
        "(ADDRESS BCC \"b\" ADDRESS CC \"c\" ADDRESS TO \"d e\" HEADER SUBJECT \"x\\\"y\")");
  CHECK(Tree("BODY hello TEXT \"\"") == "(BODY \"hello\" TEXT \"\")");
  CHECK(Tree("HEADER Message-ID <a@b>") == "HEADER MESSAGE-ID \"<a@b>\"");
  CHECK(Tree("HEADER X-Spam \"\"") == "HEADER X-SPAM \"\"");
  CHECK(Tree("SUBJECT NIL") == "HEADER SUBJECT \"NIL\"");  // NIL is an astring here
  CHECK(Tree("TEXT {3}\r\n\x01\r\xff") == "TEXT \"\\x01\\x0d\\xff\"");  // one log line
  CHECK(Tree("HEADER \"\" x") == "<error>");
  CHECK(Tree("SUBJECT (x)") == "<error>");
  CHECK(Tree("FROM") == "<error>");
  CHECK(Tree("HEADER From") == "<error>");
}

TEST_CASE("imap search: date keys take d-Mon-yyyy, quoted or not") {
  CHECK(Tree("BEFORE 1-Feb-1994") == "BEFORE 1-Feb-1994");
  CHECK(Tree("ON \"01-feb-1994\"") == "ON 1-Feb-1994");
  CHECK(Tree("SINCE 29-Feb-2000 SENTBEFORE 31-Dec-1999 SENTON 1-JAN-2024 SENTSINCE 15-Jul-2010") ==
        "(SINCE 29-Feb-2000 SENTBEFORE 31-Dec-1999 SENTON 1-Jan-2024 SENTSINCE 15-Jul-2010)");
  for (const char* bad : {"29-Feb-1900", "31-Apr-2020", "0-Jan-2000", "32-Jan-2000", "1-Foo-2000",
                          "1-Feb-94", "123-Feb-1994", "1-Feb-19944", "1 Feb 1994", "-Feb-1994",
                          "1-Feb-", "a-Feb-1994", "1-Feb-0000", "1--Feb-1994", "1-Fe-1994"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseSearchDate(bad).ok());
  }
  Result<SearchDate> d = ParseSearchDate("29-Feb-2024");
  REQUIRE(d.ok());
  CHECK(d.value() == SearchDate{2024, 2, 29});
  CHECK(Tree("BEFORE (1-Feb-1994)") == "<error>");
}

TEST_CASE("imap search: numbers, sets, MODSEQ and WITHIN") {
  CHECK(Tree("LARGER 1000 SMALLER 0") == "(LARGER 1000 SMALLER 0)");
  CHECK(Tree("LARGER 18446744073709551615") == "LARGER 18446744073709551615");
  CHECK(Tree("LARGER 18446744073709551616") == "<error>");
  CHECK(Tree("LARGER x") == "<error>");
  CHECK(Tree("LARGER \"5\"") == "<error>");
  CHECK(Tree("1:3,5:* UID 7:9") == "(1:3,5:* UID 7:9)");
  CHECK(Tree("$ UID $") == "($ UID $)");
  CHECK(Tree("UID 0") == "<error>");
  CHECK(Tree("UID ALL") == "<error>");
  CHECK(Tree("1:x") == "<error>");
  CHECK(Tree("YOUNGER 3600 OLDER 1") == "(YOUNGER 3600 OLDER 1)");
  CHECK(Tree("YOUNGER 0") == "<error>");
  CHECK(Tree("MODSEQ 620162338") == "MODSEQ 620162338");
  CHECK(Tree("MODSEQ 0") == "MODSEQ 0");
  CHECK(Tree("MODSEQ \"/flags/\\\\draft\" all 620162338") ==
        "MODSEQ \"/flags/\\\\draft\" all 620162338");
  CHECK(Tree("MODSEQ \"/flags/$Junk\" PRIV 5") == "MODSEQ \"/flags/$Junk\" priv 5");
  CHECK(Tree("MODSEQ \"/flags/x\" shared 5") == "MODSEQ \"/flags/x\" shared 5");
  CHECK(Tree("MODSEQ 9223372036854775807") == "MODSEQ 9223372036854775807");
  CHECK(Tree("MODSEQ 9223372036854775808") == "<error>");
  CHECK(Tree("MODSEQ \"/flags/x\" other 5") == "<error>");
  // RFC 8474: EMAILID and THREADID take an objectid.
  CHECK(Tree("EMAILID M0a_b-C") == "EMAILID M0a_b-C");
  CHECK(Tree("threadid T1 emailid x") == "(THREADID T1 EMAILID x)");
  CHECK(Tree("EMAILID") == "<error>");
  CHECK(Tree("EMAILID a.b") == "<error>");
  CHECK(Tree("EMAILID \"abc\"") == "<error>");
  CHECK(Tree("THREADID " + std::string(256, 'x')) == "<error>");
  CHECK(Tree("THREADID " + std::string(255, 'x')) != "<error>");
  CHECK(Tree("MODSEQ \"/other/x\" all 5") == "<error>");
  CHECK(Tree("MODSEQ \"/flags/\" all 5") == "<error>");
  CHECK(Tree("MODSEQ \"/flags/x\" all") == "<error>");
  CHECK(Tree("MODSEQ") == "<error>");
}

TEST_CASE("imap search: NOT, OR and groups") {
  CHECK(Tree("NOT SEEN") == "(NOT FLAG \\Seen)");
  CHECK(Tree("OR SEEN FROM x") == "(OR FLAG \\Seen ADDRESS FROM \"x\")");
  CHECK(Tree("OR (SEEN DELETED) NOT 1:5") ==
        "(OR (FLAG \\Seen FLAG \\Deleted) (NOT 1:5))");
  CHECK(Tree("(SEEN)") == "(FLAG \\Seen)");
  CHECK(Tree("OR OR a b c") == "<error>");  // "a" is not a key
  CHECK(Tree("OR OR SEEN DRAFT NEW") ==
        "(OR (OR FLAG \\Seen FLAG \\Draft) (FLAG \\Recent (NOT FLAG \\Seen)))");
  CHECK(Tree("OR SEEN") == "<error>");
  CHECK(Tree("NOT") == "<error>");
  CHECK(Tree("()") == "<error>");
  CHECK(Tree("FOO") == "<error>");
  CHECK(Tree("\"SEEN\"") == "<error>");
  Result<SearchProgram> empty = ParseSearch({});
  CHECK_FALSE(empty.ok());
}

TEST_CASE("imap search: nesting is bounded") {
  const size_t limit = limits::kMaxImapSearchDepth;
  std::string ok, deep;
  for (size_t i = 0; i + 1 < limit; ++i) ok += "NOT ";
  for (size_t i = 0; i < limit; ++i) deep += "NOT ";
  CHECK(Tree(ok + "SEEN") != "<error>");
  CHECK(Tree(deep + "SEEN") == "<error>");
  std::string ors;
  for (size_t i = 0; i < limit + 5; ++i) ors += "OR SEEN ";
  CHECK(Tree(ors + "SEEN") == "<error>");
}

TEST_CASE("imap search: CHARSET") {
  Result<SearchProgram> r = Search("CHARSET utf-8 SUBJECT x");
  REQUIRE(r.ok());
  CHECK(r->charset == "UTF-8");
  CHECK(Search("CHARSET \"US-ASCII\" ALL")->charset == "US-ASCII");
  CHECK(Search("ALL")->charset.empty());
  Result<SearchProgram> bad = Search("CHARSET ISO-8859-1 ALL");
  REQUIRE_FALSE(bad.ok());
  CHECK(IsBadCharset(bad.status()));
  CHECK(bad.status().message().starts_with("[BADCHARSET (US-ASCII UTF-8)]"));
  CHECK_FALSE(IsBadCharset(Search("FOO").status()));
  CHECK_FALSE(Search("CHARSET").ok());
  CHECK_FALSE(Search("CHARSET UTF-8").ok());  // criteria missing
  CHECK_FALSE(Search("ALL CHARSET UTF-8").ok());  // only first
}

TEST_CASE("imap search: RETURN options for ESEARCH") {
  Result<SearchProgram> r = Search("RETURN (MIN max Count) UNSEEN");
  REQUIRE(r.ok());
  CHECK(r->ret.esearch);
  CHECK(r->ret.min);
  CHECK(r->ret.max);
  CHECK(r->ret.count);
  CHECK_FALSE(r->ret.all);
  CHECK_FALSE(r->ret.save);
  CHECK(r->key.ToString() == "(NOT FLAG \\Seen)");

  Result<SearchProgram> all = Search("RETURN () ALL");  // RFC 4731: () means ALL
  REQUIRE(all.ok());
  CHECK(all->ret.all);
  Result<SearchProgram> save = Search("RETURN (SAVE) CHARSET UTF-8 FROM x");
  REQUIRE(save.ok());
  CHECK(save->ret.save);
  CHECK(save->charset == "UTF-8");
  CHECK_FALSE(Search("ALL")->ret.esearch);
  CHECK_FALSE(Search("RETURN (PARTIAL) ALL").ok());
  CHECK_FALSE(Search("RETURN MIN ALL").ok());
  CHECK_FALSE(Search("RETURN").ok());
  CHECK_FALSE(Search("RETURN (MIN)").ok());
}

}  // namespace
}  // namespace slotmail::imap
