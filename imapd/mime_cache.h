// Parsed MIME structures by GUID, shared by every session of the server, so
// FETCH of ENVELOPE/BODYSTRUCTURE/sections parses a message once, not per
// request. A GUID names exact bytes, so an entry never goes stale.
// Thread-safe (workers use it).
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mime/message.h"

namespace slotmail::imapd {

class MimeCache {
 public:
  explicit MimeCache(size_t capacity) : capacity_(capacity) {}

  // The parse of `bytes` (whose SHA-256 is `guid`), from the cache or fresh.
  std::shared_ptr<const mime::Message> Get(const std::string& guid, std::string_view bytes);
  // The cached structure of `guid`, or nullptr (counted as a miss).
  std::shared_ptr<const mime::Message> Find(const std::string& guid);
  // Caches `parsed` as the structure of `guid`. REQUIRES: parsed != nullptr
  // and it is the parse of the bytes `guid` names.
  void Put(const std::string& guid, std::shared_ptr<const mime::Message> parsed);
  size_t hits() const;
  size_t misses() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const mime::Message>>;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t hits_ = 0, misses_ = 0;
};

}  // namespace slotmail::imapd
