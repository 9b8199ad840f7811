#include "imapd/list_extended.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace slotmail::imapd {
namespace {

store::MailboxInfo Box(std::string name, bool has_children = false, std::string use = "") {
  store::MailboxInfo m;
  m.name = std::move(name);
  m.has_children = has_children;
  m.special_use = std::move(use);
  return m;
}

// A user with A, A/B, A/B/C, D, Sent (\Sent), INBOX; subscribed to A/B/C,
// D and the missing Gone/Deep.
const std::vector<store::MailboxInfo> kBoxes = {Box("A", true), Box("A/B", true), Box("A/B/C"),
                                                Box("D"), Box("INBOX"), Box("Sent", false, "\\Sent")};
const std::vector<std::string> kSubscribed = {"A/B/C", "D", "Gone/Deep"};

Result<ListRequest> Parse(std::string_view args) {
  auto cmd = imap::ParseCommandText("t LIST " + std::string(args) + "\r\n",
                                    imap::ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  return ParseList(*cmd, NameEncoding::kMutf7);
}

// LIST's answer to `args` as "name attributes[ extended]" lines.
std::vector<std::string> List(std::string_view args) {
  auto req = Parse(args);
  REQUIRE(req.ok());
  std::vector<std::string> out;
  for (const auto& e : BuildList(*req, kBoxes, kSubscribed)) {
    out.push_back(e.name + " " + e.attributes + (e.extended.empty() ? "" : " " + e.extended));
  }
  return out;
}

TEST_CASE("list: without options it lists existing mailboxes as RFC 3501 LIST did") {
  CHECK(List("\"\" %") == std::vector<std::string>{"A \\HasChildren", "D \\HasNoChildren",
                                                   "INBOX \\HasNoChildren",
                                                   "Sent \\HasNoChildren \\Sent"});
  CHECK(List("A/ *") == std::vector<std::string>{"A/B \\HasChildren", "A/B/C \\HasNoChildren"});
  CHECK(Parse("\"\" \"\"")->delimiter_only);
  CHECK_FALSE(Parse("\"\" (\"\")")->delimiter_only);
}

TEST_CASE("list: SUBSCRIBED lists subscribed names, missing ones as \\NonExistent") {
  CHECK(List("(SUBSCRIBED) \"\" *") ==
        std::vector<std::string>{"A/B/C \\HasNoChildren \\Subscribed",
                                 "D \\HasNoChildren \\Subscribed",
                                 "Gone/Deep \\NonExistent \\Subscribed"});
  CHECK(List("\"\" (D A) RETURN (SUBSCRIBED)") ==
        std::vector<std::string>{"A \\HasChildren", "D \\HasNoChildren \\Subscribed"});
}

TEST_CASE("list: RECURSIVEMATCH adds CHILDINFO parents only for children not listed") {
  CHECK(List("(SUBSCRIBED RECURSIVEMATCH) \"\" %") ==
        std::vector<std::string>{"A \\HasChildren (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                                 "D \\HasNoChildren \\Subscribed",
                                 "Gone \\NonExistent (\"CHILDINFO\" (\"SUBSCRIBED\"))"});
  CHECK(List("(SUBSCRIBED RECURSIVEMATCH) \"\" *") ==
        std::vector<std::string>{"A/B/C \\HasNoChildren \\Subscribed",
                                 "D \\HasNoChildren \\Subscribed",
                                 "Gone/Deep \\NonExistent \\Subscribed"});
}

TEST_CASE("list: SPECIAL-USE selects mailboxes with a special use") {
  CHECK(List("(SPECIAL-USE) \"\" *") == std::vector<std::string>{"Sent \\HasNoChildren \\Sent"});
  CHECK(List("(SPECIAL-USE SUBSCRIBED) \"\" *").empty());
}

TEST_CASE("list: bad options and RECURSIVEMATCH alone are refused") {
  for (const char* bad : {"(RECURSIVEMATCH) \"\" *", "(REMOTE RECURSIVEMATCH) \"\" *",
                          "(FOO) \"\" *", "\"\" * RETURN (FOO)", "\"\" * RETURN (STATUS)",
                          "\"\" * RETURN (STATUS (MESSAGES FOO))", "\"\" * RETURN", "\"\" ()",
                          "\"\" * EXTRA (CHILDREN)", "\"\""}) {
    CAPTURE(bad);
    auto r = Parse(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.status().code() == Code::kProtocol);
  }
}

TEST_CASE("status: items are checked, deduplicated and answered in order") {
  auto cmd = imap::ParseCommandText("t STATUS x (size DELETED-STORAGE messages SIZE)\r\n",
                                    imap::ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  auto req = ParseStatusItems(cmd->args[1]);
  REQUIRE(req.ok());
  CHECK(req->items == std::vector<std::string>{"SIZE", "DELETED-STORAGE", "MESSAGES"});
  CHECK(req->needs_deleted);
  MailboxStatus s;
  s.info = Box("Box");
  s.info.messages = 3;
  s.info.bytes = 5000;
  s.deleted = 2;
  s.deleted_bytes = 1025;
  CHECK(StatusResponse(s, *req, 0, NameEncoding::kMutf7) ==
        "STATUS \"Box\" (SIZE 5000 DELETED-STORAGE 2 MESSAGES 3)");
}

// LSUB's answer to `pattern` over kSubscribed as "name" or "name \Noselect".
std::vector<std::string> Lsub(const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& e : BuildLsub(pattern, kSubscribed)) {
    out.push_back(e.name + (e.noselect ? " \\Noselect" : ""));
  }
  return out;
}

TEST_CASE("lsub: % answers an unsubscribed parent of a subscription with \\Noselect (RFC 3501 6.3.9)") {
  CHECK(Lsub("%") == std::vector<std::string>{"A \\Noselect", "D", "Gone \\Noselect"});
  CHECK(Lsub("A/%") == std::vector<std::string>{"A/B \\Noselect"});
  CHECK(Lsub("%/%") == std::vector<std::string>{"A/B \\Noselect", "Gone/Deep"});
  // * reaches the subscriptions themselves: no parents.
  CHECK(Lsub("*") == std::vector<std::string>{"A/B/C", "D", "Gone/Deep"});
  CHECK(Lsub("A*") == std::vector<std::string>{"A/B/C"});
  CHECK(Lsub("X%").empty());
  // A subscribed parent is answered as itself, once.
  CHECK(BuildLsub("%", {"P", "P/Q", "P/R"}).size() == 1);
  CHECK_FALSE(BuildLsub("%", {"P", "P/Q", "P/R"})[0].noselect);
}

}  // namespace
}  // namespace slotmail::imapd
