// slotdir, the directory service (doc/directory.md): options, start-up and
// the run until SIGTERM/SIGINT. tools/slotdir.cc is only main().
#pragma once

#include <string>
#include <vector>

namespace slotmail::dirsvc {

// Runs slotdir with `args` (argv without the program name); the exit code.
int RunSlotdir(const std::vector<std::string>& args);

}  // namespace slotmail::dirsvc
