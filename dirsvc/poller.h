// Keeps the directory current: every `interval` it asks each slot of
// production.dat over its control channel for `status` (and a master for
// `users`), in parallel, each call bounded by `timeout`, and when anything
// changed builds a new Snapshot and hands it to `publish` (from the poller's
// thread). production.dat is re-read whenever its text changes, so a
// failover's or move's rewrite is followed. Connections are kept between
// rounds and redialled after an error. Blocking I/O on its own thread: the
// loop thread never waits for a slot.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "admin/control_client.h"
#include "dirsvc/snapshot.h"

namespace slotmail::dirsvc {

class Poller {
 public:
  using Millis = std::chrono::milliseconds;
  using Publish = std::function<void(std::shared_ptr<const Snapshot>)>;
  Poller(std::string production_path, slots::LocalSettings local, Millis interval,
         Millis timeout, Publish publish);
  ~Poller();  // Stop()

  // Loads production.dat (an invalid file is an error here, and later only
  // a log line: the last good one stays) and starts polling.
  Status Start();
  void Stop();

 private:
  struct SlotConn {
    std::unique_ptr<admin::ControlClient> client;
    bool was_reachable = true;  // for the log: say once when it goes and comes
  };
  void Run();
  void Round();
  // Re-reads production.dat when its text changed.
  Status Reload();
  SlotReport PollSlot(const slots::SlotDef& def, SlotConn* conn);

  const std::string path_;
  const slots::LocalSettings local_;
  const Millis interval_, timeout_;
  Publish publish_;

  std::string text_;  // production.dat as last loaded
  slots::Production prod_;
  std::map<std::string, SlotConn> conns_;  // slot name ->
  std::vector<SlotReport> last_;
  std::shared_ptr<const Snapshot> snap_;
  uint64_t generation_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace slotmail::dirsvc
