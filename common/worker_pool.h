// A small pool of threads for disk work (SQLite, fsync, hashing), so the
// event loop never blocks on it. Tasks with the same key run one at a time
// in submission order (e.g. key = user: one user's work is serialised);
// tasks with different keys run in parallel.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace slotmail {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();  // runs every queued task, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(const std::string& key, std::function<void()> task);
  // Tasks submitted and not started yet (any thread; a moment's view).
  size_t queued() const { return queued_.load(std::memory_order_relaxed); }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  // Invariants (under mu_): queues_ has an entry for a key while it has a
  // task pending or running; running_ holds keys with a task running; a key
  // is in ready_ iff it has pending tasks and is not running.
  std::unordered_map<std::string, std::deque<std::function<void()>>> queues_;
  std::unordered_set<std::string> running_;
  std::deque<std::string> ready_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> queued_{0};
};

}  // namespace slotmail
