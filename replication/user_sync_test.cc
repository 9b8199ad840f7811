// The replication brain over an in-process pipe: random operations of every
// kind on a master, a replica synced as it goes, and after every batch the
// replica equal to the master in everything a client can observe.
#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <thread>
#include <set>

#include "replication/channel.h"
#include "replication/image_codec.h"
#include "replication/replicator.h"
#include "replication/user_sync.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::replication {
namespace {

std::unique_ptr<store::Store> OpenStore(const std::string& dir) {
  auto s = store::Store::Open(dir, {.kdf_iterations = 1000});
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(*s);
}

// Every user of both stores is the same, in full (records, tombstones,
// metadata, subscriptions, quota, password hash), and passes its checks.
void RequireEqual(store::Store* master, store::Store* replica) {
  auto mu = master->ListUsers();
  auto ru = replica->ListUsers();
  REQUIRE(mu.ok());
  REQUIRE(ru.ok());
  REQUIRE(*mu == *ru);
  for (const auto& u : *mu) {
    CAPTURE(u);
    auto a = master->ReadUserImage(u, {});
    auto b = replica->ReadUserImage(u, {});
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(*a == *b);
    auto check = replica->CheckUser(u);
    CHECK_MESSAGE(check.ok(), check.ToString());
  }
}

struct Pair {
  testing::TempDir dir;
  std::unique_ptr<store::Store> master = OpenStore(dir.path() + "/master");
  std::unique_ptr<store::Store> replica = OpenStore(dir.path() + "/replica");
  DirectChannel channel{replica.get()};

