// Password checks (key derivation, deliberately slow) on their own few
// threads at a lower CPU priority, apart from the worker pool that serves
// logged-in sessions: however many clients try to log in, logged-in users'
// commands neither queue behind key derivation nor lose the CPU to it.
// A check whose client has gone by the time a thread is free for it is
// skipped, so a client that hangs up costs no derivation.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/worker_pool.h"

namespace slotmail::imapd {

class LoginChecks {
 public:
  // REQUIRES: threads >= 1.
  explicit LoginChecks(size_t threads);
  ~LoginChecks();  // runs or skips every queued check, then joins

  // Runs `check` on a login thread unless `wanted()` is false when a thread
  // takes it (then it is dropped, and counted in skipped()). Checks with the
  // same `key` run one at a time, in order.
  void Submit(const std::string& key, std::function<bool()> wanted, std::function<void()> check);
  uint64_t skipped() const { return skipped_.load(); }

  // threads for login_workers = 0: a quarter of `cpus`, at least one.
  static size_t DefaultThreads(unsigned cpus);

 private:
  std::atomic<uint64_t> skipped_{0};
  WorkerPool pool_;  // last: joined before skipped_ goes
};

}  // namespace slotmail::imapd
