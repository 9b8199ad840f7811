// mailctl as a library: tools/mailctl.cc only hands it argv and the standard
// streams. See doc/mailctl.md for the commands, output and exit codes.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "admin/cli.h"
#include "admin/commands.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::admin {


// Runs mailctl with `args` (argv without argv[0]): parses them, opens the
// slot, runs the command. Returns the exit code (exit_code.h).
int RunMailctl(const std::vector<std::string>& args, Io io);

// Runs a parsed command against an open store: the handler's output to
// io.out, a failure as one line "mailctl: <command>: <reason>" to io.err.
// Returns the exit code. REQUIRES: inv.kind == kRun and ParseValues succeeded.
int Execute(const Invocation& inv, store::Store* store, Io io);

}  // namespace slotmail::admin
