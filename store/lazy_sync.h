// Deferred syncs for changes acknowledged before they are durable: flag
// changes and expunges (Dovecot's mail_fsync=optimized policy; see
// doc/store.md "Durability").
//
// A lazy writer commits, then calls Note() with the files that hold its
// change (the user's index WAL, the change-log segment) instead of syncing
// them. They are synced, in this order, by whichever comes first:
//  - the next synced write of the same user, which Take()s the entry and
//    syncs it along with its own files (the WAL is one file, so its sync
//    covers every earlier commit of the user);
//  - the background thread, at most `delay` after the entry was noted;
//  - Flush(), called at clean shutdown and before the change log is read.
// Blobs whose last reference the change dropped are handed to `collect`
// only after the sync that made the drop durable, so an index row never
// names a missing blob even after a power loss.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace slotmail::store {

class LazySync {
 public:
  // What one user has waiting to be synced.
  struct Pending {
    std::set<std::string> files;     // paths to fdatasync (NotFound: nothing to sync)
    std::vector<std::string> guids;  // blobs to collect once the files are durable
  };
  struct Stats {
    uint64_t noted = 0;          // Note() calls
    uint64_t flushes = 0;        // background or Flush() rounds that synced something
    uint64_t taken = 0;          // entries synced by a synced write of the user (Take)
    size_t pending_users = 0;    // users with changes not yet synced
  };
  using SyncFileFn = std::function<Status(const std::string& path)>;
  using CollectFn = std::function<void(const std::string& user, const std::vector<std::string>& guids)>;

  // Starts the background thread. `sync` makes one file durable; `collect`
  // removes unreferenced blobs (called without any lock of this class).
  LazySync(std::chrono::milliseconds delay, SyncFileFn sync, CollectFn collect);
  ~LazySync();  // Stop()s
  LazySync(const LazySync&) = delete;
  LazySync& operator=(const LazySync&) = delete;

  // Records that `user` committed a change whose `files` are not yet synced,
  // and `guids` to collect once they are. REQUIRES: the change has committed.
  void Note(const std::string& user, std::vector<std::string> files,
            std::vector<std::string> guids = {});
  // Records a slot-wide file (the change-log segment) a synced write left
  // unsynced because its durability is not needed for the acknowledgement.
  // Synced by the background thread and Flush(), like Note()'s files, but
  // not part of any user's entry (Take() leaves it).
  void NoteShared(const std::string& file);
  // Removes and returns `user`'s entry (empty if none). The caller must sync
  // the entry's files after this call and, if that succeeded, collect its
  // guids (if it failed, the caller reports the error and drops the guids).
  Pending Take(const std::string& user);
  // Syncs every pending entry now. Ok once every change noted before the
  // call is durable (but for entries a synced writer has Take()n, which it
  // syncs before it returns); the first sync error otherwise (the entry is dropped:
  // Linux reports a failed writeback once, so a retry proves nothing).
  Status Flush();
  // Flushes and ends the background thread. Idempotent.
  Status Stop();

  Stats stats() const;

 private:
  void Run();
  Status SyncAll(std::map<std::string, Pending> batch, const std::set<std::string>& shared);
  bool NothingPending() const { return pending_.empty() && shared_.empty(); }  // REQUIRES: mu_

  const std::chrono::milliseconds delay_;
  const SyncFileFn sync_;
  const CollectFn collect_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Pending> pending_;  // by user
  std::set<std::string> shared_;            // NoteShared() files
  std::chrono::steady_clock::time_point oldest_;  // when the oldest pending entry was noted
  bool stop_ = false;
  Stats stats_;
  std::mutex flush_mu_;  // one flush round at a time, so Flush() waits for a running one
  std::thread thread_;
};

}  // namespace slotmail::store
