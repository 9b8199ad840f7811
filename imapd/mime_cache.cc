#include "imapd/mime_cache.h"

#include "mime/message_parser.h"

namespace slotmail::imapd {

std::shared_ptr<const mime::Message> MimeCache::Get(const std::string& guid,
                                                    std::string_view bytes) {
  if (auto cached = Find(guid)) return cached;
  // Parse outside the lock: other workers keep using the cache meanwhile.
  auto parsed = std::make_shared<const mime::Message>(mime::ParseMessage(bytes));
  Put(guid, parsed);
  return parsed;
}

std::shared_ptr<const mime::Message> MimeCache::Find(const std::string& guid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(guid);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->parsed;
}

void MimeCache::Put(const std::string& guid, std::shared_ptr<const mime::Message> parsed) {
  std::lock_guard<std::mutex> lock(mu_);
  // The GUID is held twice (list and index), plus the nodes around them.
  const size_t bytes = mime::MemoryUsage(*parsed) + 2 * (sizeof(Entry) + guid.capacity()) + 64;
  if (bytes > capacity_) return;  // would push out everything else
  if (index_.count(guid)) return;  // another worker raced us; either is right
  lru_.push_front({guid, std::move(parsed), bytes});
  index_[guid] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > capacity_) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().guid);
    lru_.pop_back();
  }
}

size_t MimeCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t MimeCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

size_t MimeCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

size_t MimeCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace slotmail::imapd
