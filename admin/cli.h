// mailctl's command line: the option table and a parser that turns argv into
// an Invocation (which command, its arguments and options) or a usage error.
// Pure: no I/O. Options may come before, between or after the command words;
// "--name=value" and "--name value" are the same; "--" ends the options.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slotmail::admin {

struct CommandSpec;

enum class OptionKind {
  kFlag,    // no value
  kText,    // any value
  kNumber,  // decimal, in [min, max]
  kSize,    // decimal with an optional K/M/G/T suffix (powers of 1024), in [min, max]
};

struct OptionSpec {
  const char* name;        // without the leading "--"
  OptionKind kind;
  const char* value_name;  // "FILE", "N"; "" for flags
  bool global;             // accepted by every command (the slot options)
  uint64_t min, max;       // kNumber and kSize only
  const char* help;        // one line
};

// Every option, global ones first. nullptr if `name` is unknown.
const std::vector<OptionSpec>& Options();
const OptionSpec* FindOption(std::string_view name);

struct Invocation {
  enum class Kind { kRun, kHelp, kUsageError };
  Kind kind = Kind::kUsageError;
  std::string group;                    // "user", "mailbox"; "" if not resolved
  const CommandSpec* command = nullptr;  // set once group and verb resolve
  std::vector<std::string> args;        // the words after group and verb
  std::map<std::string, std::string> options;  // by name; flags map to ""
  std::map<std::string, uint64_t> numbers;     // kNumber/kSize values (ParseValues)
  std::string error;                    // kUsageError: what is wrong

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Option(const std::string& name) const;
  uint64_t Number(const std::string& name, uint64_t fallback) const;
};

// argv without argv[0]. kHelp when --help/-h is given and the words up to it
// name the tool, a group or a command (that level's help is meant); the
// error of a kUsageError names what was wrong, and group/command say whose
// usage to show.
Invocation ParseCommandLine(const std::vector<std::string>& argv);

// Converts the values of kNumber and kSize options into inv->numbers.
// InvalidArgument naming the option for a malformed or out-of-range value.
Status ParseValues(Invocation* inv);

// "1048576", "1M", "10G" (with_suffix); InvalidArgument if malformed or over
// UINT64_MAX.
Result<uint64_t> ParseNumber(std::string_view text, bool with_suffix);

}  // namespace slotmail::admin
