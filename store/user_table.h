// The per-user lock and open index of every user the slot has touched.
// A user's index is opened on first use and closed again when more than
// limits::kMaxOpenUserIndexes are open and it is idle.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/user_index.h"

namespace slotmail::store {

struct UserEntry {
  std::mutex mu;                     // serialises every operation on the user
  std::unique_ptr<UserIndex> index;  // guarded by mu; null when closed
  uint64_t split_epoch = 0;          // guarded by mu; split point recorded for it
};

class UserTable {
 public:
  // The entry for `user`, created on first use. Never null.
  std::shared_ptr<UserEntry> Get(std::string_view user);
  // Called with entry->mu held after opening/closing an index.
  void NoteOpened() { ++open_; }
  void NoteClosed() { --open_; }
  // Closes idle indexes while more than the limit are open. REQUIRES: the
  // caller holds no user lock.
  void EvictIdle();

 private:
  std::mutex mu_;  // guards entries_
  std::unordered_map<std::string, std::shared_ptr<UserEntry>> entries_;
  std::atomic<size_t> open_{0};
};

}  // namespace slotmail::store
