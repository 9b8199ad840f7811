#include "store/lazy_sync.h"

#include "common/metrics.h"
#include "store/durability.h"

namespace slotmail::store {

LazySync::LazySync(std::chrono::milliseconds delay, SyncFileFn sync, CollectFn collect)
    : delay_(delay), sync_(std::move(sync)), collect_(std::move(collect)) {
  thread_ = std::thread([this] { Run(); });
}

LazySync::~LazySync() { (void)Stop(); }

void LazySync::Note(const std::string& user, std::vector<std::string> files,
                    std::vector<std::string> guids) {
  std::lock_guard<std::mutex> lock(mu_);
  if (NothingPending()) oldest_ = std::chrono::steady_clock::now();
  Pending& p = pending_[user];
  p.files.insert(files.begin(), files.end());
  p.guids.insert(p.guids.end(), guids.begin(), guids.end());
  ++stats_.noted;
  cv_.notify_all();
}

void LazySync::NoteShared(const std::string& file) {
  std::lock_guard<std::mutex> lock(mu_);
  if (NothingPending()) oldest_ = std::chrono::steady_clock::now();
  shared_.insert(file);
  cv_.notify_all();
}

LazySync::Pending LazySync::Take(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(user);
  if (it == pending_.end()) return {};
  Pending p = std::move(it->second);
  pending_.erase(it);
  ++stats_.taken;
  return p;
}

Status LazySync::SyncAll(std::map<std::string, Pending> batch,
                         const std::set<std::string>& shared) {
  // A segment shared by many users is synced once per round.
  std::set<std::string> done;
  Status first = Status::Ok();
  for (auto& [user, p] : batch) {
    Status st = Status::Ok();
    for (const auto& f : p.files) {
      if (done.count(f)) continue;
      Status s = sync_(f);
      if (!s.ok() && s.code() != Code::kNotFound) {
        st = s;
        break;
      }
      done.insert(f);
    }
    if (st.ok()) {
      if (!p.guids.empty()) collect_(user, p.guids);
    } else if (first.ok()) {
      first = st;  // the blobs stay: orphans are garbage, a missing blob is damage
    }
  }
  for (const auto& f : shared) {
    if (done.count(f)) continue;
    Status s = sync_(f);
    if (!s.ok() && s.code() != Code::kNotFound && first.ok()) first = s;
  }
  return first;
}

Status LazySync::Flush() {
  std::lock_guard<std::mutex> round(flush_mu_);
  std::map<std::string, Pending> batch;
  std::set<std::string> shared;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
    shared.swap(shared_);
    if (!batch.empty()) ++stats_.flushes;
  }
  if (batch.empty() && shared.empty()) return Status::Ok();
  Status st = SyncAll(std::move(batch), shared);
  static metrics::Counter& rounds = SyncCounter("lazy", false);
  static metrics::Counter& failures = SyncCounter("lazy", true);
  rounds.Inc();
  if (!st.ok()) failures.Inc();
  return st;
}

void LazySync::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (NothingPending()) {
      cv_.wait(lock);
      continue;
    }
    const auto due = oldest_ + delay_;
    if (std::chrono::steady_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    lock.unlock();
    // Nobody is left to tell of an error here: the writers have their OK.
    // That is the risk the lazy policy takes (doc/store.md "Durability").
    (void)Flush();
    lock.lock();
  }
}

Status LazySync::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  return Flush();
}

LazySync::Stats LazySync::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.pending_users = pending_.size();
  return s;
}

}  // namespace slotmail::store
