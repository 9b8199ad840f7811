// Syncing one user from the master's store to one replica (the "brain",
// doc/replication.md "Sync of one user"): compare summaries, send what
// changed since the replica's modseqs, only the message files it lacks,
// apply in one transaction, and check the replica's answer against the
// master's image. A disagreement falls back to a complete image once; a
// second one is an error naming the user (reported, never skipped).
#pragma once

#include <cstdint>
#include <string>

#include "replication/channel.h"

namespace slotmail::replication {

struct SyncStats {
  bool changed = false;     // something was applied (or the user deleted)
  bool full = false;        // a complete image was needed
  size_t blobs = 0;         // message files sent
  uint64_t blob_bytes = 0;  // their size
};

// REQUIRES: nothing else syncs `user` to this replica at the same time.
Result<SyncStats> SyncUser(store::Store* master, ReplicaChannel* replica, const std::string& user);

}  // namespace slotmail::replication
