// mailctl user ...: each command against a real store in a temp directory.
#include <doctest/doctest.h>

#include "admin/exit_code.h"
#include "admin/test_slot.h"

namespace slotmail::admin {
namespace {

using testing::Outcome;
using testing::TestSlot;

TEST_CASE("mailctl user add: the password comes from stdin without its newline") {
  TestSlot slot;
  Outcome o = slot.Run({"user", "add", "alice", "--password-stdin"}, "s3cret\n");
  CHECK(o.code == kExitOk);
  CHECK(o.out.empty());
  CHECK(o.err.empty());
  CHECK(slot->VerifyPassword("alice", "s3cret").ok());
  CHECK(slot->GetMailbox("alice", "INBOX").ok());
  // CRLF is one newline; only one is stripped.
  CHECK(slot.Run({"user", "add", "bob", "--password-stdin"}, "pw\r\n").code == kExitOk);
  CHECK(slot->VerifyPassword("bob", "pw").ok());
  CHECK(slot.Run({"user", "add", "carol", "--password-stdin"}, "pw\n\n").code == kExitOk);
  CHECK(slot->VerifyPassword("carol", "pw\n").ok());
}

TEST_CASE("mailctl user add: the password may come from a file") {
  TestSlot slot;
  slotmail::testing::TempDir files;
  const std::string path = files.path() + "/pw";
  REQUIRE(fs::WriteNewFile(path, "from-file\n").ok());
  CHECK(slot.Run({"user", "add", "alice", "--password-file", path}).code == kExitOk);
  CHECK(slot->VerifyPassword("alice", "from-file").ok());
  Outcome o = slot.Run({"user", "add", "bob", "--password-file", files.path() + "/missing"});
  CHECK(o.code == kExitInvalid);
  CHECK(!slot->UserExists("bob"));
}

TEST_CASE("mailctl user add: errors are one line with a distinct exit code") {
  TestSlot slot;
  slot.AddUser("alice");
  Outcome dup = slot.Run({"user", "add", "alice", "--password-stdin"}, "pw");
  CHECK(dup.code == kExitExists);
  CHECK(dup.err == "mailctl: user add alice: user already exists\n");
  CHECK(slot.Run({"user", "add", "Alice", "--password-stdin"}, "pw").code == kExitInvalid);
  CHECK(slot.Run({"user", "add", "bob", "--password-stdin"}, "\n").code == kExitInvalid);
  CHECK(slot.Run({"user", "add", "bob", "--password-stdin"}, std::string(5000, 'x')).code ==
        kExitLimit);
  CHECK(!slot->UserExists("bob"));
}

TEST_CASE("mailctl user passwd: replaces the password; unknown user reads nothing") {
  TestSlot slot;
  slot.AddUser("alice");
  CHECK(slot.Run({"user", "passwd", "alice", "--password-stdin"}, "new\n").code == kExitOk);
  CHECK(slot->VerifyPassword("alice", "new").ok());
  CHECK(slot->VerifyPassword("alice", "secret").code() == Code::kPermission);
  Outcome o = slot.Run({"user", "passwd", "nobody", "--password-stdin"}, "");
  CHECK(o.code == kExitNotFound);
  CHECK(o.err == "mailctl: user passwd nobody: no such user\n");
}

TEST_CASE("mailctl user list and del") {
  TestSlot slot;
  CHECK(slot.Run({"user", "list"}).out.empty());
  slot.AddUser("zed");
  slot.AddUser("alice@example.com");
  Outcome o = slot.Run({"user", "list"});
  CHECK(o.code == kExitOk);
  CHECK(o.out == "alice@example.com\nzed\n");
  CHECK(slot.Run({"user", "del", "zed"}).code == kExitOk);
  CHECK(slot.Run({"user", "list"}).out == "alice@example.com\n");
  CHECK(slot.Run({"user", "del", "zed"}).code == kExitNotFound);
}

TEST_CASE("mailctl user show: totals, mailboxes and quota as KEY<TAB>VALUE lines") {
  TestSlot slot;
  slot.AddUser("alice");
  REQUIRE(slot->CreateMailbox("alice", "Archive/2024").ok());
  REQUIRE(slot->Append("alice", "INBOX", "Subject: a\r\n\r\nhello\r\n", {}, 1700000000).ok());
  REQUIRE(slot->Append("alice", "Archive/2024", "Subject: b\r\n\r\n", {}, 1700000000).ok());
  REQUIRE(slot->SetQuota("alice", 1000, 7).ok());
  Outcome o = slot.Run({"user", "show", "alice"});
  CHECK(o.code == kExitOk);
  CHECK(o.out ==
        "user\talice\nmailboxes\t3\nmessages\t2\nbytes\t35\n"
        "quota_bytes\t1000\nquota_messages\t7\nused_bytes\t35\nused_messages\t2\n");
  Outcome missing = slot.Run({"user", "show", "bob"});
  CHECK(missing.code == kExitNotFound);
  CHECK(missing.out.empty());
}

TEST_CASE("mailctl user quota: sets limits; a limit not given keeps its value") {
  TestSlot slot;
  slot.AddUser("alice");
  CHECK(slot.Run({"user", "quota", "alice", "--bytes", "2M", "--messages", "100"}).code ==
        kExitOk);
  CHECK(slot->GetQuota("alice")->limit_bytes == 2u << 20);
  CHECK(slot->GetQuota("alice")->limit_messages == 100);
  CHECK(slot.Run({"user", "quota", "alice", "--messages", "0"}).code == kExitOk);
  CHECK(slot->GetQuota("alice")->limit_bytes == 2u << 20);
  CHECK(slot->GetQuota("alice")->limit_messages == 0);
  CHECK(slot.Run({"user", "quota", "bob", "--bytes", "1"}).code == kExitNotFound);
}

TEST_CASE("mailctl user quota: over quota appends fail with OverQuota, mapped to 6") {
  TestSlot slot;
  slot.AddUser("alice");
  CHECK(slot.Run({"user", "quota", "alice", "--messages", "1"}).code == kExitOk);
  REQUIRE(slot->Append("alice", "INBOX", "a\r\n", {}, 1700000000).ok());
  Status st = slot->Append("alice", "INBOX", "b\r\n", {}, 1700000000).status();
  CHECK(ExitCodeFor(st) == kExitLimit);
}

}  // namespace
}  // namespace slotmail::admin
