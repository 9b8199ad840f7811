#include "common/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "common/hash.h"

namespace slotmail::fs {
namespace {

// Closes an fd on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::atomic<FileOpHook*> g_hook{nullptr};

// Runs the mutating call `real` on `path` through the installed hook, if any.
template <typename Fn>
Status Hooked(FileOp op, std::string_view path, Fn&& real, std::string_view to = {}) {
  FileOpHook* hook = g_hook.load(std::memory_order_acquire);
  if (hook == nullptr) return real();
  return hook->Run(op, std::string(path), std::string(to), std::function<Status()>(std::ref(real)));
}

// Opens `path` with `flags` | O_CREAT (mode 0600), creating it if missing
// (with O_EXCL in `flags`: only if missing).
Result<int> OpenCreating(const std::string& path, int flags, std::string_view what) {
  int fd = -1;
  Status st = Hooked(FileOp::kCreate, path, [&]() -> Status {
    fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, 0600);
    return fd < 0 ? ErrnoStatus(what, path, errno) : Status::Ok();
  });
  if (!st.ok()) return st;
  return fd;
}

// A new file holding `data`, fdatasynced if `sync`; removed again on failure.
Status WriteNew(const std::string& path, std::string_view data, bool sync) {
  ASSIGN_OR_RETURN(int fd, OpenCreating(path, O_WRONLY | O_EXCL, "create"));
  Status st = WriteAll(fd, data, path);
  if (st.ok() && sync) st = DataSync(fd, path);
  ::close(fd);
  if (!st.ok()) (void)Remove(path);
  return st;
}

// fdatasync (`data_only`) or fsync of the file or directory at `path`.
Status SyncByPath(const std::string& path, bool data_only) {
  return Hooked(FileOp::kSync, path, [&]() -> Status {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    FdCloser closer{fd};
    if ((data_only ? ::fdatasync(fd) : ::fsync(fd)) != 0) {
      return ErrnoStatus(data_only ? "fdatasync" : "fsync", path, errno);
    }
    return Status::Ok();
  });
}

}  // namespace

void SetFileOpHook(FileOpHook* hook) { g_hook.store(hook, std::memory_order_release); }

Status RunFileOp(FileOp op, const std::string& path, const std::string& to,
                 const std::function<Status()>& real) {
  return Hooked(op, path, real, to);
}

Status ErrnoStatus(std::string_view op, std::string_view path, int err) {
  std::string msg = std::string(op) + " " + std::string(path) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT: return Status::NotFound(msg);
    case EEXIST: return Status::Exists(msg);
    case ENOSPC:
    case EDQUOT: return Status::NoSpace(msg);
    default: return Status::IOError(msg);
  }
}

Status MakeDir(const std::string& path) {
  return Hooked(FileOp::kMakeDir, path, [&]() -> Status {
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
    return ErrnoStatus("mkdir", path, errno);
  });
}

Status MakeDirs(const std::string& path) {
  if (path.empty() || Exists(path)) return Status::Ok();
  std::string parent = DirName(path);
  if (parent != path) RETURN_IF_ERROR(MakeDirs(parent));
  return MakeDir(path);
}

Status MakePrivate(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if ((st.st_mode & 077) == 0) return Status::Ok();
  if (::chmod(path.c_str(), st.st_mode & 07700) != 0) return ErrnoStatus("chmod", path, errno);
  return Status::Ok();
}

Status CreatePrivateFile(const std::string& path) {
  ASSIGN_OR_RETURN(int fd, OpenCreating(path, O_RDWR, "create"));
  FdCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("stat", path, errno);
  if ((st.st_mode & 077) != 0 && ::fchmod(fd, st.st_mode & 07700) != 0) {
    return ErrnoStatus("chmod", path, errno);
  }
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status WriteAll(int fd, std::string_view data, std::string_view path_for_errors) {
  return Hooked(FileOp::kWrite, path_for_errors, [&]() -> Status {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_for_errors, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  });
}

Status WriteNewFile(const std::string& path, std::string_view data) {
  return WriteNew(path, data, /*sync=*/false);
}

Status WriteNewFileSynced(const std::string& path, std::string_view data) {
  return WriteNew(path, data, /*sync=*/true);
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp-" + RandomHex(6);
  RETURN_IF_ERROR(WriteNewFile(tmp, data));
  Status st = FsyncPath(tmp);
  if (st.ok()) st = Rename(tmp, path);
  if (!st.ok()) {
    (void)Remove(tmp);
    return st;
  }
  return FsyncPath(DirName(path));
}

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  FdCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", path, errno);
  std::string out;
  out.resize(std::min(static_cast<size_t>(st.st_size), max_bytes));
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status Rename(const std::string& from, const std::string& to) {
  return Hooked(
      FileOp::kRename, from,
      [&]() -> Status {
        if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from, errno);
        return Status::Ok();
      },
      to);
}

Status Remove(const std::string& path) {
  return Hooked(FileOp::kRemove, path, [&]() -> Status {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    return ErrnoStatus("unlink", path, errno);
  });
}

Status RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("lstat", path, errno);
  }
  if (!S_ISDIR(st.st_mode)) return Remove(path);
  ASSIGN_OR_RETURN(auto names, ListDir(path));
  for (const auto& name : names) RETURN_IF_ERROR(RemoveTree(path + "/" + name));
  return Hooked(FileOp::kRemoveDir, path, [&]() -> Status {
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("rmdir", path, errno);
    return Status::Ok();
  });
}

Result<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus("opendir", path, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  return names;
}

Status DataSyncPath(const std::string& path) { return SyncByPath(path, /*data_only=*/true); }

Status FsyncPath(const std::string& path) { return SyncByPath(path, /*data_only=*/false); }

Result<int> OpenAppend(const std::string& path) {
  return OpenCreating(path, O_WRONLY | O_APPEND, "open");
}

Status DataSync(int fd, const std::string& path) {
  return Hooked(FileOp::kSync, path, [&]() -> Status {
    if (::fdatasync(fd) != 0) return ErrnoStatus("fdatasync", path, errno);
    return Status::Ok();
  });
}

Status Truncate(const std::string& path, uint64_t size) {
  return Hooked(FileOp::kTruncate, path, [&]() -> Status {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("truncate", path, errno);
    }
    return Status::Ok();
  });
}

Status SyncFileSystem(int fd, const std::string& path) {
  return Hooked(FileOp::kSyncFs, path, [&]() -> Status {
    if (::syncfs(fd) != 0) return ErrnoStatus("syncfs", path, errno);
    return Status::Ok();
  });
}

FileLock::~FileLock() { ::close(fd_); }

Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) {
  ASSIGN_OR_RETURN(int fd, OpenCreating(path, O_RDWR, "open"));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::InUse(path + " is locked by another process");
    return ErrnoStatus("flock", path, err);
  }
  return std::make_unique<FileLock>(fd);
}

}  // namespace slotmail::fs
