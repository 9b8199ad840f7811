#include "admin/exit_code.h"

namespace slotmail::admin {

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case Code::kOk: return kExitOk;
    case Code::kNotFound: return kExitNotFound;
    case Code::kExists: return kExitExists;
    case Code::kInvalidArgument: return kExitInvalid;
    case Code::kOverQuota:
    case Code::kTooBig: return kExitLimit;
    case Code::kIOError:
    case Code::kNoSpace:
    case Code::kCorruption: return kExitIo;
    case Code::kInUse:
    case Code::kProtocol:
    case Code::kNotMaster:
    case Code::kPermission: return kExitFailure;
  }
  return kExitFailure;
}

int SlotExitCodeFor(const Status& st) {
  int code = ExitCodeFor(st);
  return code == kExitIo ? kExitIo : kExitFailure;
}

const char* ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  ok\n"
         "  1  other failure (e.g. the slot cannot be opened, the mailbox has children)\n"
         "  2  usage: unknown command or option, missing or extra arguments\n"
         "  3  not found: the user or mailbox does not exist\n"
         "  4  already exists: the user or mailbox to create exists\n"
         "  5  invalid name or argument value\n"
         "  6  over quota or a limit (too many mailboxes, password too long)\n"
         "  7  I/O error, disk full or corruption\n"
         "  8  status: a slot is down, a store has no live master, or roles disagree\n";
}

}  // namespace slotmail::admin
