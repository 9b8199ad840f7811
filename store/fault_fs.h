// A power-loss model for tests, after LevelDB's fault_injection_test: a
// fs::FileOpHook that stands between the store and the disk for one
// directory tree, keeps what a power loss would leave of it, and can cut the
// power just before any mutating file operation. SQLite's file operations
// reach it through store/fault_vfs.h. Test-only; see doc/store.md
// "Testing durability".
//
// What survives a power loss (what POSIX promises, and no more):
//  - a file's bytes as of its last fsync/fdatasync (never synced: empty);
//  - a directory's entries (creations, renames, removals) as of its last
//    fsync; a name never made durable is gone, a removal or rename not made
//    durable is undone (a rename made durable in only one of its two
//    directories leaves the file under both names);
//  - syncfs makes the whole tree durable.
// A durable name refers to its file's durable bytes, whatever its path
// is now. Mode changes are not modelled.
//
// Files and directories are identified by inode while they live, so a
// rename keeps what was synced of them. The hook answers syncs itself (the
// real fsync is not needed: this model is the disk), which keeps a run fast.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/fs.h"
#include "common/status.h"

namespace slotmail::store {

class PowerLossFs : public fs::FileOpHook {
 public:
  // Watches the tree under `root` (an existing directory, without symbolic
  // links in its path: SQLite resolves them, and paths are compared as
  // strings). What the tree holds now counts as durable.
  static Result<std::unique_ptr<PowerLossFs>> Watch(const std::string& root);

  const std::string& root() const { return root_; }
  // The power goes off just before the `k`-th counted operation of this
  // power cycle (1-based; 0: never): that operation and every later one on
  // the tree fail with IOError and change nothing. Every operation
  // Run() sees on a path under the root is counted.
  void CutBefore(uint64_t k);
  bool cut() const;
  uint64_t ops() const;  // counted so far in this power cycle
  // While held, operations are modelled but neither counted nor cut: for
  // a test's own checks between the calls it exercises.
  void Hold(bool held);

  // Cuts the power if it is still on, then replaces the tree on disk by
  // what survived (see the top of this file) and turns the power back on:
  // the restored tree counts as durable, the count starts again at zero and
  // no cut is set. With `writeback`, each file and directory still linked
  // in the tree is, with probability 1/2, restored as it was at the cut,
  // as if fsynced then (the kernel may have written it back before the
  // power went): unsynced bytes, names, renames and removals may survive.
  // REQUIRES: nothing under the root is open any more (the store that used
  // it is destroyed).
  Status PowerOn(std::mt19937_64* writeback);

  Status Run(fs::FileOp op, const std::string& path, const std::string& to,
             const std::function<Status()>& real) override;

 private:
  struct Node {
    bool dir = false;
    std::string data;                         // a file's durable bytes
    std::map<std::string, uint64_t> entries;  // a directory's durable names -> node ids
  };
  using Inode = std::pair<dev_t, ino_t>;

  explicit PowerLossFs(std::string root) : root_(std::move(root)) {}
  bool Under(const std::string& path) const;
  Status Apply(fs::FileOp op, const std::string& path, const std::string& to,
               const std::function<Status()>& real);  // REQUIRES: mu_ held
  // The node of what `path` names now (0 if nothing), a new one if the inode
  // is not known or `fresh` (just created: the inode number may be reused).
  uint64_t Track(const std::string& path, bool fresh);
  void Forget(const std::string& path);  // the inode `path` names dies with it
  void SyncPath(const std::string& path);  // fsync: bytes or entries
  void SyncTree(const std::string& path);  // syncfs
  void WriteBack(const std::string& path, std::mt19937_64* rng);
  // Appends the durable tree below node `id` as (relative path, node).
  void Collect(uint64_t id, const std::string& rel, int depth,
               std::vector<std::pair<std::string, const Node*>>* out) const;
  // Rewrites the tree on disk as `durable`. REQUIRES: passthrough_.
  Status Restore(const std::vector<std::pair<std::string, const Node*>>& durable);
  void Baseline();   // everything on disk now is durable

  const std::string root_;
  mutable std::mutex mu_;
  std::map<uint64_t, Node> nodes_;  // by node id, including dead inodes a durable name keeps
  std::map<Inode, uint64_t> live_;  // inodes on disk -> node ids
  uint64_t next_id_ = 0;
  uint64_t root_id_ = 0;
  uint64_t ops_ = 0;
  uint64_t cut_at_ = 0;
  bool cut_ = false;
  bool held_ = false;
  std::atomic<bool> passthrough_{false};  // PowerOn is rewriting the tree
};

}  // namespace slotmail::store
