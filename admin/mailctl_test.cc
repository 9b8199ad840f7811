// The whole tool in-process: help, usage errors, finding and opening the
// slot, exit codes, reading passwords.
#include "admin/mailctl.h"

#include <doctest/doctest.h>

#include <sstream>

#include "admin/commands.h"
#include "admin/exit_code.h"
#include "admin/password_input.h"
#include "admin/test_slot.h"
#include "common/limits.h"

namespace slotmail::admin {
namespace {

using testing::Outcome;
using testing::RunTool;

TEST_CASE("mailctl: --help on the tool, each group and each command prints to stdout") {
  Outcome tool = RunTool({"--help"});
  CHECK(tool.code == kExitOk);
  CHECK(tool.err.empty());
  CHECK(tool.out.find("Exit codes:") != std::string::npos);
  CHECK(tool.out.find("over its control channel") != std::string::npos);
  for (const auto& c : Commands()) {
    CAPTURE(c.verb);
    const std::string words = CommandWords(c);
    CHECK(tool.out.find(words) != std::string::npos);
    Outcome cmd = c.verb.empty() ? RunTool({c.group, "--help"}) : RunTool({c.group, c.verb, "--help"});
    CHECK(cmd.code == kExitOk);
    CHECK(cmd.out.find("[--slot M:N | --store NAME | --slot-dir DIR | --config FILE] " + words) !=
          std::string::npos);
    CHECK(cmd.out.find("7  I/O error") != std::string::npos);
    if (c.verb.empty()) continue;
    Outcome group = RunTool({c.group, "--help"});
    CHECK(group.code == kExitOk);
    CHECK(group.out.find("  " + c.verb + " ") != std::string::npos);
  }
}

TEST_CASE("mailctl: usage errors print the usage line to stderr and exit 2") {
  Outcome none = RunTool({});
  CHECK(none.code == kExitUsage);
  CHECK(none.out.empty());
  CHECK(none.err.rfind("mailctl: no command given\nusage: mailctl", 0) == 0);
  Outcome bad = RunTool({"--slot-dir", "x", "user", "add", "alice", "--password", "pw"});
  CHECK(bad.code == kExitUsage);
  CHECK(bad.err.find("unknown option --password\n") != std::string::npos);
  CHECK(bad.err.find("Run 'mailctl user add --help' for more.") != std::string::npos);
  CHECK(RunTool({"mailbox", "frob"}).code == kExitUsage);
}

TEST_CASE("mailctl: --slot-dir opens an empty directory or a slot, nothing else") {
  slotmail::testing::TempDir dir;
  CHECK(fs::WriteNewFile(dir.path() + "/slot.conf", "# generated\n").ok());
  Outcome add = RunTool({"--slot-dir", dir.path(), "--kdf-iterations", "1000", "user", "add",
                         "alice", "--password-stdin"},
                        "pw\n");
  CHECK(add.code == kExitOk);
  CHECK(RunTool({"--slot-dir", dir.path(), "user", "list"}).out == "alice\n");
  // Not a slot and has subdirectories: tmp/ would be emptied, so refuse.
  slotmail::testing::TempDir other;
  CHECK(fs::MakeDirs(other.path() + "/tmp/keep").ok());
  Outcome refused = RunTool({"--slot-dir", other.path(), "user", "list"});
  CHECK(refused.code == kExitFailure);
  CHECK(refused.err.find("refusing to touch it") != std::string::npos);
  CHECK(fs::Exists(other.path() + "/tmp/keep"));
  CHECK(!fs::Exists(other.path() + "/users"));
  // A missing slot is a failure (1), never "not found" (3), and is not created.
  Outcome missing = RunTool({"--slot-dir", other.path() + "/nope", "user", "show", "alice"});
  CHECK(missing.code == kExitFailure);
  CHECK(missing.err.rfind("mailctl: open slot " + other.path() + "/nope: ", 0) == 0);
  CHECK(!fs::Exists(other.path() + "/nope"));
}

TEST_CASE("mailctl: --config reads slot_dir and kdf_iterations, ignoring other keys") {
  slotmail::testing::TempDir dir;
  const std::string conf = dir.path() + "/slotd.conf";
  REQUIRE(fs::MakeDirs(dir.path() + "/slot").ok());
  REQUIRE(fs::WriteNewFile(conf, "slot_dir = " + dir.path() +
                                     "/slot\nimap_listen = 127.0.0.1:1143\n"
                                     "kdf_iterations = 1000\ndefault_quota_messages = 50\n")
              .ok());
  CHECK(RunTool({"--config", conf, "user", "add", "bob", "--password-stdin"}, "pw").code ==
        kExitOk);
  Outcome show = RunTool({"--config", conf, "user", "show", "bob"});
  CHECK(show.out.find("quota_messages\t50\n") != std::string::npos);
  REQUIRE(fs::WriteNewFile(dir.path() + "/empty.conf", "workers = 4\n").ok());
  Outcome no_dir = RunTool({"--config", dir.path() + "/empty.conf", "user", "list"});
  CHECK(no_dir.code == kExitFailure);
  CHECK(no_dir.err.find("no slot_dir setting") != std::string::npos);
  CHECK(RunTool({"--config", dir.path() + "/missing.conf", "user", "list"}).code ==
        kExitFailure);
}

TEST_CASE("mailctl: bad option values exit 5 before the slot is touched") {
  slotmail::testing::TempDir dir;
  Outcome o = RunTool({"--slot-dir", dir.path(), "--kdf-iterations", "5", "user", "list"});
  CHECK(o.code == kExitInvalid);
  CHECK(o.err.rfind("mailctl: user list: --kdf-iterations must be from", 0) == 0);
  CHECK(!fs::Exists(dir.path() + "/users"));
}

TEST_CASE("mailctl: each store error class has its own exit code") {
  CHECK(ExitCodeFor(Status::NotFound("x")) == 3);
  CHECK(ExitCodeFor(Status::Exists("x")) == 4);
  CHECK(ExitCodeFor(Status::InvalidArgument("x")) == 5);
  CHECK(ExitCodeFor(Status::OverQuota("x")) == 6);
  CHECK(ExitCodeFor(Status::TooBig("x")) == 6);
  CHECK(ExitCodeFor(Status::IOError("x")) == 7);
  CHECK(ExitCodeFor(Status::NoSpace("x")) == 7);
  CHECK(ExitCodeFor(Status::Corruption("x")) == 7);
  CHECK(ExitCodeFor(Status::InUse("x")) == 1);
  CHECK(SlotExitCodeFor(Status::NotFound("x")) == 1);
  CHECK(SlotExitCodeFor(Status::InvalidArgument("x")) == 1);
  CHECK(SlotExitCodeFor(Status::IOError("x")) == 7);
}

TEST_CASE("mailctl: passwords: one newline stripped, empty and over-long refused") {
  auto read = [](const std::string& text) {
    std::istringstream in(text);
    return ReadPasswordFrom(in, "test");
  };
  CHECK(read("abc").value() == "abc");
  CHECK(read("abc\n").value() == "abc");
  CHECK(read("abc\r\n").value() == "abc");
  CHECK(read("a\nb\n").value() == "a\nb");
  CHECK(read("abc\r").value() == "abc\r");
  CHECK(read("").status().code() == Code::kInvalidArgument);
  CHECK(read("\n").status().code() == Code::kInvalidArgument);
  const std::string longest(limits::kMaxPasswordBytes, 'p');
  CHECK(read(longest + "\r\n").value() == longest);
  CHECK(read(longest + "p").status().code() == Code::kTooBig);
  CHECK(read(longest + "p\n").status().code() == Code::kTooBig);
}

}  // namespace
}  // namespace slotmail::admin
