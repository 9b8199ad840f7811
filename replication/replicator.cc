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
  for (auto& t : replicas) {
    Replica r;
    r.target = std::move(t);
    replicas_.push_back(std::move(r));
  }
  for (Replica& r : replicas_) {
    writers_.push_back(std::make_unique<WriterSide>(r.target, r.cache.get()));
  }
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

bool Replicator::AllConnected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_connected_;
}

Status Replicator::WaitConfirmed(const std::string& user, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (const auto& w : writers_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::IOError("replication stopped");
      if (std::count(stats_.down.begin(), stats_.down.end(), w->target.name) > 0) {
        return Status::IOError("a replica is unreachable");
      }
    }
    auto done = w->gate.Run(user, [&] { return WriterSync(w.get(), user); }, deadline);
    if (!done.ok()) {
      return Status::IOError(std::string(ChannelFailed(done.status()) ? "a replica is unreachable: "
                                                                      : "the replica refused the change: ") +
                             done.status().message());
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (done->changed) ++stats_.users_synced;
    stats_.blob_bytes += done->blob_bytes;
  }
  return Status::Ok();
}

Result<SyncStats> Replicator::WriterSync(WriterSide* w, const std::string& user) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<ReplicaChannel> ch;
    {
      std::lock_guard<std::mutex> lock(w->mu);
      if (!w->idle.empty()) {
        ch = std::move(w->idle.back());
        w->idle.pop_back();
      }
    }
    const bool reused = ch != nullptr;
    if (!reused) {
      ASSIGN_OR_RETURN(ch, w->target.connect());
      ch->SetCallTimeout(limits::kSyncReplicationTimeout);
    }
    Result<SyncStats> r = SyncUser(master_, ch.get(), user, w->cache);
    if (r.ok() || !ChannelFailed(r.status())) {
      std::lock_guard<std::mutex> lock(w->mu);
      if (w->idle.size() < limits::kSyncModeConnections) w->idle.push_back(std::move(ch));
      return r;
    }
    // A connection that waited in the pool may have gone stale (the replica
    // restarted): one more try on a fresh one.
    if (!reused || attempt > 0) return r;
  }
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
    if (!more.ok() || !*more) {
      cv_.wait_for(lock, limits::kReplicationPollInterval, [this] { return stopping_; });
    }
  }
}

Result<bool> Replicator::RunOnce() {
  std::set<std::string> unique;
  ASSIGN_OR_RETURN(store::ChangeBatch batch, master_->ReadChanges(limits::kReplicationBatchUsers));
  unique.insert(batch.users.begin(), batch.users.end());
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed_since_start_.insert(batch.users.begin(), batch.users.end());
  }
  // Users that failed before come round again once their wait is over.
  const auto now = Clock::now();
  for (const auto& [user, when] : retry_) {
    if (when <= now) unique.insert(user);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!unique.empty() && oldest_ == Clock::time_point{}) oldest_ = now;
    stats_.pending_users = unique.size() + retry_.size();
  }
  const std::vector<std::string> users(unique.begin(), unique.end());
  bool confirmed = true;  // every replica took the whole batch
  bool outage = false;    // a replica has been down too long to keep the log for it
  std::vector<std::string> down;
  for (Replica& r : replicas_) {
    if (!Connect(&r) || !SyncTo(&r, users)) {
      confirmed = false;
      down.push_back(r.target.name);
      if (Clock::now() - r.down_since > limits::kReplicationOutageLimit) outage = true;
      continue;
    }
    if (!ContinueFullPass(&r)) down.push_back(r.target.name);
  }
  PublishFullPasses();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.down = down;
    all_connected_ = down.empty();
  }
  bool more_full = false;
  for (const Replica& r : replicas_) more_full = more_full || !r.full_pass.empty();
  // Down too long: the full pass at its reconnection covers what the log
  // holds for it, so the log need not grow without bound.
  if (!confirmed && !outage) return more_full;
  if (!batch.users.empty()) RETURN_IF_ERROR(master_->AckChanges(batch.end));
  std::lock_guard<std::mutex> lock(mu_);
  stats_.pending_users = retry_.size();
  if (retry_.empty()) oldest_ = {};  // failing users keep the lag growing: it is real
  return !batch.users.empty() || more_full;
}

bool Replicator::Connect(Replica* r) {
  const auto now = Clock::now();
  if (r->channel && now - r->last_call > limits::kReplicationPingInterval) {
    // Idle: is it still the replica we compared? A restarted one (maybe
    // with an empty disk) needs a new full pass, and only a new connection
    // tells.
    r->last_call = now;
    auto pong = r->channel->Call(json::Value::Object().Set("op", "ping"));
    if (!pong.ok()) Lost(r, pong.status());
  }
  if (r->channel) return true;
  if (r->down_since == Clock::time_point{}) r->down_since = now;
  if (now < r->retry_at) return false;
  auto ch = r->target.connect();
  if (!ch.ok()) {
    r->backoff = NextBackoff(r->backoff);
    r->retry_at = now + r->backoff;
    log::Warning("replication: replica " + r->target.name + " unreachable: " +
                 ch.status().message());
    return false;
  }
  // Every user either side has, compared one by one: a replica that was
  // away (or is new) may lack anything.
  std::set<std::string> all;
  auto mine = master_->ListUsers();
  auto theirs = (*ch)->Call(json::Value::Object().Set("op", "users"));
  if (!mine.ok() || !theirs.ok()) {
    Lost(r, mine.ok() ? theirs.status() : mine.status());
    return false;
  }
  all.insert(mine->begin(), mine->end());
  if (const json::Value* list = theirs->Find("users"); list != nullptr && list->is_array()) {
    for (const auto& u : list->Items()) {
      if (u.is_string()) all.insert(u.AsString());
    }
  }
  r->channel = std::move(*ch);
  // More connections, so that several users sync at once (the replica
  // applies different users in parallel). Fewer is fine.
  r->extra.clear();
  for (size_t i = 1; i < limits::kReplicationLanes; ++i) {
    auto more = r->target.connect();
    if (!more.ok()) break;
    r->extra.push_back(std::move(*more));
  }
  r->last_call = now;
  r->backoff = std::chrono::milliseconds(0);
  r->down_since = {};
  r->full_pass.assign(all.rbegin(), all.rend());
  r->progress = FullPassProgress{r->target.name, 0, all.size(), 0};
  log::Info("replication: connected to replica " + r->target.name + "; comparing all " +
            std::to_string(all.size()) + " users");
  return true;
}

