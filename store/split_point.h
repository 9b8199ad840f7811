// Split points in a user's index (doc/store.md "Split points"): the meta
// row "split_points" holds one line per epoch in which this slot wrote to
// the user as master: "EPOCH ID:UIDNEXT:HIGHESTMODSEQ ...", the user's
// mailboxes before that epoch's first write. A rejoining old master asks
// for the first one after its own epoch (replication/reconcile.h).
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "store/replica.h"
#include "store/user_index.h"

namespace slotmail::store {

// Records the user's split point for `epoch` unless one is there already.
// REQUIRES: the user's lock and an open write transaction.
Status RecordSplitPoint(UserIndex* ix, uint64_t epoch);

// The split point of the lowest epoch above `after_epoch`; nullopt if none.
// Corruption if the row is malformed.
Result<std::optional<SplitPoint>> FindSplitPoint(UserIndex* ix, uint64_t after_epoch);

}  // namespace slotmail::store
