// mailctl's exit codes: one per class of failure, stable for scripts and
// documented in doc/mailctl.md and every --help page.
#pragma once

#include "common/status.h"

namespace slotmail::admin {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,   // anything else, including failing to open the slot
  kExitUsage = 2,     // unknown command or option, missing or extra arguments
  kExitNotFound = 3,  // the user or mailbox named does not exist
  kExitExists = 4,    // the user or mailbox to create already exists
  kExitInvalid = 5,   // an invalid name or argument value
  kExitLimit = 6,     // over quota or a limit (too many mailboxes, too big)
  kExitIo = 7,        // I/O error, disk full or corruption
  kExitUnhealthy = 8, // status: a slot down, a store without a live master, roles disagree
};

// The exit code for a command's failed Status. REQUIRES: !st.ok().
int ExitCodeFor(const Status& st);

// The exit code when the slot itself cannot be found or opened: codes 3-6
// always describe the command's user, mailbox or argument, never the slot or
// its config file, so a script testing for "no such user" is never misled by
// a wrong --slot-dir. I/O and corruption still give kExitIo.
int SlotExitCodeFor(const Status& st);

// The exit-code table for help pages, one line per code.
const char* ExitCodeHelp();

}  // namespace slotmail::admin