  void SyncAll() {
    // As the replicator does: every user the log names, plus (here) every
    // user either side has, so deletions are covered too.
    auto users = master->ListUsers();
    REQUIRE(users.ok());
    auto theirs = replica->ListUsers();
    REQUIRE(theirs.ok());
    std::set<std::string> all(users->begin(), users->end());
    all.insert(theirs->begin(), theirs->end());
    for (const auto& u : all) {
      auto r = SyncUser(master.get(), &channel, u);
      const std::string why = u + ": " + r.status().ToString();
      REQUIRE_MESSAGE(r.ok(), why);
    }
  }
};

std::string Message(std::mt19937& rng, int n) {
  std::string body(static_cast<size_t>(rng() % 2000), 'x');
  return "From: a@example.com\r\nSubject: message " + std::to_string(n) +
         "\r\nMessage-ID: <" + std::to_string(n) + "@t>\r\n\r\n" + body + "\r\n";
}

// One random operation of any kind on the master; failures (a mailbox
// that is not there, over quota) are part of the game and ignored.
void RandomOp(store::Store* st, std::mt19937& rng, int step) {
  static const char* kUsers[] = {"alice", "bob", "carol"};
  static const char* kBoxes[] = {"INBOX", "Work", "Work/Old", "Lists", "Archive"};
  const std::string user = kUsers[rng() % 3];
  const std::string box = kBoxes[rng() % 5];
  const std::string other = kBoxes[rng() % 5];
  const store::UidSet some = {{static_cast<uint32_t>(1 + rng() % 20), static_cast<uint32_t>(1 + rng() % 40)}};
  switch (rng() % 17) {
    case 0: (void)st->CreateUser(user, "pw-" + user); break;
    case 1: if (rng() % 4 == 0) (void)st->DeleteUser(user); break;
    case 2: (void)st->CreateMailbox(user, box); break;
    case 3: (void)st->RenameMailbox(user, box, other + "-" + std::to_string(step)); break;
    case 4: (void)st->DeleteMailbox(user, box); break;
    case 5: case 6: case 7:
      (void)st->Append(user, box, Message(rng, step), {static_cast<uint32_t>(rng() % 32), {}}, 1700000000 + step);
      break;
    case 8: (void)st->Copy(user, box, some, other); break;
    case 9: (void)st->Move(user, box, some, other); break;
    case 10:
      (void)st->StoreFlags(user, box, some, store::FlagOp::kAdd,
                           {store::kFlagDeleted | store::kFlagSeen, {"$label" + std::to_string(rng() % 3)}});
      break;
    case 11: (void)st->Expunge(user, box); break;
    case 12:
      (void)st->SetMetadata(user, rng() % 2 ? box : "",
                            {{"/private/comment", rng() % 3 ? std::optional<std::string>("c" + std::to_string(step))
                                                            : std::nullopt}});
      break;
    case 13: (void)(rng() % 2 ? st->Subscribe(user, box) : st->Unsubscribe(user, box)); break;
    case 14: (void)st->SetQuota(user, rng() % 2 ? 0 : 1 << 20, rng() % 100); break;
    case 15: (void)st->SetPassword(user, "pw" + std::to_string(step)); break;
    case 16: if (rng() % 3 == 0) (void)st->RenameUser(user, kUsers[rng() % 3]); break;
  }
}

TEST_CASE("replication: random operations on a master reach the replica, equal after every batch") {
  Pair p;
  const unsigned seed = std::random_device{}();
  CAPTURE(seed);
  MESSAGE("seed " << seed);
  std::mt19937 rng(seed);
  for (const char* u : {"alice", "bob", "carol"}) REQUIRE(p.master->CreateUser(u, "pw").ok());
  // Thousands of operations from three writer threads at once (one user's
  // operations may interleave with another's), a sync after each batch.
  int total = 0;
  for (int batch = 0; batch < 60; ++batch) {
    CAPTURE(batch);
    std::vector<std::thread> writers;
    std::atomic<int> done{0};
    for (unsigned w = 0; w < 3; ++w) {
      const unsigned wseed = static_cast<unsigned>(rng());
      writers.emplace_back([&, wseed, w] {
        std::mt19937 wrng(wseed);
        const int ops = 1 + static_cast<int>(wrng() % 30);
        for (int i = 0; i < ops; ++i) RandomOp(p.master.get(), wrng, (batch * 3 + static_cast<int>(w)) * 100 + i);
        done += ops;
      });
    }
    for (auto& t : writers) t.join();
    total += done;
    p.SyncAll();
    RequireEqual(p.master.get(), p.replica.get());
  }
  MESSAGE(total << " operations");
  CHECK(total >= 1000);
  // A replica that is already equal gets nothing: a second pass changes nothing.
  auto users = p.master->ListUsers();
  REQUIRE(users.ok());
  for (const auto& u : *users) {
    auto r = SyncUser(p.master.get(), &p.channel, u);
    REQUIRE(r.ok());
    CHECK(!r->changed);
  }
}

TEST_CASE("replication: only the message files the replica lacks are shipped") {
  Pair p;
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  const std::string msg = "Subject: big\r\n\r\n" + std::string(100000, 'y') + "\r\n";
  REQUIRE(p.master->Append("alice", "INBOX", msg, {}, 1).ok());
  auto first = SyncUser(p.master.get(), &p.channel, "alice");
  REQUIRE(first.ok());
  CHECK(first->blobs == 1);
  // A copy and a flag change reuse the file the replica has.
  REQUIRE(p.master->CreateMailbox("alice", "Keep").ok());
  REQUIRE(p.master->Copy("alice", "INBOX", {{1, 1}}, "Keep").ok());
  REQUIRE(p.master->StoreFlags("alice", "INBOX", {{1, 1}}, store::FlagOp::kAdd, {store::kFlagSeen, {}}).ok());
  auto second = SyncUser(p.master.get(), &p.channel, "alice");
  REQUIRE(second.ok());
  CHECK(second->changed);
  CHECK(second->blobs == 0);
  CHECK(!second->full);
  RequireEqual(p.master.get(), p.replica.get());
}

TEST_CASE("replication: a replica that drifted is repaired by a complete image") {
  Pair p;
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: a\r\n\r\na\r\n", {}, 1).ok());
  REQUIRE(SyncUser(p.master.get(), &p.channel, "alice").ok());
  // Someone writes on the replica behind replication's back.
  REQUIRE(p.replica->Append("alice", "INBOX", "Subject: stray\r\n\r\nb\r\n", {}, 2).ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: c\r\n\r\nc\r\n", {}, 3).ok());
  auto r = SyncUser(p.master.get(), &p.channel, "alice");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->full);
  RequireEqual(p.master.get(), p.replica.get());
}

TEST_CASE("replication: a blob altered in transit is refused and nothing is applied") {
  Pair p;
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: a\r\n\r\na\r\n", {}, 1).ok());
  // A channel that flips a byte of every message file it carries, in a
  // batch ("blobs") or inside "apply": the files are the attachment.
  struct Corrupting : ReplicaChannel {
    DirectChannel inner;
    int flipped = 0;
    explicit Corrupting(store::Store* r) : inner(r) {}
    Result<json::Value> Call(const json::Value& req, std::string_view attachment) override {
      std::string bytes(attachment);
      if (!bytes.empty()) {
        bytes[bytes.size() / 2] ^= 0x20;
        ++flipped;
      }
      return inner.Call(req, bytes);
    }
  } bad(p.replica.get());
  auto r = SyncUser(p.master.get(), &bad, "alice");
  CHECK(bad.flipped > 0);
  CHECK(r.status().code() == Code::kCorruption);
  CHECK(!p.replica->UserExists("alice"));
  // Over an honest channel the same sync goes through.
  REQUIRE(SyncUser(p.master.get(), &p.channel, "alice").ok());
  RequireEqual(p.master.get(), p.replica.get());
}

TEST_CASE("replication: the replicator drains the change log and acknowledges it only when confirmed") {
  Pair p;
  bool up = false;
  std::vector<ReplicaTarget> targets = {{"r", [&]() -> Result<std::unique_ptr<ReplicaChannel>> {
                                           if (!up) return Status::IOError("replica down");
                                           return std::unique_ptr<ReplicaChannel>(
                                               new DirectChannel(p.replica.get()));
                                         }}};
  Replicator rep(p.master.get(), targets);
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: a\r\n\r\na\r\n", {}, 1).ok());
  // Replica down: nothing is acknowledged, the change stays pending.
  auto r = rep.RunOnce();
  REQUIRE(r.ok());
  CHECK(rep.stats().pending_users == 1);
  CHECK(rep.stats().down == std::vector<std::string>{"r"});
  auto still = p.master->ReadChanges(10);
  REQUIRE(still.ok());
  CHECK(!still->users.empty());
  // Back up: it catches up and the log is acknowledged.
  up = true;
  Replicator rep2(p.master.get(), targets);
  r = rep2.RunOnce();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(rep2.stats().pending_users == 0);
  RequireEqual(p.master.get(), p.replica.get());
  auto after = p.master->ReadChanges(10);
  REQUIRE(after.ok());
  CHECK(after->users.empty());
}

}  // namespace
}  // namespace slotmail::replication

