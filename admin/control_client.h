// mailctl's end of the control channel (doc/control.md): finds a slot's
// socket from production.dat and the machine-local file, connects (Unix
// socket on this machine, else TCP with mutual TLS), says hello, and makes
// calls. Every step is bounded by a timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/json.h"
#include "common/line_client.h"
#include "slots/production.h"
#include "slots/slot_settings.h"

namespace slotmail::admin {

class ControlClient {
 public:
  using Millis = std::chrono::milliseconds;
  // Connects to `slot` of the cluster and says hello, all within `timeout`.
  static Result<std::unique_ptr<ControlClient>> ConnectSlot(const slots::Production& prod,
                                                           const slots::LocalSettings& local,
                                                           const slots::SlotDef& slot,
                                                           Millis timeout);
  // Connects to a Unix control socket (single-slot mode) and says hello.
  static Result<std::unique_ptr<ControlClient>> ConnectSocket(const std::string& path,
                                                             Millis timeout);

  // The hello answer's fields (slot, store, role, epoch).
  const json::Value& hello() const { return hello_; }
  // Sends `request` (an object; "id" is added) and returns the answer's
  // fields when ok; an error answer becomes the Status it names.
  Result<json::Value> Call(json::Value request, Millis timeout);

 private:
  explicit ControlClient(std::unique_ptr<LineClient> line) : line_(std::move(line)) {}
  Status Hello();

  std::unique_ptr<LineClient> line_;
  json::Value hello_;
  int64_t next_id_ = 1;
};

}  // namespace slotmail::admin
