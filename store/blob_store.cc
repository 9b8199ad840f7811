#include "store/blob_store.h"

#include <sys/stat.h>

#include <cerrno>

#include "common/fs.h"

namespace slotmail::store {

Status BlobStore::Put(std::string_view user, std::string_view guid, std::string_view bytes,
                      bool* created) {
  *created = false;
  if (Exists(user, guid)) return Status::Ok();
  if (!fs::Exists(paths_->BlobsDir(user))) return Status::NotFound("no such user");
  std::string tmp = paths_->NewTmpPath();
  RETURN_IF_ERROR(fs::WriteNewFileSynced(tmp, bytes));
  const std::string dir = paths_->BlobDir(user, guid);
  const bool new_dir = !fs::Exists(dir);
  Status st = fs::MakeDir(dir);
  if (st.ok() && new_dir) st = fs::FsyncPath(paths_->BlobsDir(user));
  if (st.ok()) st = fs::Rename(tmp, paths_->BlobPath(user, guid));
  if (!st.ok()) {
    (void)fs::Remove(tmp);
    return st;
  }
  *created = true;
  // The name is durable once its directory is (tmp/ may keep a stale entry
  // after a crash; it is emptied at open).
  return fs::FsyncPath(dir);
}

Status BlobStore::PutMany(std::string_view user,
                         const std::vector<std::pair<std::string, std::string_view>>& blobs,
                         const std::function<Status()>& sync) {
  if (!fs::Exists(paths_->BlobsDir(user))) return Status::NotFound("no such user");
  std::vector<std::pair<std::string, std::string>> moves;  // tmp -> final
  auto cleanup = [&moves] {
    for (const auto& m : moves) (void)fs::Remove(m.first);
  };
  for (const auto& [guid, bytes] : blobs) {
    if (Exists(user, guid)) continue;
    std::string tmp = paths_->NewTmpPath();
    Status st = fs::WriteNewFile(tmp, bytes);
    if (st.ok()) st = fs::MakeDir(paths_->BlobDir(user, guid));
    if (!st.ok()) {
      (void)fs::Remove(tmp);
      cleanup();
      return st;
    }
    moves.emplace_back(std::move(tmp), paths_->BlobPath(user, guid));
  }
  if (moves.empty()) return Status::Ok();
  if (Status st = sync(); !st.ok()) {  // the bytes, and any new fan-out directory
    cleanup();
    return st;
  }
  for (size_t i = 0; i < moves.size(); ++i) {
    if (Status st = fs::Rename(moves[i].first, moves[i].second); !st.ok()) {
      for (size_t j = i; j < moves.size(); ++j) (void)fs::Remove(moves[j].first);
      return st;
    }
  }
  return sync();  // the names
}

bool BlobStore::Exists(std::string_view user, std::string_view guid) const {
  return fs::Exists(paths_->BlobPath(user, guid));
}

Result<std::string> BlobStore::Read(std::string_view user, std::string_view guid,
                                    size_t max_bytes) const {
  return fs::ReadFile(paths_->BlobPath(user, guid), max_bytes);
}

Result<uint64_t> BlobStore::Size(std::string_view user, std::string_view guid) const {
  std::string path = paths_->BlobPath(user, guid);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fs::ErrnoStatus("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status BlobStore::Remove(std::string_view user, std::string_view guid) {
  return fs::Remove(paths_->BlobPath(user, guid));
}

}  // namespace slotmail::store
