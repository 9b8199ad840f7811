// mailctl's command table: one entry per "GROUP VERB" with its arguments,
// options, help text and handler. Dispatch and help pages both read it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "admin/cli.h"
#include "common/status.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::admin {

// What a handler works with. Handlers print their results to `out` only once
// the store calls they need have succeeded; failures are returned, and the
// caller prints them and picks the exit code.
struct CommandContext {
  store::Store* store;
  const Invocation& inv;  // kind == kRun, values parsed (ParseValues)
  std::istream& in;       // for --password-stdin
  std::ostream& out;
};

using Handler = Status (*)(const CommandContext& ctx);

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// A command that runs in mailctl itself, on the cluster as a whole (status,
// check, config, slot role): it prints its own output and errors and
// returns the exit code.
using ClientHandler = int (*)(const Invocation& inv, Io io);

// Of the options `names`, at least `min` and at most `max` must be given.
struct OptionRule {
  std::vector<std::string> names;
  size_t min;
  size_t max;
};

struct CommandSpec {
  std::string group;     // "user"
  std::string verb;      // "add"
  std::string synopsis;  // what follows "mailctl user add" in the usage line
  std::string summary;   // one line, for the tool's and the group's help
  std::string details;   // the command's help: behaviour and output format
  size_t min_args, max_args;         // positional arguments after the verb
  std::vector<std::string> options;  // command options (global ones always apply)
  std::vector<OptionRule> rules;
  Handler handler;                 // a store command: runs where the slot is
  ClientHandler client = nullptr;  // or a cluster command (handler null)
};

const std::vector<CommandSpec>& Commands();
// Whether a store command only reads (list, show): the only ones a replica
// or fenced slot runs; every other store command is a write.
bool ReadsOnly(const CommandSpec& c);
// "user add", or "status" for a one-word command.
std::string CommandWords(const CommandSpec& c);
// nullptr if there is no such command.
const CommandSpec* FindCommand(std::string_view group, std::string_view verb);
bool IsGroup(std::string_view group);

}  // namespace slotmail::admin
