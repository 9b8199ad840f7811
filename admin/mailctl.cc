#include "admin/mailctl.h"

#include <ostream>

#include "admin/commands.h"
#include "admin/exit_code.h"
#include "admin/format.h"
#include "admin/help.h"
#include "admin/slot.h"

namespace slotmail::admin {
namespace {

void PrintFailure(std::ostream& err, const std::string& what, const Status& st) {
  err << "mailctl: " << what << ": " << (st.message().empty() ? CodeName(st.code()) : st.message())
      << '\n';
}

}  // namespace

int Execute(const Invocation& inv, store::Store* store, Io io) {
  CommandContext ctx{store, inv, io.in, io.out};
  Status st = inv.command->handler(ctx);
  if (st.ok()) return kExitOk;
  PrintFailure(io.err, DescribeCommand(inv), st);
  return ExitCodeFor(st);
}

int RunMailctl(const std::vector<std::string>& args, Io io) {
  Invocation inv = ParseCommandLine(args);
  if (inv.kind == Invocation::Kind::kHelp) {
    io.out << HelpText(inv);
    return kExitOk;
  }
  if (inv.kind == Invocation::Kind::kUsageError) {
    io.err << "mailctl: " << inv.error << '\n' << UsageText(inv);
    return kExitUsage;
  }
  Status st = ParseValues(&inv);
  if (!st.ok()) {
    PrintFailure(io.err, DescribeCommand(inv), st);
    return ExitCodeFor(st);
  }
  auto slot = ResolveSlot(inv);
  if (!slot.ok()) {
    PrintFailure(io.err, "find slot", slot.status());
    return SlotExitCodeFor(slot.status());
  }
  auto store = OpenSlot(*slot);
  if (!store.ok()) {
    PrintFailure(io.err, "open slot " + slot->dir, store.status());
    return SlotExitCodeFor(store.status());
  }
  int code = Execute(inv, store->get(), io);
  if (code == kExitOk && !io.out.flush()) {
    PrintFailure(io.err, "write output", Status::IOError("standard output failed"));
    return kExitIo;
  }
  return code;
}

}  // namespace slotmail::admin
