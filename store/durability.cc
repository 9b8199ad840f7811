#include "store/durability.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs.h"
#include "common/metrics.h"

namespace slotmail::store {

metrics::Counter& SyncCounter(std::string_view kind, bool failed) {
  if (failed) {
    return metrics::Global().GetCounter("slotmail_store_sync_errors_total",
                                        "Store sync rounds that failed, by kind",
                                        {{"kind", std::string(kind)}});
  }
  return metrics::Global().GetCounter("slotmail_store_syncs_total",
                                      "Store sync rounds (one fsync batch each), by kind",
                                      {{"kind", std::string(kind)}});
}

Result<std::unique_ptr<Durability>> Durability::Open(const std::string& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fs::ErrnoStatus("open", root, errno);
  auto d = std::make_unique<Durability>([fd, root]() -> Status {
    return fs::SyncFileSystem(fd, root);
  });
  d->root_fd_ = fd;
  return d;
}

Durability::Durability(SyncFn sync) : sync_(std::move(sync)) {}

Durability::~Durability() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

Status Durability::Sync() {
  std::unique_lock<std::mutex> lock(mu_);
  // A round already running may have started before our writes; we need the
  // next round to start, i.e. round number started_ + 1.
  const uint64_t needed = started_ + 1;
  while (completed_ < needed) {
    if (running_) {
      cv_.wait(lock);
      continue;
    }
    running_ = true;
    const uint64_t round = ++started_;
    lock.unlock();
    Status st = sync_();
    static metrics::Counter& rounds = SyncCounter("group", false);
    static metrics::Counter& failures = SyncCounter("group", true);
    rounds.Inc();
    if (!st.ok()) failures.Inc();
    lock.lock();
    running_ = false;
    completed_ = round;
    if (!st.ok()) {
      last_failed_ = round;
      last_error_ = st;
    }
    cv_.notify_all();
  }
  // Conservative: a failure of any round from ours on fails us too.
  if (last_failed_ >= needed) return last_error_;
  return Status::Ok();
}

uint64_t Durability::syncs_done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_;
}

}  // namespace slotmail::store
