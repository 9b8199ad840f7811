// Rejoin over an in-process pipe: an old master and a new master that both
// took writes after the split; the rejoin copies back what only the old
// master has, by the rules of reconcile.h, and the old master can then
// become an equal replica. (doc/replication.md "Rejoin")
#include <doctest/doctest.h>

#include "replication/channel.h"
#include "replication/rejoin.h"
#include "replication/user_sync.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::replication {
namespace {

std::unique_ptr<store::Store> Open(const std::string& dir) {
  auto s = store::Store::Open(dir, {.kdf_iterations = 1000});
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(*s);
}

std::string Mail(const std::string& tag) {
  return "From: a@example.org\r\nSubject: " + tag + "\r\nMessage-ID: <" + tag +
         "@example.org>\r\n\r\nbody of " + tag + "\r\n";
}

uint32_t Add(store::Store* st, const std::string& box, const std::string& tag) {
  auto r = st->Append("alice", box, Mail(tag), {}, 1700000000);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->uid;
}

void SetFlags(store::Store* st, uint32_t uid, uint32_t flags) {
  auto r = st->StoreFlags("alice", "INBOX", {{uid, uid}}, store::FlagOp::kReplace, {flags, {}});
  REQUIRE(r.ok());
}

void Expunge(store::Store* st, uint32_t uid) {
  REQUIRE(st->StoreFlags("alice", "INBOX", {{uid, uid}}, store::FlagOp::kAdd,
                         {store::kFlagDeleted, {}})
              .ok());
  REQUIRE(st->Expunge("alice", "INBOX", store::UidSet{{uid, uid}}).ok());
}

// Subjects of the live messages of `box`, by UID, with their flags.
std::map<uint32_t, std::pair<std::string, uint32_t>> Live(store::Store* st, const std::string& box) {
  auto msgs = st->FetchByUid("alice", box, {{1, UINT32_MAX}});
  REQUIRE(msgs.ok());
  std::map<uint32_t, std::pair<std::string, uint32_t>> out;
  for (const auto& m : *msgs) {
    auto bytes = st->ReadMessage("alice", m.guid);
    REQUIRE(bytes.ok());
    const size_t at = bytes->find("Subject: ") + 9;
    out[m.uid] = {bytes->substr(at, bytes->find('\r', at) - at), m.flags.system};
  }
  return out;
}

struct Split {
  testing::TempDir dir;
  std::unique_ptr<store::Store> old_master = Open(dir.path() + "/old");
  std::unique_ptr<store::Store> new_master = Open(dir.path() + "/new");
  DirectChannel to_new{new_master.get()};

  // alice with INBOX 1..5 and Work 1..2 on both sides, then the split:
  // the new master is master at epoch 2, the old one was at epoch 1.
  Split() {
    old_master->SetMasterEpoch(1);
    REQUIRE(old_master->CreateUser("alice", "secret").ok());
    for (int i = 1; i <= 5; ++i) Add(old_master.get(), "INBOX", "common" + std::to_string(i));
    REQUIRE(old_master->CreateMailbox("alice", "Work", "").ok());
    Add(old_master.get(), "Work", "work1");
    Add(old_master.get(), "Work", "work2");
    DirectChannel to_replica{new_master.get()};
    REQUIRE(SyncUser(old_master.get(), &to_replica, "alice").ok());
    new_master->SetMasterEpoch(2);
  }
};

TEST_CASE("rejoin: the old master's new mail gets new UIDs, deletions need a tombstone, flags "
          "go by modseq, and the old master then syncs equal") {
  Split s;
  store::Store* o = s.old_master.get();
  store::Store* n = s.new_master.get();
  // The old master, unreplicated: two new messages (UIDs 6, 7), \Flagged
  // on 2, expunged 3, a new mailbox with one message.
  CHECK(Add(o, "INBOX", "old6") == 6);
  CHECK(Add(o, "INBOX", "old7") == 7);
  SetFlags(o, 2, store::kFlagFlagged);
  Expunge(o, 3);
  REQUIRE(o->CreateMailbox("alice", "Made-on-old", "").ok());
  Add(o, "Made-on-old", "madeold");
  // The new master, meanwhile: its own UID 6, \Seen on 4, expunged 5.
  CHECK(Add(n, "INBOX", "new6") == 6);
  SetFlags(n, 4, store::kFlagSeen);
  Expunge(n, 5);

  auto report = Rejoin(o, &s.to_new, 1);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->users == 1);
  CHECK(report->copied.size() == 3);
  CHECK(report->flags_restored == 1);
  CHECK(report->expunges_applied == 1);
  CHECK(report->mailboxes_created == std::vector<std::string>{"alice/Made-on-old"});

