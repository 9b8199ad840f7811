// Finding and opening the one slot mailctl works on.
#pragma once

#include <memory>
#include <string>

#include "admin/cli.h"
#include "common/fs.h"
#include "store/store.h"

namespace slotmail::admin {

struct SlotSettings {
  std::string dir;
  store::StoreOptions options;
};

// The slot named by --slot-dir, or by the slot_dir of the --config file
// (other keys of that file are ignored, except kdf_iterations,
// default_quota_bytes and default_quota_messages, which apply as in slotd).
// --kdf-iterations overrides the file. REQUIRES: ParseValues succeeded.
Result<SlotSettings> ResolveSlot(const Invocation& inv);

// A slot mailctl opened itself: the store, and the lock that keeps slotd
// from serving it meanwhile (and tells mailctl when slotd already does).
struct LocalSlot {
  std::unique_ptr<fs::FileLock> lock;
  std::unique_ptr<store::Store> store;
};

// Opens the slot's store. The directory must exist (mailctl never creates a
// slot from a mistyped path) and be a slot (it has users/) or hold no
// subdirectories yet: opening a store creates and empties tmp/ and trash/
// inside it, which must never happen to some other directory. InUse when a
// running slotd holds the slot.
Result<LocalSlot> OpenSlot(const SlotSettings& slot);

}  // namespace slotmail::admin
