// mailctl mailbox ...: each command against a real store in a temp directory.
#include <doctest/doctest.h>

#include "admin/exit_code.h"
#include "admin/test_slot.h"

namespace slotmail::admin {
namespace {

using testing::Outcome;
using testing::TestSlot;

// The fields of a `mailbox list` line.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t tab = line.find('\t', pos);
    out.push_back(line.substr(pos, tab - pos));
    if (tab == std::string::npos) return out;
    pos = tab + 1;
  }
}

TEST_CASE("mailctl mailbox create and list: one tab-separated line per mailbox") {
  TestSlot slot;
  slot.AddUser("alice");
  CHECK(slot.Run({"mailbox", "create", "alice", "Sent", "--special-use", "\\sent"}).code ==
        kExitOk);
  CHECK(slot.Run({"mailbox", "create", "alice", "Lists/dev"}).code == kExitOk);
  REQUIRE(slot->Append("alice", "INBOX", "x\r\n", {}, 1700000000).ok());
  REQUIRE(slot->Append("alice", "INBOX", "yy\r\n", {store::kFlagSeen, {}}, 1700000000).ok());
  Outcome o = slot.Run({"mailbox", "list", "alice"});
  CHECK(o.code == kExitOk);
  std::vector<std::string> lines;
  for (size_t p = 0, nl; (nl = o.out.find('\n', p)) != std::string::npos; p = nl + 1) {
    lines.push_back(o.out.substr(p, nl - p));
  }
  REQUIRE(lines.size() == 4);
  auto inbox = slot->GetMailbox("alice", "INBOX").value();
  CHECK(Fields(lines[0]) ==
        std::vector<std::string>{"INBOX", "2", "1", "7", std::to_string(inbox.uidvalidity), "3",
                                 std::to_string(inbox.highestmodseq), "-"});
  CHECK(Fields(lines[1])[0] == "Lists");
  CHECK(Fields(lines[2])[0] == "Lists/dev");
  CHECK(Fields(lines[3])[0] == "Sent");
  CHECK(Fields(lines[3])[7] == "\\Sent");
}

TEST_CASE("mailctl mailbox list: PATTERN selects as IMAP LIST does") {
  TestSlot slot;
  slot.AddUser("alice");
  REQUIRE(slot->CreateMailbox("alice", "a/b/c").ok());
  CHECK(slot.Run({"mailbox", "list", "alice", "a/%"}).out.rfind("a/b\t", 0) == 0);
  CHECK(slot.Run({"mailbox", "list", "alice", "nothing*"}).out.empty());
  CHECK(slot.Run({"mailbox", "list", "bob"}).code == kExitNotFound);
}

TEST_CASE("mailctl mailbox create: exists, invalid names and unknown users") {
  TestSlot slot;
  slot.AddUser("alice");
  CHECK(slot.Run({"mailbox", "create", "alice", "inbox"}).code == kExitExists);
  Outcome bad = slot.Run({"mailbox", "create", "alice", "a/../b"});
  CHECK(bad.code == kExitInvalid);
  CHECK(bad.err.rfind("mailctl: mailbox create alice a/../b: invalid mailbox name", 0) == 0);
  // Too long is an invalid name too, not a quota matter.
  CHECK(slot.Run({"mailbox", "create", "alice", std::string(300, 'x')}).code == kExitInvalid);
  CHECK(slot.Run({"mailbox", "create", "alice", "S", "--special-use", "\\Bogus"}).code ==
        kExitInvalid);
  CHECK(slot.Run({"mailbox", "create", "bob", "x"}).code == kExitNotFound);
  Outcome spaced = slot.Run({"mailbox", "create", "alice", "Sent Items"});
  CHECK(spaced.code == kExitOk);
  CHECK(slot.Run({"mailbox", "create", "alice", "Sent Items"}).err ==
        "mailctl: mailbox create alice \"Sent Items\": mailbox already exists\n");
}

TEST_CASE("mailctl mailbox delete: removes it; INBOX, parents and unknown refused") {
  TestSlot slot;
  slot.AddUser("alice");
  REQUIRE(slot->CreateMailbox("alice", "a/b").ok());
  REQUIRE(slot->Append("alice", "a/b", "x\r\n", {}, 1700000000).ok());
  CHECK(slot.Run({"mailbox", "delete", "alice", "INBOX"}).code == kExitInvalid);
  CHECK(slot.Run({"mailbox", "delete", "alice", "a"}).code == kExitFailure);
  CHECK(slot.Run({"mailbox", "delete", "alice", "a/b"}).code == kExitOk);
  CHECK(slot->GetMailbox("alice", "a/b").status().code() == Code::kNotFound);
  CHECK(slot->GetQuota("alice")->used_messages == 0);
  CHECK(slot.Run({"mailbox", "delete", "alice", "a/b"}).code == kExitNotFound);
  CHECK(slot.Run({"mailbox", "delete", "bob", "a"}).code == kExitNotFound);
}

}  // namespace
}  // namespace slotmail::admin
