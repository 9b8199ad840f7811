// The command line: words and options in any order, help levels, usage errors.
#include "admin/cli.h"

#include <doctest/doctest.h>

#include "admin/commands.h"

namespace slotmail::admin {
namespace {

using Kind = Invocation::Kind;

TEST_CASE("mailctl cli: options may come before, between and after the words") {
  Invocation inv = ParseCommandLine({"--slot-dir", "/s", "user", "--bytes=5M", "quota", "alice",
                                     "--messages", "10"});
  REQUIRE_MESSAGE(inv.kind == Kind::kRun, inv.error);
  CHECK(inv.command == FindCommand("user", "quota"));
  CHECK(inv.args == std::vector<std::string>{"alice"});
  CHECK(inv.Option("slot-dir") == "/s");
  CHECK(inv.Option("bytes") == "5M");
  REQUIRE(ParseValues(&inv).ok());
  CHECK(inv.Number("bytes", 0) == 5u << 20);
  CHECK(inv.Number("messages", 0) == 10);
}

TEST_CASE("mailctl cli: -- makes the rest words, so a name may start with '-'") {
  Invocation inv = ParseCommandLine({"--config", "c", "mailbox", "create", "alice", "--", "-x"});
  REQUIRE_MESSAGE(inv.kind == Kind::kRun, inv.error);
  CHECK(inv.args == std::vector<std::string>{"alice", "-x"});
}

TEST_CASE("mailctl cli: --help names the level the words before it reach") {
  Invocation tool = ParseCommandLine({"--help"});
  CHECK(tool.kind == Kind::kHelp);
  CHECK(tool.group.empty());
  Invocation group = ParseCommandLine({"mailbox", "-h"});
  CHECK(group.kind == Kind::kHelp);
  CHECK(group.group == "mailbox");
  CHECK(group.command == nullptr);
  // Help wins over missing arguments and the missing slot.
  Invocation cmd = ParseCommandLine({"user", "add", "--help"});
  CHECK(cmd.kind == Kind::kHelp);
  CHECK(cmd.command == FindCommand("user", "add"));
  for (const auto& c : Commands()) {
    CHECK(ParseCommandLine({c.group, c.verb, "--help"}).kind == Kind::kHelp);
  }
}

TEST_CASE("mailctl cli: unknown commands are usage errors, also with --help") {
  CHECK(ParseCommandLine({}).kind == Kind::kUsageError);
  CHECK(ParseCommandLine({"frob", "--help"}).kind == Kind::kUsageError);
  Invocation inv = ParseCommandLine({"user", "frob", "--help"});
  CHECK(inv.kind == Kind::kUsageError);
  CHECK(inv.group == "user");
  CHECK(inv.error == "unknown command 'user frob'");
  CHECK(ParseCommandLine({"--slot-dir", "s", "user"}).kind == Kind::kUsageError);
}

TEST_CASE("mailctl cli: bad options are usage errors naming the option") {
  auto error = [](std::vector<std::string> args) {
    Invocation inv = ParseCommandLine(args);
    CHECK(inv.kind == Kind::kUsageError);
    return inv.error;
  };
  CHECK(error({"--slot-dir", "s", "user", "list", "--frob"}) == "unknown option --frob");
  CHECK(error({"--slot-dir", "s", "user", "list", "-x"}) == "unknown option -x");
  CHECK(error({"--slot-dir", "s", "user", "list", "--password-stdin"}) ==
        "option --password-stdin does not apply to 'user list'");
  CHECK(error({"--slot-dir", "s", "user", "list", "--password-stdin=1"}) ==
        "option --password-stdin takes no value");
  CHECK(error({"user", "list", "--slot-dir"}) == "option --slot-dir needs a value");
  CHECK(error({"--slot-dir", "s", "--slot-dir", "t", "user", "list"}) ==
        "option --slot-dir given twice");
}

TEST_CASE("mailctl cli: argument counts, option rules and the slot are checked") {
  auto kind = [](std::vector<std::string> args) { return ParseCommandLine(args).kind; };
  CHECK(kind({"--slot-dir", "s", "user", "show"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "user", "show", "a", "b"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "mailbox", "list", "a", "*"}) == Kind::kRun);
  CHECK(kind({"--slot-dir", "s", "user", "add", "a"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "user", "add", "a", "--password-stdin", "--password-file",
              "f"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "user", "add", "a", "--password-stdin"}) == Kind::kRun);
  CHECK(kind({"--slot-dir", "s", "user", "quota", "a"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "user", "quota", "a", "--messages", "1"}) == Kind::kRun);
  CHECK(kind({"--slot-dir", "s", "--config", "c", "user", "list"}) == Kind::kUsageError);
}

TEST_CASE("mailctl cli: without a slot a command works on the cluster, aimed at most once") {
  auto kind = [](std::vector<std::string> a) { return ParseCommandLine(a).kind; };
  CHECK(kind({"user", "list"}) == Kind::kRun);
  CHECK(kind({"--slot", "m1:1", "user", "list"}) == Kind::kRun);
  CHECK(kind({"--store", "s1", "user", "show", "a"}) == Kind::kRun);
  CHECK(kind({"--slot", "m1:1", "--store", "s1", "user", "list"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "--slot", "m1:1", "user", "list"}) == Kind::kUsageError);
  CHECK(kind({"--slot-dir", "s", "--cluster", "p", "user", "list"}) == Kind::kUsageError);
  // Cluster commands are one word (check, config, status) or "slot role".
  Invocation status = ParseCommandLine({"status", "--json"});
  CHECK(status.kind == Kind::kRun);
  CHECK(status.command == FindCommand("status", ""));
  CHECK(kind({"--slot-dir", "s", "status"}) == Kind::kUsageError);
  CHECK(kind({"status", "extra"}) == Kind::kUsageError);
  CHECK(kind({"check"}) == Kind::kRun);
  CHECK(kind({"check", "f", "g"}) == Kind::kUsageError);
  CHECK(kind({"config"}) == Kind::kUsageError);
  CHECK(kind({"slot", "role", "m1:1", "replica"}) == Kind::kUsageError);  // --epoch missing
  CHECK(kind({"slot", "role", "m1:1", "replica", "--epoch", "2"}) == Kind::kRun);
}

TEST_CASE("mailctl cli: numbers take K/M/G/T suffixes where sizes are meant") {
  CHECK(ParseNumber("0", false).value() == 0);
  CHECK(ParseNumber("18446744073709551615", false).value() == UINT64_MAX);
  CHECK(!ParseNumber("18446744073709551616", false).ok());
  CHECK(!ParseNumber("", false).ok());
  CHECK(!ParseNumber("-1", false).ok());
  CHECK(!ParseNumber("1K", false).ok());
  CHECK(ParseNumber("1K", true).value() == 1024);
  CHECK(ParseNumber("3g", true).value() == 3ull << 30);
  CHECK(ParseNumber("2T", true).value() == 2ull << 40);
  CHECK(!ParseNumber("K", true).ok());
  CHECK(!ParseNumber("16777216T", true).ok());  // 2^64
}

TEST_CASE("mailctl cli: option values out of range are invalid arguments") {
  Invocation inv = ParseCommandLine({"--slot-dir", "s", "--kdf-iterations", "10", "user", "list"});
  REQUIRE(inv.kind == Kind::kRun);
  Status st = ParseValues(&inv);
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("--kdf-iterations") != std::string::npos);
  inv = ParseCommandLine({"--slot-dir", "s", "user", "quota", "a", "--bytes", "lots"});
  CHECK(ParseValues(&inv).code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace slotmail::admin
