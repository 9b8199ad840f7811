// Every path inside a slot directory is built here and nowhere else.
//
//   <root>/users/<hh>/<encoded user>/index.db       per-user SQLite index (WAL)
//   <root>/users/<hh>/<encoded user>/blobs/<gg>/<guid>  message bytes
//   <root>/sync/                                     change log and its ack
//   <root>/tmp/                                      temporary files (emptied at open)
//   <root>/trash/                                    deleted users being removed
//   <root>/role                                      role, store, highest epoch seen
//   <root>/slot.lock                                 flock of the serving process
//
// <hh> is the first two hex digits of SHA-256(user name); <gg> the first two
// of the GUID. A user name becomes a path component only through
// EncodeUserName, never as given.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slotmail::store {

// Encodes a (validated) user name as one file-name component: [a-z0-9_-]
// stay; every other byte becomes '=' followed by two lowercase hex digits.
// Reversible, never empty, never starts with '.'.
std::string EncodeUserName(std::string_view user);
// Inverse of EncodeUserName; nullopt if `component` is not an encoding.
std::optional<std::string> DecodeUserName(std::string_view component);

class SlotPaths {
 public:
  explicit SlotPaths(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string UsersDir() const { return root_ + "/users"; }
  std::string SyncDir() const { return root_ + "/sync"; }
  std::string TmpDir() const { return root_ + "/tmp"; }
  std::string TrashDir() const { return root_ + "/trash"; }

  // users/<hh>
  std::string UserBucketDir(std::string_view user) const;
  // users/<hh>/<encoded>
  std::string UserDir(std::string_view user) const;
  std::string IndexPath(std::string_view user) const { return UserDir(user) + "/index.db"; }
  std::string BlobsDir(std::string_view user) const { return UserDir(user) + "/blobs"; }
  // REQUIRES: guid is 64 lowercase hex characters.
  std::string BlobDir(std::string_view user, std::string_view guid) const;
  std::string BlobPath(std::string_view user, std::string_view guid) const;
  // A fresh, unique name under tmp/.
  std::string NewTmpPath() const;

  // sync/changes.<20-digit segment>
  std::string ChangeSegmentPath(uint64_t segment) const;
  // Segment number of a file name under sync/, if it is a segment.
  static std::optional<uint64_t> ParseChangeSegmentName(std::string_view name);
  std::string ChangeAckPath() const { return SyncDir() + "/ack"; }
  std::string CleanShutdownPath() const { return SyncDir() + "/clean"; }
  // The highest UIDVALIDITY handed to a new user's INBOX (decimal).
  std::string UidValidityFloorPath() const { return root_ + "/uidvalidity"; }
  // The slot's role and the highest epoch it has seen (slots/role_file.h).
  std::string RolePath() const { return root_ + "/role"; }
  // Held (flock) by the one process serving the slot: slotd, or mailctl on
  // a stopped slot.
  std::string LockPath() const { return root_ + "/slot.lock"; }

 private:
  std::string root_;
};

}  // namespace slotmail::store
