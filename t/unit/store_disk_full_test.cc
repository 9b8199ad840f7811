// A full disk must give NoSpace and leave the store consistent: every
// acknowledged message intact, nothing half-written, writes resume once
// space is freed. Uses a real 2 MiB tmpfs in a private mount namespace.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/fs.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

using namespace slotmail;
using namespace slotmail::store;

namespace {

// Mounts a small tmpfs at `dir`, visible only to this process.
bool MountSmallTmpfs(const std::string& dir) {
  if (::unshare(CLONE_NEWNS) != 0) return false;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  return ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=2m") == 0;
}

std::string Message(int i, size_t size) {
  std::string m = "Subject: fill " + std::to_string(i) + "\r\n\r\n";
  m.resize(size, static_cast<char>('a' + i % 26));
  return m;
}

}  // namespace

TEST_CASE("store: a full disk gives NoSpace, loses nothing acknowledged, and recovers") {
  if (::geteuid() != 0) {
    FAIL("this test mounts a tmpfs and must run as root (make test does, as CI)");
  }
  testing::TempDir dir;
  REQUIRE(MountSmallTmpfs(dir.path()));
  std::string root = dir.path() + "/slot";
  auto opened = Store::Open(root, StoreOptions{.kdf_iterations = 1000});
  REQUIRE(opened.ok());
  std::unique_ptr<Store> store = std::move(opened).value();
  // Unmount before TempDir removes the (then empty) mount point.
  struct Unmount {
    std::string dir;
    std::unique_ptr<Store>* store;
    ~Unmount() {
      store->reset();
      ::umount2(dir.c_str(), MNT_DETACH);
    }
  } unmount{dir.path(), &store};
  Store& s = *store;
  REQUIRE(s.CreateUser("alice", "pw").ok());

  std::vector<std::pair<uint32_t, std::string>> acked;  // (uid, bytes)
  Status last;
  for (int i = 0; i < 200 && last.ok(); ++i) {
    std::string m = Message(i, 60 * 1024 + static_cast<size_t>(i) * 37);
    auto r = s.Append("alice", "INBOX", m, Flags{}, 1700000000);
    last = r.status();
    if (r.ok()) acked.emplace_back(r->uid, m);
  }
  CHECK(last.code() == Code::kNoSpace);
  REQUIRE(acked.size() > 5);

  // Nothing half-written: no temporary files, invariants hold, bytes intact.
  auto tmp = fs::ListDir(root + "/tmp");
  REQUIRE(tmp.ok());
  CHECK(tmp->empty());
  CHECK(s.CheckUser("alice").ok());
  auto msgs = s.FetchByUid("alice", "INBOX", {{1, UINT32_MAX}});
  REQUIRE(msgs.ok());
  REQUIRE(msgs->size() == acked.size());
  for (size_t i = 0; i < acked.size(); ++i) {
    auto bytes = s.ReadMessage("alice", (*msgs)[i].guid);
    REQUIRE(bytes.ok());
    CHECK(*bytes == acked[i].second);
  }

  // Freeing space lets writes succeed again.
  REQUIRE(s.StoreFlags("alice", "INBOX", {{1, acked[acked.size() / 2].first}}, FlagOp::kAdd,
                       Flags{kFlagDeleted, {}})
              .ok());
  REQUIRE(s.Expunge("alice", "INBOX").ok());
  auto again = s.Append("alice", "INBOX", Message(999, 1000), Flags{}, 1700000000);
  CHECK(again.ok());
  CHECK(s.CheckUser("alice").ok());
}
