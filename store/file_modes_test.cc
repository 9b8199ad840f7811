// The files a slot keeps are its owner's alone (issue 14 point 14): an
// index holds the password hash and every envelope, so neither the umask
// nor an older version's 0644 may leave it readable by other local users.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "store/paths.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Runs the test body under a umask that would make new files 0644.
struct Umask022 {
  mode_t old = ::umask(022);
  ~Umask022() { ::umask(old); }
};

}  // namespace

TEST_CASE("store modes: indexes are created 0600 and the slot directory made 0700 "
          "under a 022 umask") {
  Umask022 umask;
  testing::TempDir dir;
  const std::string root = dir.path() + "/slot";
  REQUIRE(::mkdir(root.c_str(), 0755) == 0);  // as an operator's mkdir would
  auto s = Store::Open(root, {.kdf_iterations = 1000});
  REQUIRE(s.ok());
  REQUIRE((*s)->CreateUser("alice", "secret").ok());
  CHECK(ModeOf(root) == 0700);
  CHECK(ModeOf(SlotPaths(root).IndexPath("alice")) == 0600);
}

TEST_CASE("store modes: an index left 0644 by an older version is made 0600 when opened") {
  Umask022 umask;
  testing::TempDir dir;
  const std::string root = dir.path() + "/slot";
  const std::string index = SlotPaths(root).IndexPath("alice");
  {
    auto s = Store::Open(root, {.kdf_iterations = 1000});
    REQUIRE(s.ok());
    REQUIRE((*s)->CreateUser("alice", "secret").ok());
  }
  REQUIRE(::chmod(index.c_str(), 0644) == 0);
  auto s = Store::Open(root, {.kdf_iterations = 1000});
  REQUIRE(s.ok());
  REQUIRE((*s)->Append("alice", "INBOX", "Subject: x\r\n\r\ny\r\n", Flags{}, 1700000000).ok());
  CHECK(ModeOf(index) == 0600);
}

}  // namespace slotmail::store
