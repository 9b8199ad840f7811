// Rolling replication on a master (doc/replication.md "Rolling mode"): a
// thread drains the store's change log, coalesces the users named there
// and syncs each to every replica (user_sync.h). The log is acknowledged
// only once every replica has confirmed every user of the batch, so a
// replica that is down leaves the log growing and catches up when it
// returns; after kReplicationOutageLimit the log is acknowledged anyway,
// because every (re)connection starts with a full pass: every user of
// either side compared, a little at a time between the log's batches. The
// full pass is also how a new, empty replica is filled (initial sync).
// A user whose sync fails for its own reasons (a checksum that still
// differs after a complete image, a store error) does not stall the
// others: it is retried with backoff and reported in stats().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "replication/channel.h"
#include "replication/sync_gate.h"
#include "replication/user_sync.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::replication {

struct ReplicaTarget {
  std::string name;  // the replica's slot, for logs and stats
  std::function<Result<std::unique_ptr<ReplicaChannel>>()> connect;
};

// A full pass to one replica in progress (initial sync or catch-up).
struct FullPassProgress {
  std::string replica;
  size_t users_done = 0;
  size_t users_total = 0;
  uint64_t bytes_done = 0;  // message bytes shipped by this pass
};

struct ReplicatorStats {
  size_t pending_users = 0;  // users changed here and not yet confirmed everywhere
  double lag_seconds = 0;    // age of the oldest unconfirmed change (0 when none)
  std::vector<std::string> down;     // replicas not reachable now
  std::map<std::string, std::string> failing;  // user -> last error
  uint64_t users_synced = 0;  // user syncs that changed something, since start
  uint64_t blob_bytes = 0;    // message bytes shipped, since start
  std::vector<FullPassProgress> full_passes;  // in progress
};

class Replicator {
 public:
  // `master` must outlive the replicator.
  Replicator(store::Store* master, std::vector<ReplicaTarget> replicas);
  ~Replicator();  // stops the thread

  void Start();
  // Stops after the user being synced; what is unconfirmed stays in the log.
  void Stop();
  ReplicatorStats stats() const;

  // Sync mode: syncs `user` to every replica on the calling thread (over
  // connections of its own, not the replication thread's lanes) and
  // returns once a sync that started after this call has confirmed it
  // everywhere. Concurrent writers of one user share one sync (SyncGate:
  // group commit); writers of different users sync in parallel, and their
  // applies share the replica's disk syncs. IOError when a replica is
  // unreachable or refuses the user, when `timeout` passes, or when
  // replication stops.
  Status WaitConfirmed(const std::string& user, std::chrono::milliseconds timeout);
  // Whether every replica is connected (as of the last pass).
  bool AllConnected() const;
  // The users the change log named since this replicator started: its
  // first full pass to each replica compared every user, so these are the
  // users changed since the last point where all were verified equal
  // (what a planned failover compares unless asked for all).
  std::vector<std::string> ChangedSinceStart() const;

  // One pass without the thread (tests): reads a batch, syncs it, and
  // acknowledges it if every replica confirmed it. Ok(false) when the log
  // was empty.
  Result<bool> RunOnce();

 private:
  struct Replica {
    ReplicaTarget target;
    std::unique_ptr<ReplicaChannel> channel;              // pings, user lists, syncs
    std::vector<std::unique_ptr<ReplicaChannel>> extra;   // more lanes for syncs
    std::unique_ptr<SummaryCache> cache = std::make_unique<SummaryCache>();  // shared by the lanes
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds backoff{0};
    std::chrono::steady_clock::time_point down_since{};  // {} while connected
    std::chrono::steady_clock::time_point last_call{};   // to ping an idle one
    std::vector<std::string> full_pass;  // users still to compare, back first
    FullPassProgress progress;
  };
  // Sync mode's side of one replica: the writers' threads use these, the
  // replication thread its lanes; both go through the gate.
  struct WriterSide {
    WriterSide(ReplicaTarget t, SummaryCache* c) : target(std::move(t)), cache(c) {}
    const ReplicaTarget target;
    SummaryCache* const cache;  // the replica's, shared with the lanes
    SyncGate gate;              // one sync of a user to this replica at a time
    std::mutex mu;
    std::vector<std::unique_ptr<ReplicaChannel>> idle;  // under mu: connected, not in use
  };

  void Loop();
  // SyncUser of `user` over one of w's connections (made when none is idle).
  Result<SyncStats> WriterSync(WriterSide* w, const std::string& user);
  // Connects `r` if it is not (and its wait is over); a new connection
  // starts a full pass. False if it is down.
  bool Connect(Replica* r);
  // Syncs `users` to `r`; false if the replica went away (nothing acked).
  bool SyncTo(Replica* r, const std::vector<std::string>& users);
  // The next few users of r's full pass; false if the replica went away.
  bool ContinueFullPass(Replica* r);
  void Lost(Replica* r, const Status& st);
  // SyncUser of each user, several users at once over r's lanes (one
  // thread per lane; one lane's users one after another, in order).
  std::vector<Result<SyncStats>> SyncLanes(Replica* r, const std::vector<std::string>& users);
  void PublishFullPasses();
  void Failed(const std::string& user, const Status& st);

  store::Store* master_;
  std::vector<Replica> replicas_;  // only the replication thread touches these
  std::vector<std::unique_ptr<WriterSide>> writers_;  // one per replica, in the same order
  std::thread thread_;
  std::set<std::string> changed_since_start_;  // guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  ReplicatorStats stats_;                                // under mu_
  std::chrono::steady_clock::time_point oldest_{};       // under mu_; first read of the unacked batch
  // Failing user -> when to try again. Only the replication thread (or
  // RunOnce's caller) touches it.
  std::map<std::string, std::chrono::steady_clock::time_point> retry_;
  bool all_connected_ = false;  // under mu_
};

}  // namespace slotmail::replication
