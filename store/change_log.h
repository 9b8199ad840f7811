// The slot's change log: an append-only record of which users changed, for
// the replication client to drain. See doc/store.md "Change log".
//
// Records are lines "<user>\n" in segment files sync/changes.<N>. Append does
// not sync: the writer syncs the segment (or the whole slot) before it
// acknowledges the change, or soon after for a lazily synced one (see
// store/lazy_sync.h). A segment is synced before the next one is started,
// so the log on disk is always a prefix. A torn last line (crash mid-write) is cut off at
// open. If a power loss left the log ending before the acknowledged position
// (records acknowledged before they were synced), Open starts a new segment,
// so records appended from then on are read. The consumer reads from the acknowledged position and acknowledges
// durably; fully acknowledged segments are deleted.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/paths.h"
#include "store/types.h"

namespace slotmail::store {

class ChangeLog {
 public:
  static Result<std::unique_ptr<ChangeLog>> Open(const SlotPaths& paths);
  ~ChangeLog();

  // Appends one record (not synced). *segment_path names the file it went
  // to, for the caller to fdatasync. REQUIRES: user has no '\n'.
  Status Append(std::string_view user, std::string* segment_path = nullptr);
  // Up to `max` records after the acknowledged position.
  Result<ChangeBatch> Read(size_t max);
  // Durably moves the acknowledged position to `end` (never backwards).
  Status Ack(const ChangeLogPosition& end);

 private:
  explicit ChangeLog(SlotPaths paths) : paths_(std::move(paths)) {}
  Status OpenSegment(uint64_t segment);

  const SlotPaths paths_;
  std::mutex mu_;
  int fd_ = -1;            // current segment, O_APPEND
  uint64_t segment_ = 0;   // current segment number
  uint64_t size_ = 0;      // current segment size
  ChangeLogPosition acked_;
};

}  // namespace slotmail::store
