// Thin, Status-returning wrappers over POSIX file calls. Nothing here syncs
// implicitly: callers decide when data must be durable.
//
// Every call that changes a file, a name or durability runs through one
// process-wide seam (FileOpHook), so a test can stand between the store and
// the disk: store/fault_fs.h models a power loss with it. With no hook
// installed (production) the calls go straight to the system.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slotmail::fs {

// Maps errno of a failed call on `path` to a Status: ENOENT -> NotFound,
// EEXIST -> Exists, ENOSPC/EDQUOT -> NoSpace, everything else -> IOError.
Status ErrnoStatus(std::string_view op, std::string_view path, int err);

// Creates `path` and any missing parents (mode 0700). Ok if it exists.
Status MakeDirs(const std::string& path);
// mkdir of one level; Ok if it already exists.
Status MakeDir(const std::string& path);
bool Exists(const std::string& path);
// Takes the group and other permission bits off `path` (a file becomes
// 0600, a directory 0700 when it had the owner's full rights); a path
// already private is not touched. NotFound if it does not exist.
Status MakePrivate(const std::string& path);
// Creates an empty file at `path` with mode 0600 if there is none, and makes
// an existing one private (MakePrivate). For files whose creator would
// otherwise follow the umask (SQLite creates its databases 0644).
Status CreatePrivateFile(const std::string& path);

// Writes all of `data` to a new file at `path` (O_EXCL), without syncing.
Status WriteNewFile(const std::string& path, std::string_view data);
// Writes `data` to `path` via a temporary sibling and rename; fsyncs the file
// before the rename and the directory after, so the new contents are durable
// when this returns.
Status WriteFileAtomic(const std::string& path, std::string_view data);
// The file's bytes, or only its first `max_bytes` if it is longer.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = SIZE_MAX);
// Writes all of `data` at the fd's position, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data, std::string_view path_for_errors);

Status Rename(const std::string& from, const std::string& to);
// unlink; Ok if it did not exist.
Status Remove(const std::string& path);
// Removes a directory tree (like rm -rf). Ok if it did not exist.
Status RemoveTree(const std::string& path);
// Names in a directory, without "." and "..", unsorted.
Result<std::vector<std::string>> ListDir(const std::string& path);
Status FsyncPath(const std::string& path);  // file or directory
// fdatasync of a file by path: its data (and size) are durable on return.
Status DataSyncPath(const std::string& path);
// WriteNewFile, then fdatasync before closing: the bytes are durable (the
// directory entry is not; sync the directory for that).
Status WriteNewFileSynced(const std::string& path, std::string_view data);

// Creates `path` if missing (mode 0600) and opens it for appending: the fd
// for WriteAll and DataSync; the caller closes it.
Result<int> OpenAppend(const std::string& path);
// fdatasync of an open file; `path` names it (for errors and the hook).
Status DataSync(int fd, const std::string& path);
// Cuts (or extends) the file at `path` to `size` bytes. Not synced.
Status Truncate(const std::string& path, uint64_t size);
// syncfs(2) of the file system holding `fd` (open on `path`): everything
// written on it before the call is durable on return.
Status SyncFileSystem(int fd, const std::string& path);

// ---- the seam for fault injection (tests only)

// What a mutating call does, as a FileOpHook sees it.
enum class FileOp {
  kCreate,     // creates `path` if missing (a file)
  kMakeDir,    // creates the directory `path` if missing
  kWrite,      // writes to the file `path`
  kTruncate,   // changes the size of `path`
  kRename,     // renames `path` to `to`, replacing `to`
  kRemove,     // unlinks `path`
  kRemoveDir,  // rmdir of `path`
  kSync,       // fsync or fdatasync of the file or directory `path`
  kSyncFs,     // syncfs of the file system holding `path`
};

class FileOpHook {
 public:
  virtual ~FileOpHook() = default;
  // Does `op` on `path` (`to`: a rename's target, else empty) by calling
  // `real`, which performs the system call and returns its outcome; or
  // fails it (a non-ok Status) without calling `real`. A hook may also
  // answer a sync without calling `real` (it then stands for the disk).
  // May be called from any thread.
  virtual Status Run(FileOp op, const std::string& path, const std::string& to,
                     const std::function<Status()>& real) = 0;
};

// Installs `hook` for every call of this module and every caller of RunFileOp
// (nullptr: none). REQUIRES: no file call is running; the hook outlives its
// installation.
void SetFileOpHook(FileOpHook* hook);
// Runs `real` (a mutating call `op` on `path`) through the installed hook,
// or directly if there is none: for file calls made outside this module
// (store/fault_vfs routes SQLite's through it).
Status RunFileOp(FileOp op, const std::string& path, const std::string& to,
                 const std::function<Status()>& real);

// An exclusive advisory lock (flock) on a file, released when destroyed or
// when the process dies (so a kill -9 never leaves it stale).
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};
// Takes the lock on `path` (created if missing) without waiting: InUse if
// another process holds it.
Result<std::unique_ptr<FileLock>> LockFile(const std::string& path);

}  // namespace slotmail::fs
