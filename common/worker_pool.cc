#include "common/worker_pool.h"

namespace slotmail {

WorkerPool::WorkerPool(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Submit(const std::string& key, std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& q = queues_[key];
  q.push_back(std::move(task));
  queued_.fetch_add(1, std::memory_order_relaxed);
  if (q.size() == 1 && !running_.count(key)) {
    ready_.push_back(key);
    cv_.notify_one();
  }
}

void WorkerPool::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return !ready_.empty() || (stopping_ && queues_.empty()); });
    if (ready_.empty()) return;  // stopping, and no task pending or running
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto& q = queues_[key];
    std::function<void()> task = std::move(q.front());
    q.pop_front();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    running_.insert(key);
    lock.unlock();
    task();
    lock.lock();
    running_.erase(key);
    auto it = queues_.find(key);
    if (it->second.empty()) {
      queues_.erase(it);
    } else {
      ready_.push_back(key);
    }
    // Wake one idle thread only when there is work it can take (this one
    // loops back for ready_ itself when nothing else wakes). Waking them all
    // after every task made the idle threads stampede on mu_ and go back to
    // sleep, costing a context switch each on a small machine.
    if (ready_.size() > 1) cv_.notify_one();
    if (stopping_ && queues_.empty()) cv_.notify_all();
  }
}

}  // namespace slotmail
