#include "dirsvc/snapshot.h"

#include <doctest/doctest.h>

#include "dirsvc/answers.h"

namespace slotmail::dirsvc {
namespace {

slots::Production Prod() {
  std::vector<slots::Problem> problems;
  auto p = slots::ParseProduction(
      "slotmail-production 1 serial=1\n"
      "machine m1 address=10.0.0.1 capacity=40G\n"
      "machine m2 address=10.0.0.2 capacity=40G\n"
      "slot m1:1 size=1G\nslot m2:1 size=1G\nslot m1:2 size=1G\nslot m2:2 size=1G\n"
      "store s1 epoch=1 mode=async master=m1:1 replicas=m2:1\n"
      "store s2 epoch=1 mode=async master=m2:2 replicas=m1:2\n",
      "test", &problems);
  CHECK(problems.empty());
  return p;
}

SlotReport Report(std::string slot, std::string store, std::string role, uint64_t epoch,
                  std::string ip, std::vector<std::string> users = {}) {
  SlotReport r;
  r.slot = std::move(slot);
  r.reachable = true;
  r.store = std::move(store);
  r.role = std::move(role);
  r.epoch = epoch;
  r.imap = ip + ":143";
  r.lmtp = ip + ":24";
  r.has_users = r.role == "master";
  if (r.has_users) r.users = std::move(users);
  return r;
}

TEST_CASE("dirsvc: each user routes to the master of its store") {
  auto snap = BuildSnapshot(Prod(),
                            {Report("m1:1", "s1", "master", 1, "10.0.0.1", {"alice", "bob"}),
                             Report("m2:1", "s1", "replica", 1, "10.0.0.2"),
                             Report("m2:2", "s2", "master", 1, "10.0.0.2", {"carol"})},
                            nullptr, 1);
  REQUIRE(snap->Find("alice") != nullptr);
  CHECK(snap->Find("alice")->master == "m1:1");
  CHECK(snap->Find("carol")->imap.host == "10.0.0.2");
  CHECK(snap->Find("carol")->pop3.port == 20210);  // production.dat's derived port
  CHECK(snap->Find("dave") == nullptr);
  CHECK(SocketmapAnswer(snap.get(), "transport Alice+lists@example.com") ==
        "OK lmtp:inet:[10.0.0.1]:24");
  CHECK(SocketmapAnswer(snap.get(), "recipients bob@example.com") == "OK bob");
  CHECK(SocketmapAnswer(snap.get(), "recipients dave@example.com") == "NOTFOUND ");
  CHECK(SocketmapAnswer(snap.get(), "transport example.com") == "NOTFOUND ");
  CHECK(SocketmapAnswer(snap.get(), "nomap x").rfind("PERM", 0) == 0);
  CHECK(SocketmapAnswer(snap.get(), "transport").rfind("PERM", 0) == 0);
  CHECK(SocketmapAnswer(nullptr, "transport alice").rfind("TEMP", 0) == 0);
}

TEST_CASE("dirsvc: after a failover the highest-epoch master wins, fenced ones do not") {
  auto snap = BuildSnapshot(Prod(),
                            {Report("m1:1", "s1", "master", 1, "10.0.0.1", {"alice"}),
                             Report("m2:1", "s1", "master", 2, "10.0.0.2", {"alice"})},
                            nullptr, 1);
  CHECK(snap->Find("alice")->master == "m2:1");
  CHECK(snap->Find("alice")->epoch == 2);
  auto fenced = BuildSnapshot(Prod(),
                              {Report("m1:1", "s1", "fenced", 1, "10.0.0.1"),
                               Report("m2:1", "s1", "master", 2, "10.0.0.2", {"alice"})},
                              nullptr, 2);
  CHECK(fenced->Find("alice")->lmtp.host == "10.0.0.2");
}

TEST_CASE("dirsvc: a store without a reachable master keeps its users, answering TEMP") {
  auto before = BuildSnapshot(Prod(), {Report("m1:1", "s1", "master", 1, "10.0.0.1", {"alice"})},
                              nullptr, 1);
  SlotReport gone;
  gone.slot = "m1:1";
  auto after = BuildSnapshot(Prod(), {gone, Report("m2:1", "s1", "replica", 1, "10.0.0.2")},
                             before.get(), 2);
  REQUIRE(after->Find("alice") != nullptr);
  CHECK(!after->Find("alice")->has_master());
  CHECK(SocketmapAnswer(after.get(), "transport alice").rfind("TEMP", 0) == 0);
  CHECK(SocketmapAnswer(after.get(), "recipients alice") == "OK alice");
  AuthAnswer a = AnswerAuth(after.get(), {"alice", "imap", "192.0.2.1"});
  CHECK(a.kind == AuthAnswer::Kind::kTemporary);
}

TEST_CASE("dirsvc: auth_http answers the master's IMAP or POP3, refuses unknown users") {
  auto snap = BuildSnapshot(Prod(), {Report("m2:2", "s2", "master", 3, "10.0.0.2", {"carol"})},
                            nullptr, 1);
  AuthAnswer ok = AnswerAuth(snap.get(), {"carol", "imap", "192.0.2.1"});
  CHECK(ok.kind == AuthAnswer::Kind::kOk);
  CHECK(ok.headers[1] == std::pair<std::string, std::string>("Auth-Server", "10.0.0.2"));
  CHECK(ok.headers[2].second == "143");
  CHECK(AnswerAuth(snap.get(), {"carol", "pop3", ""}).headers[2].second == "20210");
  AuthAnswer bad = AnswerAuth(snap.get(), {"mallory", "imap", "192.0.2.1"});
  CHECK(bad.kind == AuthAnswer::Kind::kInvalid);
  CHECK(bad.headers[0].second == "Invalid login or password");
  CHECK(bad.headers[1].first == "Auth-Wait");
  CHECK(AnswerAuth(snap.get(), {"../etc", "imap", ""}).kind == AuthAnswer::Kind::kInvalid);
  CHECK(AnswerAuth(snap.get(), {"carol", "smtp", ""}).kind == AuthAnswer::Kind::kRefused);
  auto req = ParseAuthRequest({{"auth-user", "Carol%40x"}, {"auth-protocol", "IMAP"}});
  REQUIRE(req.ok());
  CHECK(req->user == "carol@x");
  CHECK(req->protocol == "imap");
  CHECK(!ParseAuthRequest({{"auth-user", "a%4"}, {"auth-protocol", "imap"}}).ok());
}

}  // namespace
}  // namespace slotmail::dirsvc
