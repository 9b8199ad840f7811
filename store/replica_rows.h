// Replication's view of one user's index (Store's ReadUserImage and
// ApplyUserImage, store_replica.cc; doc/store.md "Replication"): reading a
// UserImage out of the index, checking one that arrived, and applying one.
// REQUIRES for the index calls: the caller holds the user's lock and, for
// ApplyImage, an open transaction.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/replica.h"
#include "store/user_index.h"

namespace slotmail::store {

// The user's image. `since`: as Store::ReadUserImage; null for a summary
// (no records or tombstones; since_modseq = highestmodseq).
Result<UserImage> ReadImage(UserIndex* ix, const SinceMap* since);

// InvalidArgument (TooBig for too many mailboxes) unless `image` could have
// been read from a store: ids 32 lowercase hex and unique; names canonical
// and unique, INBOX among them; special uses canonical; every record and
// tombstone with a UID in [1, UIDNEXT), a modseq at most HIGHESTMODSEQ, no
// UID twice; flags canonical; GUIDs 64 lowercase hex; metadata entries
// canonical; subscriptions canonical; a password hash present.
Status ValidateImage(const UserImage& image);

struct ApplyOutcome {
  // GUIDs of rows the apply removed: their files may be unreferenced now.
  std::vector<std::string> dropped_guids;
  // Mailbox names whose state changed (old and new names of a rename).
  std::vector<std::string> changed_mailboxes;
};

// Makes the index equal to `image` (see Store::ApplyUserImage): Corruption
// naming the mailbox if a checksum or message count then differs from the
// image's; NotFound if `has_blob` denies a record's file. On error the
// caller rolls the transaction back. REQUIRES: ValidateImage(image) ok.
Status ApplyImage(UserIndex* ix, const UserImage& image,
                  const std::function<bool(const std::string& guid)>& has_blob,
                  ApplyOutcome* out);

}  // namespace slotmail::store
