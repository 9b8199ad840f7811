// The power-loss layer itself (store/fault_fs.h, store/fault_vfs.h): what
// it keeps and drops, so that the store tests built on it mean something.
#include "store/fault_fs.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "common/fs.h"
#include "store/fault_vfs.h"
#include "store/sqlite.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

// A watched directory `root()` holding the durable directory d/, with the
// layer installed as the file-call hook while alive.
class Watched {
 public:
  Watched() {
    REQUIRE(fs::MakeDirs(root() + "/d").ok());
    auto layer = PowerLossFs::Watch(root());
    REQUIRE_MESSAGE(layer.ok(), layer.status().ToString());
    layer_ = std::move(layer).value();
    fs::SetFileOpHook(layer_.get());
  }
  ~Watched() { fs::SetFileOpHook(nullptr); }
  std::string root() const { return dir_.path() + "/r"; }
  PowerLossFs* operator->() { return layer_.get(); }
  void PowerOn() { REQUIRE(layer_->PowerOn(nullptr).ok()); }
  std::string Read(const std::string& rel) {
    auto bytes = fs::ReadFile(root() + "/" + rel);
    return bytes.ok() ? *bytes : "(missing)";
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<PowerLossFs> layer_;
};

TEST_CASE("fault fs: a file is kept only with synced bytes and a synced name") {
  Watched w;
  const std::string d = w.root() + "/d";
  REQUIRE(fs::WriteNewFile(d + "/name-only", "c").ok());
  REQUIRE(fs::FsyncPath(d).ok());  // the name, not the bytes
  REQUIRE(fs::WriteNewFileSynced(d + "/both", "d").ok());
  REQUIRE(fs::FsyncPath(d).ok());
  REQUIRE(fs::WriteNewFile(d + "/unsynced", "a").ok());          // neither
  REQUIRE(fs::WriteNewFileSynced(d + "/bytes-only", "b").ok());  // the bytes, not the name
  w.PowerOn();
  CHECK(w.Read("d/unsynced") == "(missing)");
  CHECK(w.Read("d/bytes-only") == "(missing)");
  CHECK(w.Read("d/name-only") == "");
  CHECK(w.Read("d/both") == "d");
}

TEST_CASE("fault fs: renames and removals are undone until their directory is synced") {
  Watched w;
  const std::string d = w.root() + "/d";
  REQUIRE(fs::WriteNewFileSynced(d + "/x", "x1").ok());
  REQUIRE(fs::WriteNewFileSynced(d + "/gone", "g").ok());
  REQUIRE(fs::FsyncPath(d).ok());
  REQUIRE(fs::WriteFileAtomic(d + "/x", "x2").ok());  // rename over x, directory synced
  REQUIRE(fs::Rename(d + "/x", d + "/y").ok());       // not synced
  REQUIRE(fs::Remove(d + "/gone").ok());              // not synced
  REQUIRE(fs::WriteNewFileSynced(d + "/x", "x3").ok());
  w.PowerOn();
  CHECK(w.Read("d/x") == "x2");  // the name as last synced, with the bytes it then named
  CHECK(w.Read("d/y") == "(missing)");
  CHECK(w.Read("d/gone") == "g");
}

TEST_CASE("fault fs: from the cut on every file call fails and changes nothing") {
  Watched w;
  const std::string d = w.root() + "/d";
  REQUIRE(fs::WriteNewFileSynced(d + "/a", "a").ok());  // create, write, sync: 3 operations
  CHECK(w->ops() == 3);
  w->CutBefore(5);
  CHECK(fs::MakeDir(d + "/e").ok());   // operation 4
  CHECK(!w->cut());
  CHECK(fs::FsyncPath(d).code() == Code::kIOError);  // operation 5: the power is gone
  CHECK(w->cut());
  CHECK(fs::WriteNewFile(d + "/b", "b").code() == Code::kIOError);
  CHECK(!fs::Exists(d + "/b"));
  CHECK(fs::Remove(d + "/a").code() == Code::kIOError);
  CHECK(fs::Exists(d + "/a"));
  w.PowerOn();
  CHECK(w.Read("d/a") == "(missing)");  // d was never synced with it
  CHECK(!fs::Exists(d + "/e"));
  CHECK(w->ops() == 0);
  CHECK(!w->cut());
}

TEST_CASE("fault fs: syncfs makes the whole tree durable") {
  Watched w;
  REQUIRE(fs::MakeDirs(w.root() + "/d/e/f").ok());
  REQUIRE(fs::WriteNewFile(w.root() + "/d/e/f/g", "g").ok());
  REQUIRE(fs::SyncFileSystem(-1, w.root()).ok());  // the layer answers: no descriptor needed
  REQUIRE(fs::WriteNewFile(w.root() + "/d/h", "h").ok());
  w.PowerOn();
  CHECK(w.Read("d/e/f/g") == "g");
  CHECK(w.Read("d/h") == "(missing)");
}

TEST_CASE("fault vfs: an index commit survives a power loss only once its WAL is synced") {
  Watched w;
  REQUIRE(InstallFaultVfs().ok());
  const std::string path = w.root() + "/d/index.db";
  auto db = Database::Open(path, /*create=*/true);
  REQUIRE(db.ok());
  REQUIRE(fs::FsyncPath(w.root() + "/d").ok());  // the database's name
  REQUIRE((*db)->Exec("CREATE TABLE t (v INTEGER)").ok());
  REQUIRE((*db)->Exec("INSERT INTO t VALUES (1)").ok());
  REQUIRE(fs::DataSyncPath(path + "-wal").ok());  // what a synced store write does
  REQUIRE((*db)->Exec("INSERT INTO t VALUES (2)").ok());  // committed, not synced
  CHECK(w->ops() > 3);  // SQLite's writes went through the hook
  w->CutBefore(w->ops() + 1);  // closing would checkpoint: the power goes first
  db->reset();
  UninstallFaultVfs();
  w.PowerOn();
  auto reopened = Database::Open(path, /*create=*/false);
  REQUIRE(reopened.ok());
  auto stmt = (*reopened)->Prepare("SELECT group_concat(v) FROM t");
  REQUIRE(stmt.ok());
  REQUIRE(*stmt->Step());
  CHECK(stmt->Text(0) == "1");
}

}  // namespace
}  // namespace slotmail::store
