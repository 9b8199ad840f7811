// Group commit: makes writes durable with one sync shared by every thread
// waiting at the same time.
//
// Writers write (files, renames, SQLite WAL frames with synchronous=NORMAL)
// without syncing, then call Sync(). Sync() returns once a sync of the whole
// file system holding the slot has *started after* the call and completed, so
// every write the caller issued before calling is durable. While one sync
// runs, new callers queue up and share the next one: N concurrent writers
// cost about two syncs, not N. See doc/store.md "Durability".
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::metrics {
class Counter;
}

namespace slotmail::store {

// The metrics counter of sync rounds of `kind` ("group": Durability;
// "lazy": LazySync), or with `failed` of those that failed (doc/metrics.md).
metrics::Counter& SyncCounter(std::string_view kind, bool failed);

class Durability {
 public:
  // The function that makes everything on the slot's file system durable.
  // Production uses syncfs(2) on a descriptor of the slot root; tests may
  // inject failures.
  using SyncFn = std::function<Status()>;

  static Result<std::unique_ptr<Durability>> Open(const std::string& root);
  explicit Durability(SyncFn sync);
  ~Durability();

  // Returns Ok when every write this thread issued before the call is durable;
  // IOError/NoSpace if the sync that should have covered them failed.
  Status Sync();

  uint64_t syncs_done() const;  // for benchmarks and tests

 private:
  SyncFn sync_;
  int root_fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  uint64_t started_ = 0;      // rounds started
  uint64_t completed_ = 0;    // rounds completed (in order; one runs at a time)
  uint64_t last_failed_ = 0;  // highest round that failed, 0 if none
  Status last_error_;
};

}  // namespace slotmail::store
