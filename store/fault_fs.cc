#include "store/fault_fs.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace slotmail::store {
namespace {

// Deeper than any tree the store makes; guards Collect against a cycle.
constexpr int kMaxDepth = 64;

}  // namespace

Result<std::unique_ptr<PowerLossFs>> PowerLossFs::Watch(const std::string& root) {
  char resolved[PATH_MAX];
  if (::realpath(root.c_str(), resolved) == nullptr) return fs::ErrnoStatus("realpath", root, errno);
  if (root != resolved) {
    return Status::InvalidArgument(root + " is not canonical (it resolves to " + resolved + ")");
  }
  std::unique_ptr<PowerLossFs> layer(new PowerLossFs(root));
  std::lock_guard<std::mutex> lock(layer->mu_);
  layer->Baseline();
  return layer;
}

void PowerLossFs::CutBefore(uint64_t k) {
  std::lock_guard<std::mutex> lock(mu_);
  cut_at_ = k;
  if (k != 0 && k <= ops_) cut_ = true;
}

bool PowerLossFs::cut() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cut_;
}

uint64_t PowerLossFs::ops() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

void PowerLossFs::Hold(bool held) {
  std::lock_guard<std::mutex> lock(mu_);
  held_ = held;
}

bool PowerLossFs::Under(const std::string& path) const {
  return path.size() > root_.size() && path.compare(0, root_.size(), root_) == 0 &&
         path[root_.size()] == '/';
}

Status PowerLossFs::Run(fs::FileOp op, const std::string& path, const std::string& to,
                        const std::function<Status()>& real) {
  if (passthrough_ || !(Under(path) || path == root_)) return real();
  std::lock_guard<std::mutex> lock(mu_);
  if (!cut_ && !held_ && ++ops_ == cut_at_) cut_ = true;
  if (cut_) return Status::IOError("power lost before an operation on " + path);
  return Apply(op, path, to, real);
}

Status PowerLossFs::Apply(fs::FileOp op, const std::string& path, const std::string& to,
                          const std::function<Status()>& real) {
  switch (op) {
    case fs::FileOp::kCreate:
    case fs::FileOp::kMakeDir: {
      const bool existed = fs::Exists(path);
      RETURN_IF_ERROR(real());
      if (!existed) Track(path, /*fresh=*/true);
      return Status::Ok();
    }
    case fs::FileOp::kWrite:
    case fs::FileOp::kTruncate:
      return real();
    case fs::FileOp::kRename: {
      struct stat from, target;
      const bool replaces = ::lstat(to.c_str(), &target) == 0 &&
                            ::lstat(path.c_str(), &from) == 0 && from.st_ino != target.st_ino;
      if (replaces) Forget(to);
      return real();
    }
    case fs::FileOp::kRemove:
    case fs::FileOp::kRemoveDir:
      Forget(path);
      return real();
    case fs::FileOp::kSync:
      if (!fs::Exists(path)) return fs::ErrnoStatus("open", path, ENOENT);
      SyncPath(path);
      return Status::Ok();
    case fs::FileOp::kSyncFs:
      SyncTree(root_);
      return Status::Ok();
  }
  return real();
}

uint64_t PowerLossFs::Track(const std::string& path, bool fresh) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  const Inode inode{st.st_dev, st.st_ino};
  auto it = live_.find(inode);
  if (it != live_.end() && !fresh) return it->second;
  const uint64_t id = ++next_id_;
  nodes_[id].dir = S_ISDIR(st.st_mode);
  live_[inode] = id;
  return id;
}

void PowerLossFs::Forget(const std::string& path) {
  // Only single-link files are made here, so an unlinked inode is dead (its
  // node lives on while a durable name refers to it).
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) live_.erase(Inode{st.st_dev, st.st_ino});
}

void PowerLossFs::SyncPath(const std::string& path) {
  const uint64_t id = Track(path, /*fresh=*/false);
  if (id == 0) return;
  Node& node = nodes_[id];
  if (!node.dir) {
    auto bytes = fs::ReadFile(path);
    if (bytes.ok()) node.data = std::move(bytes).value();
    return;
  }
  auto names = fs::ListDir(path);
  if (!names.ok()) return;
  std::map<std::string, uint64_t> entries;
  for (const auto& name : *names) {
    if (uint64_t child = Track(path + "/" + name, /*fresh=*/false)) entries[name] = child;
  }
  nodes_[id].entries = std::move(entries);
}

void PowerLossFs::SyncTree(const std::string& path) {
  SyncPath(path);
  auto it = nodes_.find(Track(path, /*fresh=*/false));
  if (it == nodes_.end() || !it->second.dir) return;
  for (const auto& [name, child] : std::map<std::string, uint64_t>(it->second.entries)) {
    (void)child;
    SyncTree(path + "/" + name);
  }
}

void PowerLossFs::WriteBack(const std::string& path, std::mt19937_64* rng) {
  const uint64_t id = Track(path, /*fresh=*/false);
  if (id == 0) return;
  const bool dir = nodes_[id].dir;
  if ((*rng)() % 2 == 1) SyncPath(path);  // as if fsynced just before the power went
  if (!dir) return;
  auto names = fs::ListDir(path);
  if (!names.ok()) return;
  for (const auto& name : *names) WriteBack(path + "/" + name, rng);
}

void PowerLossFs::Collect(uint64_t id, const std::string& rel, int depth,
                          std::vector<std::pair<std::string, const Node*>>* out) const {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || depth > kMaxDepth) return;
  if (!rel.empty()) out->emplace_back(rel, &it->second);
  for (const auto& [name, child] : it->second.entries) {
    Collect(child, rel + "/" + name, depth + 1, out);
  }
}

Status PowerLossFs::PowerOn(std::mt19937_64* writeback) {
  std::vector<std::pair<std::string, const Node*>> durable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cut_ = true;
    if (writeback != nullptr) WriteBack(root_, writeback);
    Collect(root_id_, "", 0, &durable);
    passthrough_ = true;
  }
  Status st = Restore(durable);
  std::lock_guard<std::mutex> lock(mu_);
  passthrough_ = false;
  Baseline();
  return st;
}

Status PowerLossFs::Restore(const std::vector<std::pair<std::string, const Node*>>& durable) {
  ASSIGN_OR_RETURN(auto names, fs::ListDir(root_));
  for (const auto& name : names) RETURN_IF_ERROR(fs::RemoveTree(root_ + "/" + name));
  for (const auto& [rel, node] : durable) {  // parents come before their entries
    const std::string path = root_ + rel;
    RETURN_IF_ERROR(node->dir ? fs::MakeDir(path) : fs::WriteNewFile(path, node->data));
  }
  return Status::Ok();
}

void PowerLossFs::Baseline() {
  nodes_.clear();
  live_.clear();
  ops_ = 0;
  cut_at_ = 0;
  cut_ = false;
  held_ = false;
  root_id_ = Track(root_, /*fresh=*/true);
  SyncTree(root_);
}

}  // namespace slotmail::store
