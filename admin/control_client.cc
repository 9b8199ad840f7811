#include "admin/control_client.h"

#include "common/fs.h"
#include "common/limits.h"
#include "slots/control_server.h"

namespace slotmail::admin {
namespace {

Result<std::unique_ptr<ControlClient>> Hello(std::unique_ptr<LineClient> line) {
  json::Value hello = json::Value::Object()
                          .Set("hello", "slotmail-control")
                          .Set("version", slots::kControlVersion);
  return slots::RpcClient::Open(std::move(line), hello, limits::kMaxControlLineBytes);
}

}  // namespace

Result<std::unique_ptr<ControlClient>> ConnectSlot(const slots::Production& prod,
                                                   const slots::LocalSettings& local,
                                                   const slots::SlotDef& slot,
                                                   std::chrono::milliseconds timeout) {
  const std::string socket = slots::ControlSocketPath(local, slot);
  if (fs::Exists(socket)) {
    auto c = LineClient::ConnectUnix(socket, timeout);
    if (c.ok()) return Hello(std::move(*c));
  }
  const slots::Machine* m = prod.FindMachine(slot.machine);
  if (m == nullptr) return Status::NotFound("slot " + slot.Name() + ": unknown machine");
  ClientTls tls{local.tls_cert, local.tls_key, local.cluster_ca, m->address};
  ASSIGN_OR_RETURN(auto line, LineClient::ConnectTcp(m->address, slot.ports.control, &tls, timeout));
  return Hello(std::move(line));
}

Result<std::unique_ptr<ControlClient>> ConnectSocket(const std::string& path,
                                                     std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(auto line, LineClient::ConnectUnix(path, timeout));
  return Hello(std::move(line));
}

}  // namespace slotmail::admin
