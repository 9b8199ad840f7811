// One user's syncs to one replica, one at a time and shared (group commit
// per user): Run returns the outcome of a sync that *started after* the
// call, whether the caller ran it or another caller that came at the same
// time did. A sync-mode writer needs exactly that: a sync that began once
// its write was durable on the master carries the write. The rolling
// replicator's lanes go through the same gate, so two syncs of one user to
// one replica never overlap (they would race for the replica's state).
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "replication/user_sync.h"

namespace slotmail::replication {

class SyncGate {
 public:
  using Clock = std::chrono::steady_clock;
  using Fn = std::function<Result<SyncStats>()>;

  // Runs `fn` for `user`, or waits for a run of another caller that started
  // after this call. IOError "timed out" if none has finished by `deadline`
  // (a run this caller started is waited for however long it takes: `fn`
  // bounds itself).
  Result<SyncStats> Run(const std::string& user, const Fn& fn,
                        Clock::time_point deadline = Clock::time_point::max());
  // Callers in Run for `user` now (tests).
  int callers(const std::string& user);

 private:
  struct Key {
    uint64_t started = 0;    // runs started
    uint64_t completed = 0;  // the last run that finished (runs never overlap)
    bool running = false;
    Result<SyncStats> last = Status::IOError("not synced");  // the outcome of `completed`
    int callers = 0;  // in Run now; the entry goes with the last
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Key> keys_;
};

}  // namespace slotmail::replication