namespace slotmail::replication {
namespace {

TEST_CASE("replication: sync mode answers only once the replica has the change") {
  Pair p;
  std::atomic<bool> up{true};
  Replicator rep(p.master.get(), {{"r", [&]() -> Result<std::unique_ptr<ReplicaChannel>> {
                                     if (!up) return Status::IOError("replica down");
                                     return std::unique_ptr<ReplicaChannel>(
                                         new DirectChannel(p.replica.get()));
                                   }}});
  rep.Start();
  for (const char* u : {"alice", "bob", "carol", "dave"}) REQUIRE(p.master->CreateUser(u, "pw").ok());
  // Concurrent writers, each waiting for its own confirmation: when a wait
  // returns Ok, the replica already holds that writer's message.
  std::vector<std::thread> writers;
  std::atomic<int> confirmed{0}, missing{0};
  for (const char* u : {"alice", "bob", "carol", "dave"}) {
    writers.emplace_back([&, user = std::string(u)] {
      for (int i = 0; i < 5; ++i) {
        auto a = p.master->Append(user, "INBOX", "Subject: " + user + std::to_string(i) + "\r\n\r\nx\r\n", {}, i);
        if (!a.ok()) continue;
        if (Status w = rep.WaitConfirmed(user, std::chrono::seconds(10)); !w.ok()) {
          MESSAGE(user << ": " << w.ToString());
          continue;
        }
        ++confirmed;
        auto there = p.replica->FetchByUid(user, "INBOX", {{a->uid, a->uid}});
        if (!there.ok() || there->size() != 1 || (*there)[0].guid != a->guid) ++missing;
      }
    });
  }
  for (auto& t : writers) t.join();
  CHECK(confirmed == 20);
  CHECK(missing == 0);
  // Replica down: a waiting writer hears so (an error), not a false OK.
  up = false;
  rep.Stop();
  Replicator down(p.master.get(), {{"r", []() -> Result<std::unique_ptr<ReplicaChannel>> {
                                       return Status::IOError("replica down");
                                     }}});
  down.Start();
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: lost\r\n\r\nx\r\n", {}, 9).ok());
  Status st = down.WaitConfirmed("alice", std::chrono::seconds(10));
  CHECK(st.code() == Code::kIOError);
  CHECK(!down.AllConnected());
}

}  // namespace
}  // namespace slotmail::replication

