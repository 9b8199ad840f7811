// Syncing one user from the master's store to one replica (the "brain",
// doc/replication.md "Sync of one user"): compare summaries, send what
// changed since the replica's modseqs, only the message files it lacks,
// apply in one transaction, and check the replica's answer against the
// master's image. A disagreement falls back to a complete image once; a
// second one is an error naming the user (reported, never skipped).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "replication/channel.h"
#include "store/replica.h"

namespace slotmail::replication {

struct SyncStats {
  bool changed = false;     // something was applied (or the user deleted)
  bool full = false;        // a complete image was needed
  size_t blobs = 0;         // message files sent
  uint64_t blob_bytes = 0;  // their size
};

// The replica's last known summary of each user (Cyrus's fast path): with
// it, a sync skips asking for the summary and sends the new messages' files
// inside the apply, so new mail costs one round trip. Any failure drops the
// entry and the sync starts again from what the replica says. Thread-safe;
// one per replica.
class SummaryCache {
 public:
  std::optional<store::UserImage> Get(const std::string& user);
  void Put(const std::string& user, store::UserImage summary);
  void Drop(const std::string& user);
  void Clear();

 private:
  std::mutex mu_;
  std::map<std::string, store::UserImage> entries_;
};

// Sends the message files of `image` that the other side lacks: asks with
// "<op_prefix>missing", sends them in batches with "<op_prefix>blobs".
Status SendBlobs(store::Store* from, ReplicaChannel* to, const std::string& user,
                 const store::UserImage& image, SyncStats* stats,
                 const std::string& op_prefix = "");

// REQUIRES: nothing else syncs `user` to this replica at the same time.
// `cache` may be null (every sync asks for the replica's summary).
Result<SyncStats> SyncUser(store::Store* master, ReplicaChannel* replica, const std::string& user,
                           SummaryCache* cache = nullptr);

}  // namespace slotmail::replication
