#include "store/user_table.h"

#include "common/limits.h"

namespace slotmail::store {

std::shared_ptr<UserEntry> UserTable::Get(std::string_view user) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = entries_[std::string(user)];
  if (!e) e = std::make_shared<UserEntry>();
  return e;
}

void UserTable::EvictIdle() {
  if (open_ <= limits::kMaxOpenUserIndexes) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, entry] : entries_) {
    if (open_ <= limits::kMaxOpenUserIndexes / 2) break;
    std::unique_lock<std::mutex> user_lock(entry->mu, std::try_to_lock);
    if (!user_lock.owns_lock() || !entry->index) continue;
    entry->index.reset();
    --open_;
  }
}

}  // namespace slotmail::store
