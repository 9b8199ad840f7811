// Rolling replication on a master (doc/replication.md "Rolling mode"): a
// thread drains the store's change log, coalesces the users named there
// and syncs each to every replica (user_sync.h). The log is acknowledged
// only once every replica has confirmed every user of the batch, so a
// replica that is down leaves the log growing and catches up when it
// returns. A user whose sync fails for its own reasons (a checksum that
// still differs after a complete image, a store error) does not stall the
// others: it is retried with backoff and reported in stats().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replication/channel.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::replication {

struct ReplicaTarget {
  std::string name;  // the replica's slot, for logs and stats
  std::function<Result<std::unique_ptr<ReplicaChannel>>()> connect;
};

struct ReplicatorStats {
  size_t pending_users = 0;  // users changed here and not yet confirmed everywhere
  double lag_seconds = 0;    // age of the oldest unconfirmed change (0 when none)
  std::vector<std::string> down;     // replicas not reachable now
  std::map<std::string, std::string> failing;  // user -> last error
  uint64_t users_synced = 0;  // user syncs that changed something, since start
  uint64_t blob_bytes = 0;    // message bytes shipped, since start
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

  // One pass without the thread (tests): reads a batch, syncs it, and
  // acknowledges it if every replica confirmed it. Ok(false) when the log
  // was empty.
  Result<bool> RunOnce();

 private:
  struct Replica {
    ReplicaTarget target;
    std::unique_ptr<ReplicaChannel> channel;
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds backoff{0};
  };
  void Loop();
  // Syncs `users` to `r`; false if the replica went away (nothing acked).
  bool SyncTo(Replica* r, const std::vector<std::string>& users);
  void Failed(const std::string& user, const Status& st);

  store::Store* master_;
  std::vector<Replica> replicas_;  // only the replication thread touches these
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  ReplicatorStats stats_;                                // under mu_
  std::chrono::steady_clock::time_point oldest_{};       // under mu_; first read of the unacked batch
  // Failing user -> when to try again. Only the replication thread (or
  // RunOnce's caller) touches it.
  std::map<std::string, std::chrono::steady_clock::time_point> retry_;
};

}  // namespace slotmail::replication
