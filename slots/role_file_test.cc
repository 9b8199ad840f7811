#include <doctest/doctest.h>

#include "common/fs.h"
#include "slots/role_file.h"
#include "store/paths.h"
#include "t/unit/temp_dir.h"

namespace slotmail::slots {
namespace {

RoleRecord Rec(uint64_t epoch, Role role, const std::string& store = "s1") {
  return RoleRecord{epoch, role, store};
}

TEST_CASE("role file: a slot without one has none; a written one reads back") {
  testing::TempDir dir;
  auto none = ReadRoleFile(dir.path());
  REQUIRE(none.ok());
  CHECK(!none->has_value());
  REQUIRE(WriteRoleFile(dir.path(), Rec(7, Role::kReplica)).ok());
  auto back = ReadRoleFile(dir.path());
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->epoch == 7);
  CHECK((*back)->role == Role::kReplica);
  CHECK((*back)->store == "s1");
}

TEST_CASE("role file: a malformed one is corruption, not a guess") {
  testing::TempDir dir;
  const std::string path = store::SlotPaths(dir.path()).RolePath();
  for (const char* text : {"", "epoch x\nrole master\n", "epoch 3\nrole boss\n", "role master\n"}) {
    REQUIRE(fs::WriteFileAtomic(path, text).ok());
    auto r = ReadRoleFile(dir.path());
    CHECK(r.status().code() == Code::kCorruption);
  }
}

TEST_CASE("role file: the starting role follows production.dat unless the slot saw a newer epoch") {
  // Nothing recorded, or an older or equal epoch: production.dat wins.
  CHECK(StartingRole(Rec(1, Role::kMaster), std::nullopt).role == Role::kMaster);
  CHECK(StartingRole(Rec(3, Role::kMaster), Rec(2, Role::kReplica)).role == Role::kMaster);
  CHECK(StartingRole(Rec(2, Role::kReplica), Rec(2, Role::kMaster)).role == Role::kReplica);
  // A newer epoch recorded: a master is fenced, at the recorded epoch.
  RoleRecord fenced = StartingRole(Rec(1, Role::kMaster), Rec(2, Role::kReplica));
  CHECK(fenced.role == Role::kFenced);
  CHECK(fenced.epoch == 2);
  // A replica stays a replica, and the fence never goes down.
  RoleRecord replica = StartingRole(Rec(1, Role::kReplica), Rec(5, Role::kMaster));
  CHECK(replica.role == Role::kReplica);
  CHECK(replica.epoch == 5);
  // Epochs count per store: a slot reused for another store starts afresh.
  CHECK(StartingRole(Rec(1, Role::kMaster, "s2"), Rec(9, Role::kReplica, "s1")).role ==
        Role::kMaster);
}

TEST_CASE("role file: an old master named replica at a newer epoch starts fenced, for a rejoin") {
  // A forced failover while it was down: its unreplicated changes must be
  // copied back (mailctl rejoin) before it takes the new master's state.
  RoleRecord old = Rec(3, Role::kMaster);
  old.master_epoch = 3;
  RoleRecord start = StartingRole(Rec(4, Role::kReplica), old);
  CHECK(start.role == Role::kFenced);
  CHECK(start.epoch == 4);
  CHECK(start.master_epoch == 3);
  // Fenced stays fenced until a rejoin hands it the replica role.
  CHECK(StartingRole(Rec(4, Role::kReplica), start).role == Role::kFenced);
  // A planned failover demoted it first: a replica, nothing to copy back.
  RoleRecord demoted = NextRole(old, 4, Role::kReplica);
  CHECK(demoted.master_epoch == 3);
  CHECK(StartingRole(Rec(4, Role::kReplica), demoted).role == Role::kReplica);
  // Becoming master records the epoch.
  CHECK(NextRole(demoted, 6, Role::kMaster).master_epoch == 6);
}

TEST_CASE("role file: master_epoch is kept in the file") {
  testing::TempDir dir;
  RoleRecord r = Rec(5, Role::kFenced);
  r.master_epoch = 4;
  REQUIRE(WriteRoleFile(dir.path(), r).ok());
  auto back = ReadRoleFile(dir.path());
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->master_epoch == 4);
  CHECK((*back)->role == Role::kFenced);
}

TEST_CASE("role file: role names round-trip and unknown ones are refused") {
  for (Role r : {Role::kMaster, Role::kReplica, Role::kSpare, Role::kFenced}) {
    CHECK(ParseRole(RoleName(r)) == r);
  }
  CHECK(!ParseRole("Master").has_value());
  CHECK(!ParseRole("").has_value());
}

}  // namespace
}  // namespace slotmail::slots
