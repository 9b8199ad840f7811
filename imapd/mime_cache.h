// Parsed MIME structures by GUID, shared by every session of the server, so
// FETCH of ENVELOPE/BODYSTRUCTURE/sections parses a message once, not per
// request. A GUID names exact bytes, so an entry never goes stale.
// Bounded by bytes (mime::MemoryUsage of each entry), not entries: one
// hostile message's structure may be far larger than a real one's.
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
  // Holds at most `capacity_bytes` of parsed structures; least recently
  // used ones go first, and one bigger than that alone is not kept.
  explicit MimeCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The parse of `bytes` (whose SHA-256 is `guid`), from the cache or fresh.
  std::shared_ptr<const mime::Message> Get(const std::string& guid, std::string_view bytes);
  // The cached structure of `guid`, or nullptr (counted as a miss).
  std::shared_ptr<const mime::Message> Find(const std::string& guid);
  // Caches `parsed` as the structure of `guid`. REQUIRES: parsed != nullptr
  // and it is the parse of the bytes `guid` names.
  void Put(const std::string& guid, std::shared_ptr<const mime::Message> parsed);
  size_t hits() const;
  size_t misses() const;
  // What the entries held now cost; never above the capacity.
  size_t bytes() const;
  size_t entries() const;

 private:
  struct Entry {
    std::string guid;
    std::shared_ptr<const mime::Message> parsed;
    size_t bytes;  // what it is charged: MemoryUsage plus the GUID and bookkeeping
  };
  const size_t capacity_;
  size_t bytes_ = 0;  // sum of the entries' bytes
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t hits_ = 0, misses_ = 0;
};

}  // namespace slotmail::imapd
