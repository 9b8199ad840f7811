#include "store/change_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "common/fs.h"
#include "common/limits.h"
#include "store/names.h"

namespace slotmail::store {
namespace {

Result<std::vector<uint64_t>> ListSegments(const SlotPaths& paths) {
  ASSIGN_OR_RETURN(auto names, fs::ListDir(paths.SyncDir()));
  std::vector<uint64_t> segments;
  for (const auto& n : names) {
    if (auto seg = SlotPaths::ParseChangeSegmentName(n)) segments.push_back(*seg);
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

Result<ChangeLogPosition> LoadAck(const SlotPaths& paths) {
  auto text = fs::ReadFile(paths.ChangeAckPath());
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return ChangeLogPosition{};
    return text.status();
  }
  unsigned long long seg = 0, off = 0;
  if (std::sscanf(text->c_str(), "%llu %llu", &seg, &off) != 2) {
    return Status::Corruption("malformed change log ack file " + paths.ChangeAckPath());
  }
  return ChangeLogPosition{seg, off};
}

// Cuts a torn last record (bytes after the final '\n') off `path`.
Status TruncateTornTail(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, fs::ReadFile(path));
  size_t keep = data.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  if (keep == data.size()) return Status::Ok();
  RETURN_IF_ERROR(fs::Truncate(path, keep));
  return fs::FsyncPath(path);
}

}  // namespace

Result<std::unique_ptr<ChangeLog>> ChangeLog::Open(const SlotPaths& paths) {
  RETURN_IF_ERROR(fs::MakeDirs(paths.SyncDir()));
  std::unique_ptr<ChangeLog> log(new ChangeLog(paths));
  ASSIGN_OR_RETURN(log->acked_, LoadAck(paths));
  ASSIGN_OR_RETURN(auto segments, ListSegments(paths));
  uint64_t current = std::max<uint64_t>(1, log->acked_.segment);
  if (!segments.empty()) {
    current = std::max(current, segments.back());
    RETURN_IF_ERROR(TruncateTornTail(paths.ChangeSegmentPath(segments.back())));
  }
  RETURN_IF_ERROR(log->OpenSegment(current));
  // A consumer may have acknowledged records that were not yet synced (they
  // were appended after ReadChanges synced the log); a power loss then
  // keeps the acknowledgement but not them, and the log ends before the
  // acknowledged position. Records appended there would be skipped by Read
  // (among them the unclean open's re-logging of every user): they go to
  // the next segment, which starts after it.
  if (current == log->acked_.segment && log->size_ < log->acked_.offset) {
    RETURN_IF_ERROR(log->OpenSegment(current + 1));
  }
  return log;
}

ChangeLog::~ChangeLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status ChangeLog::OpenSegment(uint64_t segment) {
  std::string path = paths_.ChangeSegmentPath(segment);
  ASSIGN_OR_RETURN(int fd, fs::OpenAppend(path));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return fs::ErrnoStatus("fstat", path, errno);
  }
  if (fd_ >= 0) {
    // Rotating: lazily synced records may be in the old segment. Synced
    // first, so syncing the newest segment makes the whole log durable.
    if (Status err = fs::DataSync(fd_, paths_.ChangeSegmentPath(segment_)); !err.ok()) {
      ::close(fd);
      return err;
    }
    ::close(fd_);
  }
  fd_ = fd;
  segment_ = segment;
  size_ = static_cast<uint64_t>(st.st_size);
  // A new segment's name must be durable before records in it are relied on.
  return size_ == 0 ? fs::FsyncPath(paths_.SyncDir()) : Status::Ok();
}

Status ChangeLog::Append(std::string_view user, std::string* segment_path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (size_ >= limits::kChangeLogSegmentBytes) RETURN_IF_ERROR(OpenSegment(segment_ + 1));
  std::string record = std::string(user) + "\n";
  // One write() per record: with O_APPEND a record is never interleaved.
  RETURN_IF_ERROR(fs::WriteAll(fd_, record, paths_.ChangeSegmentPath(segment_)));
  size_ += record.size();
  if (segment_path != nullptr) *segment_path = paths_.ChangeSegmentPath(segment_);
  return Status::Ok();
}

Result<ChangeBatch> ChangeLog::Read(size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  ChangeBatch batch;
  batch.end = acked_;
  ASSIGN_OR_RETURN(auto segments, ListSegments(paths_));
  for (uint64_t seg : segments) {
    if (seg < batch.end.segment || batch.users.size() >= max) continue;
    if (seg > batch.end.segment) batch.end = ChangeLogPosition{seg, 0};
    ASSIGN_OR_RETURN(std::string data, fs::ReadFile(paths_.ChangeSegmentPath(seg)));
    size_t pos = batch.end.offset;
    while (batch.users.size() < max && pos < data.size()) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string::npos) break;  // incomplete: not yet a record
      std::string user = data.substr(pos, nl - pos);
      // An unsynced tail can come back from a power loss as garbage (zeros,
      // stale blocks); such a record names nobody. The unclean-open rule
      // re-logs every user, so nothing is lost by skipping it.
      if (ValidateUserName(user).ok()) batch.users.push_back(std::move(user));
      pos = nl + 1;
    }
    batch.end.offset = pos;
  }
  return batch;
}

Status ChangeLog::Ack(const ChangeLogPosition& end) {
  std::lock_guard<std::mutex> lock(mu_);
  if (end < acked_) return Status::InvalidArgument("change log ack moves backwards");
  // Only a position Read could have returned: past the end would skip
  // changes appended later.
  if (end.segment > segment_ || (end.segment == segment_ && end.offset > size_)) {
    return Status::InvalidArgument("change log ack past the end of the log");
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%" PRIu64 " %" PRIu64 "\n", end.segment, end.offset);
  RETURN_IF_ERROR(fs::WriteFileAtomic(paths_.ChangeAckPath(), buf));
  acked_ = end;
  ASSIGN_OR_RETURN(auto segments, ListSegments(paths_));
  for (uint64_t seg : segments) {
    if (seg < end.segment && seg != segment_) RETURN_IF_ERROR(fs::Remove(paths_.ChangeSegmentPath(seg)));
  }
  return Status::Ok();
}

}  // namespace slotmail::store
