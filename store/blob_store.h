// Message bytes on disk, one immutable file per (user, GUID). See
// doc/store.md "Blobs".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/paths.h"

namespace slotmail::store {

class BlobStore {
 public:
  explicit BlobStore(const SlotPaths* paths) : paths_(paths) {}

  // Makes `bytes` durable as the blob `guid` of `user`: written to tmp/ and
  // fdatasynced, renamed into place, and the directory fsynced. No-op if the
  // blob exists (a final name only ever holds synced, complete bytes).
  // Concurrent callers' fsyncs share the file system's journal commits. `*created` tells
  // whether this call made the file. NotFound if the user has no blob dir.
  // REQUIRES: guid == Sha256Hex(bytes).
  Status Put(std::string_view user, std::string_view guid, std::string_view bytes,
             bool* created);
  bool Exists(std::string_view user, std::string_view guid) const;
  // The blob's bytes, or its first `max_bytes` if it is longer.
  Result<std::string> Read(std::string_view user, std::string_view guid,
                           size_t max_bytes = SIZE_MAX) const;
  // Size in bytes, or NotFound.
  Result<uint64_t> Size(std::string_view user, std::string_view guid) const;
  // Unlinks the blob (not synced; Ok if absent). REQUIRES: the caller holds
  // the user's lock and no index row refers to `guid`.
  Status Remove(std::string_view user, std::string_view guid);

 private:
  const SlotPaths* paths_;
};

}  // namespace slotmail::store