namespace slotmail::replication {
namespace {

// Counts the requests that reach the replica.
struct CountingChannel : ReplicaChannel {
  DirectChannel inner;
  int calls = 0;
  explicit CountingChannel(store::Store* r) : inner(r) {}
  Result<json::Value> Call(const json::Value& req, std::string_view attachment) override {
    ++calls;
    return inner.Call(req, attachment);
  }
};

TEST_CASE("replication: with the replica's summary cached, new mail takes one round trip") {
  Pair p;
  CountingChannel ch(p.replica.get());
  SummaryCache cache;
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  REQUIRE(SyncUser(p.master.get(), &ch, "alice", &cache).ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: one\r\n\r\nx\r\n", {}, 1).ok());
  ch.calls = 0;
  auto r = SyncUser(p.master.get(), &ch, "alice", &cache);
  REQUIRE(r.ok());
  CHECK(ch.calls == 1);
  CHECK(r->blobs == 1);
  RequireEqual(p.master.get(), p.replica.get());
  // Nothing changed: no request at all.
  ch.calls = 0;
  REQUIRE(SyncUser(p.master.get(), &ch, "alice", &cache).ok());
  CHECK(ch.calls == 0);
}

TEST_CASE("replication: a stale cached summary is noticed and the replica still ends equal") {
  Pair p;
  SummaryCache cache;
  REQUIRE(p.master->CreateUser("alice", "pw").ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: one\r\n\r\nx\r\n", {}, 1).ok());
  REQUIRE(SyncUser(p.master.get(), &p.channel, "alice", &cache).ok());
  // The replica changes behind the cache's back, then the master does.
  REQUIRE(p.replica->Append("alice", "INBOX", "Subject: stray\r\n\r\ny\r\n", {}, 2).ok());
  REQUIRE(p.master->StoreFlags("alice", "INBOX", {{1, 1}}, store::FlagOp::kAdd, {store::kFlagSeen, {}}).ok());
  REQUIRE(p.master->Append("alice", "INBOX", "Subject: two\r\n\r\nz\r\n", {}, 3).ok());
  auto r = SyncUser(p.master.get(), &p.channel, "alice", &cache);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  RequireEqual(p.master.get(), p.replica.get());
}

}  // namespace
}  // namespace slotmail::replication
