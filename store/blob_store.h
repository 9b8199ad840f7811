// Message bytes on disk, one immutable file per (user, GUID). See
// doc/store.md "Blobs".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <functional>
#include <utility>
#include <vector>

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
  // Put of many files with two syncs of the file system (`sync`, the slot's
  // group commit) instead of two fsyncs per file: every file is written to
  // tmp/ unsynced, `sync` makes them durable, they are renamed into place,
  // and `sync` makes the names durable. A final name still only ever holds
  // synced, complete bytes. Files that exist are skipped. On an error, the
  // files renamed so far stay (complete and synced: harmless).
  // REQUIRES: each guid == Sha256Hex(bytes); the user's blob dir exists.
  Status PutMany(std::string_view user,
                 const std::vector<std::pair<std::string, std::string_view>>& blobs,
                 const std::function<Status()>& sync);
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
