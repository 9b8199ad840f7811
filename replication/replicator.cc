#include "replication/replicator.h"

#include <algorithm>
#include <set>

#include "common/limits.h"
#include "common/log.h"
#include "replication/user_sync.h"
#include "store/store.h"

namespace slotmail::replication {
namespace {

using Clock = std::chrono::steady_clock;

// A transport failure (the replica went away, or spoke nonsense): the
// whole batch waits for a reconnect. Anything else is about one user.
bool ChannelFailed(const Status& st) {
  return st.code() == Code::kIOError || st.code() == Code::kProtocol;
}

std::chrono::milliseconds NextBackoff(std::chrono::milliseconds b) {
  return std::min(limits::kReplicationRetryMax, std::max(limits::kReplicationRetryMin, b * 2));
}

}  // namespace

Replicator::Replicator(store::Store* master, std::vector<ReplicaTarget> replicas)
    : master_(master) {
  for (auto& t : replicas) replicas_.push_back(Replica{std::move(t), nullptr});
}

Replicator::~Replicator() { Stop(); }

void Replicator::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Replicator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReplicatorStats Replicator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ReplicatorStats s = stats_;
  if (s.pending_users > 0 && oldest_ != Clock::time_point{}) {
    s.lag_seconds = std::chrono::duration<double>(Clock::now() - oldest_).count();
  }
  return s;
}

void Replicator::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto more = RunOnce();
    if (!more.ok()) log::Error("replication: " + more.status().ToString());
    lock.lock();
    // Go straight on while the log has more; otherwise look again soon.
    if (!more.ok() || !*more) cv_.wait_for(lock, limits::kReplicationPollInterval, [this] { return stopping_; });
  }
}

Result<bool> Replicator::RunOnce() {
  ASSIGN_OR_RETURN(store::ChangeBatch batch, master_->ReadChanges(limits::kReplicationBatchUsers));
  std::set<std::string> unique(batch.users.begin(), batch.users.end());
  // Users that failed before come round again once their wait is over.
  const auto now = Clock::now();
  for (const auto& [user, when] : retry_) {
    if (when <= now) unique.insert(user);
  }
  if (unique.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.pending_users = retry_.size();
    if (retry_.empty()) oldest_ = {};
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (oldest_ == Clock::time_point{}) oldest_ = now;
    stats_.pending_users = unique.size() + retry_.size();
  }
  const std::vector<std::string> users(unique.begin(), unique.end());
  bool all = true;
  std::vector<std::string> down;
  for (Replica& r : replicas_) {
    if (!SyncTo(&r, users)) {
      all = false;
      down.push_back(r.target.name);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.down = down;
  }
  if (!all) return false;  // the batch stays unacknowledged; retried after backoff
  if (!batch.users.empty()) RETURN_IF_ERROR(master_->AckChanges(batch.end));
  std::lock_guard<std::mutex> lock(mu_);
  stats_.pending_users = retry_.size();
  if (retry_.empty()) oldest_ = {};  // failing users keep the lag growing: it is real
  return !batch.users.empty();
}

bool Replicator::SyncTo(Replica* r, const std::vector<std::string>& users) {
  const auto now = Clock::now();
  if (!r->channel) {
    if (now < r->retry_at) return false;
    auto ch = r->target.connect();
    if (!ch.ok()) {
      r->backoff = NextBackoff(r->backoff);
      r->retry_at = now + r->backoff;
      log::Warning("replication: replica " + r->target.name + " unreachable: " +
                   ch.status().message());
      return false;
    }
    r->channel = std::move(*ch);
    r->backoff = std::chrono::milliseconds(0);
    log::Info("replication: connected to replica " + r->target.name);
  }
  for (const std::string& user : users) {
    auto done = SyncUser(master_, r->channel.get(), user);
    if (done.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (retry_.erase(user)) stats_.failing.erase(user);
      if (done->changed) ++stats_.users_synced;
      stats_.blob_bytes += done->blob_bytes;
      continue;
    }
    if (ChannelFailed(done.status())) {
      log::Warning("replication: lost replica " + r->target.name + ": " + done.status().message());
      r->channel.reset();
      r->backoff = NextBackoff(r->backoff);
      r->retry_at = Clock::now() + r->backoff;
      return false;
    }
    Failed(user, done.status());
  }
  return true;
}

void Replicator::Failed(const std::string& user, const Status& st) {
  log::Error("replication: user " + user + " not synced: " + st.ToString());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = retry_.find(user);
  const auto wait = it == retry_.end() ? limits::kReplicationRetryMin : limits::kReplicationRetryMax;
  retry_[user] = Clock::now() + wait;
  stats_.failing[user] = st.message();
}

}  // namespace slotmail::replication
