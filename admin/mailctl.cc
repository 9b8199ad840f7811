#include "admin/mailctl.h"

#include <algorithm>
#include <ostream>

#include "admin/cluster.h"
#include "admin/commands.h"
#include "admin/control_client.h"
#include "admin/exit_code.h"
#include "admin/format.h"
#include "admin/help.h"
#include "admin/remote.h"
#include "admin/route.h"
#include "admin/slot.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/version.h"
#include "slots/role_file.h"

namespace slotmail::admin {
namespace {

void PrintFailure(std::ostream& err, const std::string& what, const Status& st) {
  err << "mailctl: " << what << ": " << (st.message().empty() ? CodeName(st.code()) : st.message())
      << '\n';
}

// Runs the command on a slot opened directly (a stopped slot). When a
// running slotd holds it, says so with `busy`: why mailctl could not reach
// that slotd instead.
int RunLocal(const Invocation& inv, const SlotSettings& settings, const std::string& what,
             const std::string& busy, Io io) {
  auto slot = OpenSlot(settings);
  if (!slot.ok() && slot.status().code() == Code::kInUse) {
    PrintFailure(io.err, what, Status::InUse(busy));
    return kExitFailure;
  }
  if (!slot.ok()) {
    PrintFailure(io.err, "open slot " + settings.dir, slot.status());
    return SlotExitCodeFor(slot.status());
  }
  return Execute(inv, slot->store.get(), io);
}

// Single-slot mode (--slot-dir or --config): over the control socket when
// the config names one and slotd answers it, else directly.
int RunSingle(const Invocation& inv, Io io) {
  auto settings = ResolveSlot(inv);
  if (!settings.ok()) {
    PrintFailure(io.err, "find slot", settings.status());
    return SlotExitCodeFor(settings.status());
  }
  std::string socket;
  if (inv.Has("config")) {
    auto file = ConfigFile::Load(inv.Option("config"));
    if (file.ok()) socket = file->Get("control_socket", "");
  }
  std::string busy =
      "a running slotd serves it and its config names no control_socket: stop slotd, or give "
      "--config with control_socket set";
  if (!socket.empty()) {
    auto client = ConnectSocket(socket, limits::kControlConnectTimeout);
    if (client.ok()) return RunRemote(client->get(), inv, io);
    busy = "slotd serves it but its control socket " + socket + " does not answer (" +
           client.status().message() + ")";
  }
  return RunLocal(inv, *settings, "slot " + settings->dir, busy, io);
}

// Cluster mode: the command goes to the slot RouteCommand picks, over its
// control channel; a slot that does not answer but lives on this machine
// (its directory is here) is opened directly.
int RunCluster(const Invocation& inv, Io io) {
  auto cluster = LoadCluster(inv);
  if (!cluster.ok()) {
    PrintFailure(io.err, "read cluster", cluster.status());
    return kExitFailure;  // the cluster's files, never the command's user or mailbox
  }
  if (inv.command->group == "user" && inv.command->verb == "list" && !inv.Has("slot") &&
      !inv.Has("store")) {
    return ListClusterUsers(*cluster, io);
  }
  auto target = RouteCommand(*cluster, inv, io);
  if (!target.ok()) {
    PrintFailure(io.err, DescribeCommand(inv), target.status());
    return ExitCodeFor(target.status());
  }
  const slots::SlotDef& slot = **target;
  auto client = ConnectSlot(cluster->prod, cluster->local, slot,
                                           limits::kControlConnectTimeout);
  if (client.ok()) return RunRemote(client->get(), inv, io);
  SlotSettings settings;
  settings.dir = slots::SlotDirectory(cluster->local, slot);
  if (!fs::Exists(settings.dir)) {
    PrintFailure(io.err, "slot " + slot.Name(),
                 Status::IOError("its control channel does not answer (" +
                                 client.status().message() +
                                 ") and its directory is not on this machine"));
    return kExitFailure;
  }
  if (!ReadsOnly(*inv.command)) {
    // A stopped replica takes no writes either: they would fork it from its master.
    auto role = slots::ReadRoleFile(settings.dir);
    if (role.ok() && role->has_value() && (*role)->role != slots::Role::kMaster) {
      PrintFailure(io.err, DescribeCommand(inv),
                   Status::NotMaster("slot " + slot.Name() + " is a " +
                                     slots::RoleName((*role)->role) +
                                     " (stopped); send writes to its store's master"));
      return kExitFailure;
    }
  }
  return RunLocal(inv, settings, "slot " + slot.Name(),
                  "slotd serves it but its control channel does not answer (" +
                      client.status().message() + ")",
                  io);
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
  if (args.size() == 1 && args[0] == "--version") {
    io.out << VersionLine("mailctl") << '\n';
    return kExitOk;
  }
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
  int code;
  if (inv.command->client != nullptr) {
    code = inv.command->client(inv, io);
  } else if (ClusterMode(inv)) {
    code = RunCluster(inv, io);
  } else {
    code = RunSingle(inv, io);
  }
  if (code == kExitOk && !io.out.flush()) {
    PrintFailure(io.err, "write output", Status::IOError("standard output failed"));
    return kExitIo;
  }
  return code;
}

}  // namespace slotmail::admin
