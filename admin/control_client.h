// mailctl's end of the control channel (doc/control.md): finds a slot's
// socket from production.dat and the machine-local file, connects (Unix
// socket on this machine, else TCP with mutual TLS) and says hello, all
// within the timeout. Calls then go through slots::RpcClient.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "slots/production.h"
#include "slots/rpc_client.h"
#include "slots/slot_settings.h"

namespace slotmail::admin {

using ControlClient = slots::RpcClient;

// Connects to `slot` of the cluster.
Result<std::unique_ptr<ControlClient>> ConnectSlot(const slots::Production& prod,
                                                   const slots::LocalSettings& local,
                                                   const slots::SlotDef& slot,
                                                   std::chrono::milliseconds timeout);
// Connects to a Unix control socket (single-slot mode).
Result<std::unique_ptr<ControlClient>> ConnectSocket(const std::string& path,
                                                     std::chrono::milliseconds timeout);

}  // namespace slotmail::admin
