// The lazy durability policy (doc/store.md "Durability"): StoreFlags and
// Expunge are acknowledged once committed and synced later, by the user's
// next synced write, by the background flush, or at shutdown; new mail
// (Append, Copy, Move) is synced before it is acknowledged.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "common/hash.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

using namespace slotmail;
using namespace slotmail::store;

namespace {

constexpr auto kNever = std::chrono::hours(24);  // the background flush never runs in the test

std::unique_ptr<Store> OpenStore(const std::string& root, std::chrono::milliseconds delay) {
  auto s = Store::Open(root, StoreOptions{.kdf_iterations = 1000, .lazy_sync_delay = delay});
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string Msg(int i) { return "Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n"; }

uint32_t FlagsOf(Store& s, const std::string& box, uint32_t uid) {
  auto m = s.FetchByUid("ann", box, {{uid, uid}});
  REQUIRE(m.ok());
  REQUIRE(m->size() == 1);
  return m->front().flags.system;
}

}  // namespace

TEST_CASE("store lazy sync: a flag change is pending until SyncAll, and kept across reopen") {
  testing::TempDir dir;
  const std::string root = dir.path() + "/slot";
  {
    auto s = OpenStore(root, kNever);
    REQUIRE(s->CreateUser("ann", "pw").ok());
    REQUIRE(s->Append("ann", "INBOX", Msg(1), Flags{}, 0).ok());
    CHECK(s->lazy_sync_stats().pending_users == 0);  // Append was synced
    REQUIRE(s->StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagSeen, {}}).ok());
    CHECK(s->lazy_sync_stats().pending_users == 1);
    CHECK(s->lazy_sync_stats().noted == 1);
    REQUIRE(s->SyncAll().ok());
    CHECK(s->lazy_sync_stats().pending_users == 0);
    CHECK(s->lazy_sync_stats().flushes == 1);
    auto drained = s->ReadChanges(100);
    REQUIRE(drained.ok());
    REQUIRE(s->AckChanges(drained->end).ok());
    REQUIRE(s->StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagFlagged, {}}).ok());
    CHECK(s->lazy_sync_stats().pending_users == 1);
  }  // ~Store syncs it and marks the shutdown clean
  auto s = OpenStore(root, kNever);
  CHECK(FlagsOf(*s, "INBOX", 1) == (kFlagSeen | kFlagFlagged));
  auto changes = s->ReadChanges(100);
  REQUIRE(changes.ok());
  // The last change's record, and no more: the shutdown was clean, so
  // nobody was re-logged.
  CHECK(changes->users == std::vector<std::string>{"ann"});
}

TEST_CASE("store lazy sync: the background flush syncs a flag change without being asked") {
  testing::TempDir dir;
  auto s = OpenStore(dir.path() + "/slot", std::chrono::milliseconds(10));
  REQUIRE(s->CreateUser("ann", "pw").ok());
  REQUIRE(s->Append("ann", "INBOX", Msg(1), Flags{}, 0).ok());
  REQUIRE(s->StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagSeen, {}}).ok());
  CHECK(s->lazy_sync_stats().noted == 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (s->lazy_sync_stats().flushes == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(s->lazy_sync_stats().flushes == 1);
  CHECK(s->lazy_sync_stats().pending_users == 0);
}

TEST_CASE("store lazy sync: the user's next synced write makes earlier lazy changes durable") {
  testing::TempDir dir;
  auto s = OpenStore(dir.path() + "/slot", kNever);
  REQUIRE(s->CreateUser("ann", "pw").ok());
  REQUIRE(s->CreateUser("bob", "pw").ok());
  REQUIRE(s->Append("ann", "INBOX", Msg(1), Flags{}, 0).ok());
  REQUIRE(s->Append("bob", "INBOX", Msg(1), Flags{}, 0).ok());
  REQUIRE(s->StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagSeen, {}}).ok());
  REQUIRE(s->StoreFlags("bob", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagSeen, {}}).ok());
  CHECK(s->lazy_sync_stats().pending_users == 2);
  REQUIRE(s->Append("ann", "INBOX", Msg(2), Flags{}, 0).ok());
  CHECK(s->lazy_sync_stats().taken == 1);
  CHECK(s->lazy_sync_stats().pending_users == 1);  // bob's waits for its own turn
}

TEST_CASE("store lazy sync: an expunged message's file goes only once the expunge is durable") {
  testing::TempDir dir;
  auto s = OpenStore(dir.path() + "/slot", kNever);
  REQUIRE(s->CreateUser("ann", "pw").ok());
  auto a = s->Append("ann", "INBOX", Msg(1), Flags{kFlagDeleted, {}}, 0);
  REQUIRE(a.ok());
  auto e = s->Expunge("ann", "INBOX");
  REQUIRE(e.ok());
  CHECK(e->uids == std::vector<uint32_t>{1});
  // A power loss now could bring the row back: its file must still be there.
  CHECK(s->ReadMessage("ann", a->guid).ok());
  REQUIRE(s->SyncAll().ok());
  CHECK(s->ReadMessage("ann", a->guid).status().code() == Code::kNotFound);
}

TEST_CASE("store lazy sync: COPY and MOVE are synced before they return") {
  testing::TempDir dir;
  auto s = OpenStore(dir.path() + "/slot", kNever);
  REQUIRE(s->CreateUser("ann", "pw").ok());
  REQUIRE(s->CreateMailbox("ann", "Archive").ok());
  for (int i = 1; i <= 3; ++i) REQUIRE(s->Append("ann", "INBOX", Msg(i), Flags{}, 0).ok());

  // A lazy flag change, then MOVE: the move is synced and takes the earlier
  // change with it; nothing is left pending, so the source's removal is
  // never durable without the copies (they are one commit anyway).
  REQUIRE(s->StoreFlags("ann", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagSeen, {}}).ok());
  CHECK(s->lazy_sync_stats().pending_users == 1);
  auto mv = s->Move("ann", "INBOX", {{1, 1}}, "Archive");
  REQUIRE(mv.ok());
  CHECK(mv->dst_uids.size() == 1);
  CHECK(s->lazy_sync_stats().pending_users == 0);
  CHECK(s->lazy_sync_stats().noted == 1);  // only the flag change went lazy
  CHECK(s->lazy_sync_stats().taken == 1);

  // COPY + STORE \Deleted + EXPUNGE (a client's MOVE without the extension):
  // the copy is synced before the expunge even commits.
  auto cp = s->Copy("ann", "INBOX", {{2, 2}}, "Archive");
  REQUIRE(cp.ok());
  CHECK(s->lazy_sync_stats().pending_users == 0);
  CHECK(s->lazy_sync_stats().noted == 1);
  REQUIRE(s->StoreFlags("ann", "INBOX", {{2, 2}}, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("ann", "INBOX").ok());
  CHECK(s->lazy_sync_stats().pending_users == 1);  // the expunge is the lazy part
  auto archive = s->GetMailbox("ann", "Archive");
  REQUIRE(archive.ok());
  CHECK(archive->messages == 2);
  REQUIRE(s->CheckUser("ann").ok());
}