std::vector<Result<SyncStats>> Replicator::SyncLanes(Replica* r,
                                                     const std::vector<std::string>& users) {
  SyncGate* gate = &writers_[static_cast<size_t>(r - replicas_.data())]->gate;
  std::vector<ReplicaChannel*> lanes = {r->channel.get()};
  for (auto& e : r->extra) lanes.push_back(e.get());
  std::vector<Result<SyncStats>> out(users.size(), Result<SyncStats>(Status::IOError("not synced")));
  auto run = [&](size_t lane) {
    for (size_t i = lane; i < users.size(); i += lanes.size()) {
      out[i] = gate->Run(users[i], [&] { return SyncUser(master_, lanes[lane], users[i], r->cache.get()); });
      if (!out[i].ok() && ChannelFailed(out[i].status())) return;  // this lane is gone
    }
  };
  if (lanes.size() == 1 || users.size() == 1) {
    run(0);
    return out;
  }
  std::vector<std::thread> threads;
  for (size_t lane = 1; lane < lanes.size() && lane < users.size(); ++lane) threads.emplace_back(run, lane);
  run(0);
  for (auto& t : threads) t.join();
  return out;
}

bool Replicator::SyncTo(Replica* r, const std::vector<std::string>& users) {
  if (!users.empty()) r->last_call = Clock::now();
  const std::vector<Result<SyncStats>> results = SyncLanes(r, users);
  for (size_t i = 0; i < users.size(); ++i) {
    const std::string& user = users[i];
    const Result<SyncStats>& done = results[i];
    if (done.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (retry_.erase(user)) stats_.failing.erase(user);
      if (done->changed) ++stats_.users_synced;
      stats_.blob_bytes += done->blob_bytes;
      continue;
    }
    if (ChannelFailed(done.status())) {
      Lost(r, done.status());
      return false;
    }
    Failed(user, done.status());
  }
  return true;
}

bool Replicator::ContinueFullPass(Replica* r) {
  std::vector<std::string> step;
  while (step.size() < limits::kReplicationFullPassStep && !r->full_pass.empty()) {
    step.push_back(r->full_pass.back());
    r->full_pass.pop_back();
  }
  const std::vector<Result<SyncStats>> results = SyncLanes(r, step);
  for (size_t i = 0; i < step.size(); ++i) {
    const std::string& user = step[i];
    const Result<SyncStats>& done = results[i];
    if (!done.ok() && ChannelFailed(done.status())) {
      Lost(r, done.status());
      return false;
    }
    if (!done.ok()) Failed(user, done.status());
    ++r->progress.users_done;
    if (done.ok()) {
      r->progress.bytes_done += done->blob_bytes;
      std::lock_guard<std::mutex> lock(mu_);
      if (done->changed) ++stats_.users_synced;
      stats_.blob_bytes += done->blob_bytes;
    }
  }
  if (r->full_pass.empty() && r->progress.users_total > 0) {
    log::Info("replication: replica " + r->target.name + " compared in full: " +
              std::to_string(r->progress.users_total) + " users, " +
              std::to_string(r->progress.bytes_done) + " message bytes shipped");
    r->progress.users_total = 0;
  }
  return true;
}

void Replicator::Lost(Replica* r, const Status& st) {
  log::Warning("replication: lost replica " + r->target.name + ": " + st.message());
  r->channel.reset();
  r->extra.clear();
  r->cache->Clear();  // it may come back as another replica
  r->full_pass.clear();  // the next connection starts a new one
  r->progress = FullPassProgress{};
  const auto now = Clock::now();
  r->down_since = now;
  r->backoff = NextBackoff(r->backoff);
  r->retry_at = now + r->backoff;
}

void Replicator::PublishFullPasses() {
  std::vector<FullPassProgress> passes;
  for (const Replica& r : replicas_) {
    if (!r.full_pass.empty()) passes.push_back(r.progress);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.full_passes = std::move(passes);
}

void Replicator::Failed(const std::string& user, const Status& st) {
  log::Error("replication: user " + user + " not synced: " + st.ToString());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = retry_.find(user);
  const auto wait = it == retry_.end() ? limits::kReplicationRetryMin : limits::kReplicationRetryMax;
  retry_[user] = Clock::now() + wait;
  stats_.failing[user] = st.message();
}

std::vector<std::string> Replicator::ChangedSinceStart() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {changed_since_start_.begin(), changed_since_start_.end()};
}

}  // namespace slotmail::replication
