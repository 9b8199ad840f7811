#include "replication/sync_gate.h"

namespace slotmail::replication {

Result<SyncStats> SyncGate::Run(const std::string& user, const Fn& fn, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  Key& k = keys_[user];  // std::map: stays put while other keys come and go
  ++k.callers;
  // A run that starts from now on; one already running began too early.
  const uint64_t need = k.started + 1;
  Result<SyncStats> out = Status::IOError("the replica sync of " + user + " timed out");
  for (;;) {
    if (k.completed >= need) {
      out = k.last;
      break;
    }
    if (!k.running) {
      k.running = true;
      const uint64_t mine = ++k.started;
      lock.unlock();
      Result<SyncStats> r = fn();
      lock.lock();
      k.running = false;
      k.completed = mine;
      k.last = std::move(r);
      cv_.notify_all();
      continue;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && k.completed < need) break;
  }
  if (--k.callers == 0) keys_.erase(user);
  return out;
}

int SyncGate::callers(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(user);
  return it == keys_.end() ? 0 : it->second.callers;
}

}  // namespace slotmail::replication