  auto inbox = Live(n, "INBOX");
  CHECK(inbox[1].first == "common1");
  CHECK(inbox[2] == std::make_pair(std::string("common2"), uint32_t{store::kFlagFlagged}));
  CHECK(inbox.count(3) == 0);  // the old master's expunge, untouched here since
  CHECK(inbox[4] == std::make_pair(std::string("common4"), uint32_t{store::kFlagSeen}));
  CHECK(inbox.count(5) == 0);  // the new master's expunge stays
  CHECK(inbox[6].first == "new6");  // never overwritten
  CHECK(inbox[7].first == "old6");  // renumbered
  CHECK(inbox[8].first == "old7");
  CHECK(inbox.size() == 6);
  CHECK(Live(n, "Made-on-old").begin()->second.first == "madeold");
  CHECK(n->CheckUser("alice").ok());

  // Again: nothing more to copy.
  auto again = Rejoin(o, &s.to_new, 1);
  REQUIRE(again.ok());
  CHECK(again->copied.empty());
  CHECK(again->flags_restored == 0);
  CHECK(again->expunges_applied == 0);

  // Now the old master is the new master's replica, and equal after a sync.
  o->SetMasterEpoch(0);
  DirectChannel to_old{o};
  REQUIRE(SyncUser(n, &to_old, "alice").ok());
  auto a = n->ReadUserImage("alice", {});
  auto b = o->ReadUserImage("alice", {});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
}

TEST_CASE("rejoin: flags both sides changed after the split keep the higher modseq") {
  Split s;
  store::Store* o = s.old_master.get();
  store::Store* n = s.new_master.get();
  SetFlags(o, 1, store::kFlagFlagged);  // one change on the old master
  SetFlags(n, 1, store::kFlagSeen);      // two on the new one: higher modseq
  SetFlags(n, 1, store::kFlagSeen | store::kFlagAnswered);
  auto report = Rejoin(o, &s.to_new, 1);
  REQUIRE(report.ok());
  CHECK(report->flags_restored == 0);
  CHECK(Live(n, "INBOX")[1].second == (store::kFlagSeen | store::kFlagAnswered));
}

TEST_CASE("rejoin: a message the new master has neither live nor as a tombstone comes back; "
          "a user only the old master has comes over whole") {
  Split s;
  store::Store* o = s.old_master.get();
  store::Store* n = s.new_master.get();
  // The new master never wrote to alice: its state now is the split point,
  // and the old master's message at UID 6 is new mail.
  Add(o, "INBOX", "old6");
  REQUIRE(o->CreateUser("bob", "secret2").ok());
  REQUIRE(o->Append("bob", "INBOX", Mail("bob1"), {store::kFlagSeen, {"$label"}}, 1700000001).ok());
  auto report = Rejoin(o, &s.to_new, 1);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->users == 2);
  CHECK(report->users_created == std::vector<std::string>{"bob"});
  CHECK(report->copied.size() == 1);
  CHECK(Live(n, "INBOX")[6].first == "old6");
  auto a = o->ReadUserImage("bob", {});
  auto b = n->ReadUserImage("bob", {});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(n->VerifyPassword("bob", "secret2").ok());
}

TEST_CASE("store: a master's first write of a user in its epoch records the split point") {
  testing::TempDir dir;
  auto st = Open(dir.path() + "/s");
  REQUIRE(st->CreateUser("alice", "pw").ok());
  Add(st.get(), "INBOX", "one");
  auto none = st->ReadSplitPoint("alice", 0);
  REQUIRE(none.ok());
  CHECK(!none->has_value());  // not master: nothing recorded
  st->SetMasterEpoch(3);
  Add(st.get(), "INBOX", "two");
  Add(st.get(), "INBOX", "three");
  auto p = st->ReadSplitPoint("alice", 2);
  REQUIRE(p.ok());
  REQUIRE(p->has_value());
  CHECK((*p)->epoch == 3);
  REQUIRE((*p)->mailboxes.size() == 1);
  CHECK((*p)->mailboxes.begin()->second.uidnext == 2);  // before "two"
  auto later = st->ReadSplitPoint("alice", 3);
  REQUIRE(later.ok());
  CHECK(!later->has_value());
}

}  // namespace
}  // namespace slotmail::replication
