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
  return it->second->second;
}

void MimeCache::Put(const std::string& guid, std::shared_ptr<const mime::Message> parsed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.count(guid)) return;  // another worker raced us; either is right
  lru_.emplace_front(guid, std::move(parsed));
  index_[guid] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
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
