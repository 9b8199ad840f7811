// Small deterministic tests of store.h, call by call: each documented
// contract and error code once. The random model test (store_model_test.cc)
// covers the combinations; these name the rules.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/limits.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

using namespace std::string_literals;  // "\0"s keeps the NUL

constexpr uint32_t kStar = UINT32_MAX;
const UidSet kAll = {{1, kStar}};

// A store in a fresh temporary directory, removed at the end.
class TestStore {
 public:
  explicit TestStore(StoreOptions options = {.kdf_iterations = 1000}) : options_(options) {
    REQUIRE(!dir_.path().empty());
    Reopen();
  }
  // Closes (cleanly) and opens the same slot again.
  void Reopen() {
    store_.reset();
    auto s = Store::Open(dir_.path() + "/slot", options_);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s.value());
  }
  Store* operator->() { return store_.get(); }

  void User(const std::string& u) { REQUIRE(store_->CreateUser(u, "secret").ok()); }
  void Box(const std::string& u, const std::string& name) {
    Status st = store_->CreateMailbox(u, name);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
  }
  AppendResult Put(const std::string& u, const std::string& box, const std::string& bytes,
                   uint32_t system = 0, std::vector<std::string> keywords = {}) {
    auto r = store_->Append(u, box, bytes, Flags{system, std::move(keywords)}, 1700000000);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  MailboxInfo Info(const std::string& u, const std::string& box) {
    auto r = store_->GetMailbox(u, box);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  std::vector<MessageInfo> All(const std::string& u, const std::string& box) {
    auto r = store_->FetchByUid(u, box, kAll);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  std::vector<std::string> Names(const std::string& u, const std::string& pattern = "*") {
    auto r = store_->ListMailboxes(u, pattern);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    std::vector<std::string> out;
    for (auto& m : r.value()) out.push_back(m.name);
    return out;
  }
  std::vector<uint32_t> Vanished(const std::string& u, const std::string& box, uint64_t since) {
    auto r = store_->VanishedSince(u, box, since);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  QuotaInfo Quota(const std::string& u) {
    auto r = store_->GetQuota(u);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  // The users in the change log after the last acknowledgement.
  std::vector<std::string> Changes(ChangeLogPosition* end = nullptr) {
    auto r = store_->ReadChanges(1000);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    if (end) *end = r->end;
    return r->users;
  }
  void AckAll() {
    ChangeLogPosition end;
    Changes(&end);
    REQUIRE(store_->AckChanges(end).ok());
  }
  void ExpectConsistent(const std::string& u) {
    Status st = store_->CheckUser(u);
    CHECK_MESSAGE(st.ok(), st.ToString());
    for (auto& name : Names(u)) {
      auto crc = store_->RecomputeCrc(u, name);
      REQUIRE(crc.ok());
      CHECK_MESSAGE(crc.value() == Info(u, name).crc, name);
    }
  }

 private:
  StoreOptions options_;
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;  // declared after dir_: closed before it is removed
};

Code CodeOf(const Status& s) { return s.code(); }
template <typename T>
Code CodeOf(const Result<T>& r) {
  return r.status().code();
}

std::vector<uint32_t> Uids(const std::vector<MessageInfo>& msgs) {
  std::vector<uint32_t> out;
  for (auto& m : msgs) out.push_back(m.uid);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ---------------------------------------------------------------- users

TEST_CASE("store api: users are created once, listed sorted, and deleted") {
  TestStore s;
  CHECK(s->CreateUser("carol", "pw").ok());
  CHECK(s->CreateUser("alice", "pw").ok());
  CHECK(s->CreateUser("bob@example.com", "pw").ok());
  CHECK(CodeOf(s->CreateUser("alice", "other")) == Code::kExists);
  CHECK(CodeOf(s->CreateUser("Alice", "pw")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->CreateUser("", "pw")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->CreateUser("../etc", "pw")) == Code::kInvalidArgument);
  auto users = s->ListUsers();
  REQUIRE(users.ok());
  CHECK(users.value() == std::vector<std::string>{"alice", "bob@example.com", "carol"});
  CHECK(s->UserExists("alice"));
  CHECK_FALSE(s->UserExists("dave"));

  // Every user has INBOX from creation.
  CHECK(s.Names("alice") == std::vector<std::string>{"INBOX"});
  MailboxInfo inbox = s.Info("alice", "INBOX");
  CHECK(inbox.uidnext == 1);
  CHECK(inbox.messages == 0);
  CHECK(inbox.uidvalidity != 0);

  s.Put("carol", "INBOX", "hello");
  CHECK(s->DeleteUser("carol").ok());
  CHECK(CodeOf(s->DeleteUser("carol")) == Code::kNotFound);
  CHECK_FALSE(s->UserExists("carol"));
  CHECK(CodeOf(s->ListMailboxes("carol")) == Code::kNotFound);
  CHECK(CodeOf(s->Append("carol", "INBOX", "x", {}, 0)) == Code::kNotFound);
  CHECK(CodeOf(s->GetQuota("carol")) == Code::kNotFound);
  CHECK(CodeOf(s->CheckUser("carol")) == Code::kNotFound);
  // A new user of the old name starts empty.
  CHECK(s->CreateUser("carol", "pw").ok());
  CHECK(s.All("carol", "INBOX").empty());
  CHECK(s.Quota("carol").used_messages == 0);
}

TEST_CASE("store api: a recreated user's INBOX gets a new UIDVALIDITY") {
  // RFC 3501 2.3.1.1: UIDs of the old INBOX do not persist, so the new one
  // must not present the same UIDVALIDITY (a client or replica would keep
  // its cached UIDs).
  TestStore s;
  s.User("alice");
  s.Put("alice", "INBOX", "old mail");
  uint32_t old = s.Info("alice", "INBOX").uidvalidity;
  REQUIRE(s->DeleteUser("alice").ok());
  s.User("alice");
  CHECK(s.Info("alice", "INBOX").uidvalidity != old);
}

TEST_CASE("store api: a user renamed onto a deleted user's name brings no reused UIDVALIDITY") {
  // Same rule as above: a client that knew alice/M5 must not find the same
  // UIDVALIDITY on the alice/M5 it sees after bob was renamed to alice.
  // (bob creates the names in reverse order so that, with per-user
  // counters, one of them lines up with old alice's value.)
  TestStore s;
  s.User("alice");
  s.User("bob");
  std::map<std::string, uint32_t> old;
  for (int i = 0; i < 10; ++i) s.Box("alice", "M" + std::to_string(i));
  for (int i = 9; i >= 0; --i) s.Box("bob", "M" + std::to_string(i));
  for (auto& name : s.Names("alice")) old[name] = s.Info("alice", name).uidvalidity;
  REQUIRE(s->DeleteUser("alice").ok());
  REQUIRE(s->RenameUser("bob", "alice").ok());
  for (auto& [name, uidvalidity] : old) {
    CAPTURE(name);
    CHECK(s.Info("alice", name).uidvalidity != uidvalidity);
  }
}

TEST_CASE("store api: passwords verify, change, and wrong ones are Permission") {
  TestStore s;
  REQUIRE(s->CreateUser("alice", "right").ok());
  CHECK(s->VerifyPassword("alice", "right").ok());
  CHECK(CodeOf(s->VerifyPassword("alice", "wrong")) == Code::kPermission);
  CHECK(CodeOf(s->VerifyPassword("alice", "")) == Code::kPermission);
  CHECK(CodeOf(s->VerifyPassword("nobody", "right")) == Code::kNotFound);
  CHECK(s->SetPassword("alice", "new").ok());
  CHECK(CodeOf(s->VerifyPassword("alice", "right")) == Code::kPermission);
  CHECK(s->VerifyPassword("alice", "new").ok());
  CHECK(CodeOf(s->SetPassword("nobody", "x")) == Code::kNotFound);
  std::string huge(limits::kMaxPasswordBytes + 1, 'p');
  Code c = CodeOf(s->SetPassword("alice", huge));
  CHECK((c == Code::kTooBig || c == Code::kInvalidArgument));
  s.Reopen();  // the hash is stored, not cached
  CHECK(s->VerifyPassword("alice", "new").ok());
}

TEST_CASE("store api: renaming a user keeps its mail and password") {
  TestStore s;
  s.User("bob");
  s.User("carol");
  AppendResult a = s.Put("bob", "INBOX", "bob's mail");
  CHECK(CodeOf(s->RenameUser("bob", "carol")) == Code::kExists);
  CHECK(CodeOf(s->RenameUser("nobody", "dave")) == Code::kNotFound);
  CHECK(CodeOf(s->RenameUser("bob", "Bad Name")) == Code::kInvalidArgument);
  REQUIRE(s->RenameUser("bob", "dave").ok());
  CHECK_FALSE(s->UserExists("bob"));
  CHECK(s->VerifyPassword("dave", "secret").ok());
  auto msgs = s.All("dave", "INBOX");
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].guid == a.guid);
  auto bytes = s->ReadMessage("dave", a.guid);
  REQUIRE(bytes.ok());
  CHECK(bytes.value() == "bob's mail");
  s.ExpectConsistent("dave");
}

// ---------------------------------------------------------------- mailboxes

TEST_CASE("store api: CreateMailbox makes missing parents and refuses duplicates and bad names") {
  TestStore s;
  s.User("alice");
  REQUIRE(s->CreateMailbox("alice", "a/b/c").ok());
  CHECK(s.Names("alice") == std::vector<std::string>{"INBOX", "a", "a/b", "a/b/c"});
  CHECK(s.Info("alice", "a").has_children);
  CHECK_FALSE(s.Info("alice", "a/b/c").has_children);
  CHECK(CodeOf(s->CreateMailbox("alice", "a")) == Code::kExists);
  CHECK(CodeOf(s->CreateMailbox("alice", "a/b/c")) == Code::kExists);
  CHECK(CodeOf(s->CreateMailbox("alice", "INBOX")) == Code::kExists);
  CHECK(CodeOf(s->CreateMailbox("alice", "iNbOx")) == Code::kExists);
  CHECK(CodeOf(s->CreateMailbox("nobody", "x")) == Code::kNotFound);
  // Any case of "inbox" as first component means INBOX.
  REQUIRE(s->CreateMailbox("alice", "inbox/Sub").ok());
  CHECK(Has(s.Names("alice"), "INBOX/Sub"));
  CHECK(s.Info("alice", "Inbox/Sub").name == "INBOX/Sub");
  CHECK(CodeOf(s->GetMailbox("alice", "missing")) == Code::kNotFound);

  for (std::string bad :
       {""s, "/a"s, "a/"s, "a//b"s, "a/../b"s, "."s, "a*"s, "%"s, "a\nb"s, "a\0b"s, "\xff\xfe"s}) {
    CAPTURE(bad);
    CHECK(CodeOf(s->CreateMailbox("alice", bad)) == Code::kInvalidArgument);
  }
  CHECK(CodeOf(s->CreateMailbox("alice", std::string(limits::kMaxMailboxNameBytes + 1, 'x'))) ==
        Code::kTooBig);

  // Ids are 32 hex characters, distinct; UIDVALIDITY is set.
  std::vector<std::string> ids;
  for (auto& name : s.Names("alice")) {
    MailboxInfo m = s.Info("alice", name);
    CHECK(m.id.size() == 32);
    CHECK(m.uidvalidity != 0);
    CHECK(m.uidnext == 1);
    CHECK(m.crc == 0);
    CHECK(std::find(ids.begin(), ids.end(), m.id) == ids.end());
    ids.push_back(m.id);
  }
}

TEST_CASE("store api: ListMailboxes matches LIST patterns, sorted by name") {
  TestStore s;
  s.User("alice");
  for (auto n : {"Work/x/deep", "Work/y", "Zed", "Archive", "INBOX/kid"}) s.Box("alice", n);
  CHECK(s.Names("alice") == std::vector<std::string>{"Archive", "INBOX", "INBOX/kid", "Work",
                                                     "Work/x", "Work/x/deep", "Work/y", "Zed"});
  CHECK(s.Names("alice", "%") == std::vector<std::string>{"Archive", "INBOX", "Work", "Zed"});
  CHECK(s.Names("alice", "Work/%") == std::vector<std::string>{"Work/x", "Work/y"});
  CHECK(s.Names("alice", "Work/*") == std::vector<std::string>{"Work/x", "Work/x/deep", "Work/y"});
  CHECK(s.Names("alice", "*y") == std::vector<std::string>{"Work/y"});
  CHECK(s.Names("alice", "inbox/%") == std::vector<std::string>{"INBOX/kid"});
  CHECK(s.Names("alice", "nothing").empty());
}

TEST_CASE("store api: DeleteMailbox: InUse with children, InvalidArgument for INBOX, NotFound") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "a/b");
  s.Put("alice", "a/b", "12345");
  CHECK(CodeOf(s->DeleteMailbox("alice", "a")) == Code::kInUse);
  CHECK(CodeOf(s->DeleteMailbox("alice", "INBOX")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->DeleteMailbox("alice", "inbox")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->DeleteMailbox("alice", "nope")) == Code::kNotFound);
  CHECK(CodeOf(s->DeleteMailbox("nobody", "a")) == Code::kNotFound);
  MailboxInfo old = s.Info("alice", "a/b");
  CHECK(s.Quota("alice").used_bytes == 5);
  REQUIRE(s->DeleteMailbox("alice", "a/b").ok());
  CHECK(s.Quota("alice").used_bytes == 0);  // its messages went with it
  CHECK(s.Quota("alice").used_messages == 0);
  CHECK_FALSE(s.Info("alice", "a").has_children);
  REQUIRE(s->DeleteMailbox("alice", "a").ok());
  CHECK(s.Names("alice") == std::vector<std::string>{"INBOX"});
  // A new mailbox of the same name is a new mailbox: new id, new UIDVALIDITY.
  s.Box("alice", "a/b");
  MailboxInfo fresh = s.Info("alice", "a/b");
  CHECK(fresh.id != old.id);
  CHECK(fresh.uidvalidity != old.uidvalidity);
  CHECK(fresh.uidnext == 1);
  CHECK(s.Vanished("alice", "a/b", 0).empty());
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: RenameMailbox moves children and keeps ids, UIDVALIDITY and messages") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "p/q");
  s.Box("alice", "other");
  AppendResult a = s.Put("alice", "p", "in p");
  AppendResult b = s.Put("alice", "p/q", "in p/q");
  MailboxInfo p = s.Info("alice", "p"), pq = s.Info("alice", "p/q");
  CHECK(CodeOf(s->RenameMailbox("alice", "p", "other")) == Code::kExists);
  CHECK(CodeOf(s->RenameMailbox("alice", "missing", "x")) == Code::kNotFound);
  CHECK(CodeOf(s->RenameMailbox("nobody", "p", "x")) == Code::kNotFound);
  CHECK(CodeOf(s->RenameMailbox("alice", "p", "bad//name")) == Code::kInvalidArgument);
  REQUIRE(s->RenameMailbox("alice", "p", "r").ok());
  CHECK(s.Names("alice") == std::vector<std::string>{"INBOX", "other", "r", "r/q"});
  MailboxInfo r = s.Info("alice", "r"), rq = s.Info("alice", "r/q");
  CHECK(r.id == p.id);
  CHECK(rq.id == pq.id);
  CHECK(r.uidvalidity == p.uidvalidity);
  CHECK(rq.uidvalidity == pq.uidvalidity);
  CHECK(r.uidnext == p.uidnext);
  CHECK(r.crc == p.crc);
  CHECK(r.highestmodseq >= p.highestmodseq);
  CHECK(Uids(s.All("alice", "r")) == std::vector<uint32_t>{a.uid});
  CHECK(s.All("alice", "r/q")[0].guid == b.guid);
  CHECK(CodeOf(s->GetMailbox("alice", "p")) == Code::kNotFound);
  CHECK(CodeOf(s->GetMailbox("alice", "p/q")) == Code::kNotFound);
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "INBOX/kid");
  AppendResult m1 = s.Put("alice", "INBOX", "first", kFlagSeen);
  AppendResult m2 = s.Put("alice", "INBOX", "second", 0, {"todo"});
  s.Put("alice", "INBOX/kid", "kid's");
  MailboxInfo before = s.Info("alice", "INBOX");
  QuotaInfo quota = s.Quota("alice");
  REQUIRE(s->RenameMailbox("alice", "inbox", "Old").ok());

  CHECK(s.Names("alice") == std::vector<std::string>{"INBOX", "INBOX/kid", "Old"});
  CHECK(s.All("alice", "INBOX").empty());
  CHECK(s.Info("alice", "INBOX").messages == 0);
  CHECK(s.All("alice", "INBOX/kid").size() == 1);  // INBOX's children stay
  auto moved = s.All("alice", "Old");
  REQUIRE(moved.size() == 2);
  CHECK(moved[0].guid == m1.guid);
  CHECK(moved[0].flags.system == kFlagSeen);
  CHECK(moved[1].guid == m2.guid);
  CHECK(moved[1].flags.keywords == std::vector<std::string>{"todo"});
  CHECK(s.Quota("alice").used_bytes == quota.used_bytes);
  CHECK(s.Quota("alice").used_messages == quota.used_messages);

  // INBOX's UIDs are not handed out again under the same UIDVALIDITY, and a
  // client resyncing INBOX learns the old ones vanished.
  MailboxInfo after = s.Info("alice", "INBOX");
  AppendResult next = s.Put("alice", "INBOX", "after the rename");
  if (after.uidvalidity == before.uidvalidity) {
    CHECK(next.uid >= before.uidnext);
    CHECK(s.Vanished("alice", "INBOX", 0) == std::vector<uint32_t>{m1.uid, m2.uid});
  }
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: special use is set at creation or later, and validated") {
  TestStore s;
  s.User("alice");
  REQUIRE(s->CreateMailbox("alice", "Sent", "\\Sent").ok());
  CHECK(s.Info("alice", "Sent").special_use == "\\Sent");
  s.Box("alice", "Bin");
  CHECK(s.Info("alice", "Bin").special_use.empty());
  REQUIRE(s->SetSpecialUse("alice", "Bin", "\\Trash").ok());
  CHECK(s.Info("alice", "Bin").special_use == "\\Trash");
  CHECK(CodeOf(s->SetSpecialUse("alice", "Bin", "\\Bogus")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->CreateMailbox("alice", "X", "Junk")) == Code::kInvalidArgument);
  CHECK(CodeOf(s->SetSpecialUse("alice", "missing", "\\Junk")) == Code::kNotFound);
  REQUIRE(s->SetSpecialUse("alice", "Bin", "").ok());
  CHECK(s.Info("alice", "Bin").special_use.empty());
}

TEST_CASE("store api: subscriptions are names that outlive the mailbox") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "Lists/a");
  REQUIRE(s->Subscribe("alice", "Lists/a").ok());
  REQUIRE(s->Subscribe("alice", "INBOX").ok());
  CHECK(s.Info("alice", "Lists/a").subscribed);
  CHECK_FALSE(s.Info("alice", "Lists").subscribed);
  auto subs = s->ListSubscriptions("alice");
  REQUIRE(subs.ok());
  CHECK(subs.value() == std::vector<std::string>{"INBOX", "Lists/a"});
  auto top = s->ListSubscriptions("alice", "%");
  REQUIRE(top.ok());
  CHECK(top.value() == std::vector<std::string>{"INBOX"});
  REQUIRE(s->DeleteMailbox("alice", "Lists/a").ok());
  subs = s->ListSubscriptions("alice");
  REQUIRE(subs.ok());
  CHECK(subs.value() == std::vector<std::string>{"INBOX", "Lists/a"});
  REQUIRE(s->Unsubscribe("alice", "Lists/a").ok());
  subs = s->ListSubscriptions("alice");
  REQUIRE(subs.ok());
  CHECK(subs.value() == std::vector<std::string>{"INBOX"});
  CHECK(CodeOf(s->Subscribe("nobody", "INBOX")) == Code::kNotFound);
  CHECK(CodeOf(s->ListSubscriptions("nobody")) == Code::kNotFound);
  CHECK(CodeOf(s->Subscribe("alice", "a//b")) == Code::kInvalidArgument);
}

// ---------------------------------------------------------------- messages

TEST_CASE("store api: Append stores the exact bytes; ReadMessage returns them") {
  TestStore s;
  s.User("alice");
  s.User("bob");
  const std::string bytes = "From: a\r\nSubject: \xe2\x9c\x93\r\n\r\nbody\0with NUL\xff\r\n"s;
  MailboxInfo inbox = s.Info("alice", "INBOX");
  auto r = s->Append("alice", "INBOX", bytes,
                     Flags{kFlagSeen | (1u << 9), {"Work", "$Junk", "work"}}, 1234567890);
  REQUIRE(r.ok());
  CHECK(r->uid == 1);
  CHECK(r->uidvalidity == inbox.uidvalidity);
  CHECK(r->guid == Sha256Hex(bytes));
  CHECK(r->modseq > inbox.highestmodseq);
  auto read = s->ReadMessage("alice", r->guid);
  REQUIRE(read.ok());
  CHECK(read.value() == bytes);

  auto msgs = s.All("alice", "INBOX");
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].size == bytes.size());
  CHECK(msgs[0].internal_date == 1234567890);
  CHECK(msgs[0].modseq == r->modseq);
  CHECK(msgs[0].flags.system == kFlagSeen);  // unknown bits dropped
  // Keywords: case-insensitive duplicates removed (first spelling wins),
  // sorted by lowercase form.
  CHECK(msgs[0].flags.keywords == std::vector<std::string>{"$Junk", "Work"});
  MailboxInfo after = s.Info("alice", "INBOX");
  CHECK(after.uidnext == 2);
  CHECK(after.messages == 1);
  CHECK(after.unseen == 0);
  CHECK(after.bytes == bytes.size());
  CHECK(after.highestmodseq == r->modseq);

  // The same bytes again: same GUID, a new UID; both read back.
  AppendResult again = s.Put("alice", "INBOX", bytes);
  CHECK(again.guid == r->guid);
  CHECK(again.uid == 2);
  CHECK(s.Info("alice", "INBOX").unseen == 1);

  // Blobs are per user.
  CHECK(CodeOf(s->ReadMessage("bob", r->guid)) == Code::kNotFound);
  CHECK(CodeOf(s->ReadMessage("alice", Sha256Hex("never stored"))) == Code::kNotFound);
  Code bad = CodeOf(s->ReadMessage("alice", "../../index.db"));
  CHECK((bad == Code::kInvalidArgument || bad == Code::kNotFound));

  CHECK(CodeOf(s->Append("alice", "missing", "x", {}, 0)) == Code::kNotFound);
  CHECK(CodeOf(s->Append("nobody", "INBOX", "x", {}, 0)) == Code::kNotFound);
  CHECK(CodeOf(s->Append("alice", "INBOX", "x", Flags{0, {"bad keyword"}}, 0)) ==
        Code::kInvalidArgument);
  CHECK(s.All("alice", "INBOX").size() == 2);
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: Append over max_message_bytes is TooBig and writes nothing") {
  TestStore s(StoreOptions{.kdf_iterations = 1000, .max_message_bytes = 100});
  s.User("alice");
  MailboxInfo before = s.Info("alice", "INBOX");
  CHECK(CodeOf(s->Append("alice", "INBOX", std::string(101, 'x'), {}, 0)) == Code::kTooBig);
  MailboxInfo after = s.Info("alice", "INBOX");
  CHECK(after.uidnext == before.uidnext);
  CHECK(after.highestmodseq == before.highestmodseq);
  CHECK(s.Quota("alice").used_bytes == 0);
  CHECK(CodeOf(s->ReadMessage("alice", Sha256Hex(std::string(101, 'x')))) == Code::kNotFound);
  s.Put("alice", "INBOX", std::string(100, 'x'));  // exactly the limit is fine
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: OverQuota refuses appends and copies and writes nothing") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "Other");
  CHECK(CodeOf(s->SetQuota("nobody", 1, 1)) == Code::kNotFound);
  REQUIRE(s->SetQuota("alice", 1000, 0).ok());
  s.Put("alice", "INBOX", std::string(600, 'a'));
  MailboxInfo before = s.Info("alice", "INBOX");
  CHECK(CodeOf(s->Append("alice", "INBOX", std::string(401, 'b'), {}, 0)) == Code::kOverQuota);
  MailboxInfo after = s.Info("alice", "INBOX");
  CHECK(after.uidnext == before.uidnext);
  CHECK(after.highestmodseq == before.highestmodseq);
  CHECK(after.messages == 1);
  CHECK(CodeOf(s->ReadMessage("alice", Sha256Hex(std::string(401, 'b')))) == Code::kNotFound);
  QuotaInfo q = s.Quota("alice");
  CHECK(q.limit_bytes == 1000);
  CHECK(q.limit_messages == 0);
  CHECK(q.used_bytes == 600);
  CHECK(q.used_messages == 1);
  s.Put("alice", "INBOX", std::string(400, 'c'));  // exactly at the limit is fine

  // Copies count: a copy of 600 bytes does not fit.
  MailboxInfo other = s.Info("alice", "Other");
  CHECK(CodeOf(s->Copy("alice", "INBOX", {{1, 1}}, "Other")) == Code::kOverQuota);
  CHECK(s.Info("alice", "Other").uidnext == other.uidnext);
  CHECK(s.Info("alice", "Other").highestmodseq == other.highestmodseq);
  CHECK(s.Quota("alice").used_bytes == 1000);

  // The message-count limit.
  REQUIRE(s->SetQuota("alice", 0, 2).ok());
  CHECK(CodeOf(s->Append("alice", "INBOX", "x", {}, 0)) == Code::kOverQuota);
  // Expunging frees room.
  REQUIRE(s->StoreFlags("alice", "INBOX", {{1, 1}}, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  CHECK(s.Quota("alice").used_messages == 1);
  s.Put("alice", "INBOX", "x");
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: a copy of no messages is not refused when over quota") {
  // Copy writes nothing when no UID matches, so there is nothing to refuse,
  // even when the quota was lowered below the usage.
  TestStore s;
  s.User("alice");
  s.Box("alice", "Other");
  s.Put("alice", "INBOX", std::string(100, 'a'));
  REQUIRE(s->SetQuota("alice", 50, 0).ok());
  auto r = s->Copy("alice", "INBOX", {{7, 9}}, "Other");
  CHECK_MESSAGE(r.ok(), r.status().ToString());
  auto m = s->Move("alice", "INBOX", {{7, 9}}, "Other");
  CHECK_MESSAGE(m.ok(), m.status().ToString());
}

TEST_CASE("store api: StoreFlags add, remove, replace; modseq rises only for real changes") {
  TestStore s;
  s.User("alice");
  AppendResult a = s.Put("alice", "INBOX", "one");
  AppendResult b = s.Put("alice", "INBOX", "two", kFlagSeen);
  uint64_t hms = s.Info("alice", "INBOX").highestmodseq;

  auto r = s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagSeen, {}});
  REQUIRE(r.ok());
  REQUIRE(r->changed.size() == 1);  // b had \Seen already
  CHECK(r->changed[0].uid == a.uid);
  CHECK(r->changed[0].flags.system == kFlagSeen);
  CHECK(r->changed[0].modseq > hms);
  CHECK(r->highestmodseq == r->changed[0].modseq);
  CHECK(r->failed.empty());
  CHECK(s.All("alice", "INBOX")[1].modseq == b.modseq);  // untouched
  CHECK(s.Info("alice", "INBOX").unseen == 0);

  // Nothing changes: nothing reported, HIGHESTMODSEQ stays.
  hms = r->highestmodseq;
  r = s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagSeen, {}});
  REQUIRE(r.ok());
  CHECK(r->changed.empty());
  CHECK(r->highestmodseq == hms);
  CHECK(s.Info("alice", "INBOX").highestmodseq == hms);

  // Keywords compare case-insensitively.
  r = s->StoreFlags("alice", "INBOX", {{a.uid, a.uid}}, FlagOp::kAdd, Flags{0, {"Project"}});
  REQUIRE(r.ok());
  CHECK(r->changed.size() == 1);
  r = s->StoreFlags("alice", "INBOX", {{a.uid, a.uid}}, FlagOp::kAdd, Flags{0, {"PROJECT"}});
  REQUIRE(r.ok());
  CHECK(r->changed.empty());
  r = s->StoreFlags("alice", "INBOX", {{a.uid, a.uid}}, FlagOp::kRemove,
                    Flags{kFlagSeen, {"project"}});
  REQUIRE(r.ok());
  REQUIRE(r->changed.size() == 1);
  CHECK(r->changed[0].flags == Flags{});

  r = s->StoreFlags("alice", "INBOX", kAll, FlagOp::kReplace, Flags{kFlagFlagged, {"b", "a"}});
  REQUIRE(r.ok());
  CHECK(r->changed.size() == 2);
  for (auto& m : s.All("alice", "INBOX")) {
    CHECK(m.flags == Flags{kFlagFlagged, {"a", "b"}});
  }
  CHECK(s.Info("alice", "INBOX").unseen == 2);

  // UIDs that do not exist are ignored.
  r = s->StoreFlags("alice", "INBOX", {{50, 60}}, FlagOp::kAdd, Flags{kFlagDraft, {}});
  REQUIRE(r.ok());
  CHECK(r->changed.empty());
  CHECK(CodeOf(s->StoreFlags("alice", "missing", kAll, FlagOp::kAdd, {})) == Code::kNotFound);
  CHECK(CodeOf(s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{0, {"a b"}})) ==
        Code::kInvalidArgument);
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: UNCHANGEDSINCE leaves newer messages alone and lists them as failed") {
  TestStore s;
  s.User("alice");
  AppendResult m1 = s.Put("alice", "INBOX", "1");
  AppendResult m2 = s.Put("alice", "INBOX", "2");
  AppendResult m3 = s.Put("alice", "INBOX", "3");
  // m2 changes after the client last looked (it saw modseq m3.modseq).
  auto touch =
      s->StoreFlags("alice", "INBOX", {{m2.uid, m2.uid}}, FlagOp::kAdd, Flags{kFlagAnswered, {}});
  REQUIRE(touch.ok());
  auto r = s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagFlagged, {}}, m3.modseq);
  REQUIRE(r.ok());
  CHECK(r->failed == std::vector<uint32_t>{m2.uid});
  CHECK(Uids(r->changed) == std::vector<uint32_t>{m1.uid, m3.uid});
  auto msgs = s.All("alice", "INBOX");
  CHECK(msgs[1].flags.system == kFlagAnswered);  // left alone
  CHECK(msgs[1].modseq == touch->highestmodseq);
  // UNCHANGEDSINCE 0 fails every message.
  r = s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagDraft, {}}, 0);
  REQUIRE(r.ok());
  CHECK(r->failed.size() == 3);
  CHECK(r->changed.empty());
  s.ExpectConsistent("alice");
}

TEST_CASE(
    "store api: Expunge removes \\Deleted messages, optionally within a UID set, leaving "
    "tombstones") {
  TestStore s;
  s.User("alice");
  for (int i = 1; i <= 4; ++i)
    s.Put("alice", "INBOX", "message " + std::to_string(i), i < 4 ? uint32_t{kFlagDeleted} : 0u);
  uint64_t hms0 = s.Info("alice", "INBOX").highestmodseq;
  auto r = s->Expunge("alice", "INBOX", UidSet{{2, 3}});
  REQUIRE(r.ok());
  CHECK(r->uids == std::vector<uint32_t>{2, 3});
  CHECK(r->highestmodseq > hms0);
  CHECK(s.Vanished("alice", "INBOX", 0) == std::vector<uint32_t>{2, 3});
  CHECK(s.Vanished("alice", "INBOX", hms0) == std::vector<uint32_t>{2, 3});
  CHECK(s.Vanished("alice", "INBOX", r->highestmodseq).empty());
  uint64_t hms1 = r->highestmodseq;

  r = s->Expunge("alice", "INBOX");
  REQUIRE(r.ok());
  CHECK(r->uids == std::vector<uint32_t>{1});
  CHECK(s.Vanished("alice", "INBOX", hms1) == std::vector<uint32_t>{1});
  CHECK(Uids(s.All("alice", "INBOX")) == std::vector<uint32_t>{4});
  CHECK(s.Quota("alice").used_messages == 1);

  // Nothing to expunge: nothing changes.
  uint64_t hms2 = r->highestmodseq;
  r = s->Expunge("alice", "INBOX");
  REQUIRE(r.ok());
  CHECK(r->uids.empty());
  CHECK(r->highestmodseq == hms2);

  // UIDs are never reused.
  CHECK(s.Put("alice", "INBOX", "five").uid == 5);
  CHECK(CodeOf(s->Expunge("alice", "missing")) == Code::kNotFound);
  CHECK(CodeOf(s->VanishedSince("alice", "missing", 0)) == Code::kNotFound);
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: Copy maps UIDs and shares the blob; Move leaves tombstones") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "X");
  s.Box("alice", "Y");
  AppendResult a = s.Put("alice", "INBOX", "alpha", kFlagSeen, {"kw"});
  AppendResult b = s.Put("alice", "INBOX", "beta", kFlagDeleted);
  s.Put("alice", "X", "x1");  // X's uidnext is 2

  auto c = s->Copy("alice", "INBOX", {{1, kStar}}, "X");
  REQUIRE(c.ok());
  CHECK(c->dst_uidvalidity == s.Info("alice", "X").uidvalidity);
  CHECK(c->src_uids == std::vector<uint32_t>{a.uid, b.uid});
  CHECK(c->dst_uids == std::vector<uint32_t>{2, 3});
  auto copies = s.All("alice", "X");
  REQUIRE(copies.size() == 3);
  CHECK(copies[1].guid == a.guid);
  CHECK(copies[1].flags == Flags{kFlagSeen, {"kw"}});
  CHECK(copies[1].internal_date == 1700000000);
  CHECK(copies[2].flags.system == kFlagDeleted);  // flags travel, \Deleted too
  CHECK(s.Quota("alice").used_messages == 5);     // copies count against quota

  // The originals go; the copies still read (the blob is shared).
  REQUIRE(s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  auto bytes = s->ReadMessage("alice", a.guid);
  REQUIRE(bytes.ok());
  CHECK(bytes.value() == "alpha");

  // Move: copies in Y, tombstones in X, usage unchanged.
  QuotaInfo q = s.Quota("alice");
  uint64_t x_hms = s.Info("alice", "X").highestmodseq;
  auto m = s->Move("alice", "X", {{2, 3}}, "Y");
  REQUIRE(m.ok());
  CHECK(m->src_uids == std::vector<uint32_t>{2, 3});
  CHECK(m->dst_uids == std::vector<uint32_t>{1, 2});
  CHECK(Uids(s.All("alice", "X")) == std::vector<uint32_t>{1});
  CHECK(s.Vanished("alice", "X", x_hms) == std::vector<uint32_t>{2, 3});
  CHECK(s.Info("alice", "X").highestmodseq > x_hms);
  CHECK(s.All("alice", "Y").size() == 2);
  CHECK(s.Quota("alice").used_messages == q.used_messages);
  CHECK(s.Quota("alice").used_bytes == q.used_bytes);

  // UIDs that do not exist: an empty mapping, nothing changes.
  uint64_t y_hms = s.Info("alice", "Y").highestmodseq;
  auto none = s->Copy("alice", "X", {{40, 50}}, "Y");
  REQUIRE(none.ok());
  CHECK(none->src_uids.empty());
  CHECK(s.Info("alice", "Y").highestmodseq == y_hms);

  CHECK(CodeOf(s->Copy("alice", "X", kAll, "missing")) == Code::kNotFound);
  CHECK(CodeOf(s->Copy("alice", "missing", kAll, "X")) == Code::kNotFound);
  CHECK(CodeOf(s->Move("alice", "X", kAll, "missing")) == Code::kNotFound);
  CHECK(Uids(s.All("alice", "X")) == std::vector<uint32_t>{1});
  s.ExpectConsistent("alice");
}

TEST_CASE("store api: FetchBySeq counts positions; ChangedSince filters by modseq") {
  TestStore s;
  s.User("alice");
  AppendResult a = s.Put("alice", "INBOX", "a");
  s.Put("alice", "INBOX", "b", kFlagDeleted);
  AppendResult c = s.Put("alice", "INBOX", "c");
  REQUIRE(s->Expunge("alice", "INBOX").ok());  // UIDs 1, 3 are now seqs 1, 2
  auto seq = s->FetchBySeq("alice", "INBOX", {{2, kStar}});
  REQUIRE(seq.ok());
  CHECK(Uids(seq.value()) == std::vector<uint32_t>{c.uid});
  seq = s->FetchBySeq("alice", "INBOX", {{1, 1}});
  REQUIRE(seq.ok());
  CHECK(Uids(seq.value()) == std::vector<uint32_t>{a.uid});
  auto changed = s->ChangedSince("alice", "INBOX", a.modseq);
  REQUIRE(changed.ok());
  CHECK(Uids(changed.value()) == std::vector<uint32_t>{c.uid});
  changed = s->ChangedSince("alice", "INBOX", 0);
  REQUIRE(changed.ok());
  CHECK(changed->size() == 2);
  auto some = s->FetchByUid("alice", "INBOX", {{3, 3}, {1, 2}, {2, 3}});
  REQUIRE(some.ok());
  CHECK(Uids(some.value()) == std::vector<uint32_t>{1, 3});  // ascending, once each
  CHECK(CodeOf(s->FetchBySeq("alice", "missing", kAll)) == Code::kNotFound);
  CHECK(CodeOf(s->ChangedSince("nobody", "INBOX", 0)) == Code::kNotFound);
}

TEST_CASE("store api: the CRC is the XOR over live messages, recomputable, 0 when empty") {
  TestStore s;
  s.User("alice");
  CHECK(s.Info("alice", "INBOX").crc == 0);
  s.Put("alice", "INBOX", "one", kFlagDeleted);
  uint64_t one = s.Info("alice", "INBOX").crc;
  CHECK(one != 0);
  s.Put("alice", "INBOX", "two");
  CHECK(s.Info("alice", "INBOX").crc != one);
  s.ExpectConsistent("alice");
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  s.ExpectConsistent("alice");
  REQUIRE(s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  CHECK(s.Info("alice", "INBOX").crc == 0);
  CHECK(CodeOf(s->RecomputeCrc("alice", "missing")) == Code::kNotFound);
}

TEST_CASE("store api: everything acknowledged survives reopening the store") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "Keep");
  AppendResult a = s.Put("alice", "Keep", "kept bytes", kFlagFlagged, {"x"});
  REQUIRE(s->SetQuota("alice", 5000, 9).ok());
  REQUIRE(s->Subscribe("alice", "Keep").ok());
  auto before = s.All("alice", "Keep");
  MailboxInfo info = s.Info("alice", "Keep");
  s.Reopen();
  CHECK(s.All("alice", "Keep") == before);
  MailboxInfo again = s.Info("alice", "Keep");
  CHECK(again.id == info.id);
  CHECK(again.uidvalidity == info.uidvalidity);
  CHECK(again.uidnext == info.uidnext);
  CHECK(again.highestmodseq == info.highestmodseq);
  CHECK(again.crc == info.crc);
  CHECK(again.subscribed);
  CHECK(s.Quota("alice").limit_bytes == 5000);
  auto bytes = s->ReadMessage("alice", a.guid);
  REQUIRE(bytes.ok());
  CHECK(bytes.value() == "kept bytes");
  s.ExpectConsistent("alice");
}

// ---------------------------------------------------------------- change log

TEST_CASE("store api: the change log names changed users; acknowledged entries do not come back") {
  TestStore s;
  CHECK(s.Changes().empty());
  s.User("alice");
  s.User("bob");
  s.Put("alice", "INBOX", "m");
  std::vector<std::string> users = s.Changes();
  CHECK(Has(users, "alice"));
  CHECK(Has(users, "bob"));

  // Reading does not consume: without an ack the same entries come again.
  auto one = s->ReadChanges(1);
  REQUIRE(one.ok());
  REQUIRE(one->users.size() == 1);
  auto one_again = s->ReadChanges(1);
  REQUIRE(one_again.ok());
  CHECK(one_again->users == one->users);
  CHECK(one_again->end == one->end);
  // Acknowledging a prefix drops exactly that prefix.
  REQUIRE(s->AckChanges(one->end).ok());
  std::vector<std::string> rest = s.Changes();
  CHECK(rest.size() == users.size() - 1);

  s.AckAll();
  CHECK(s.Changes().empty());
  // Reads are not changes.
  CHECK(s->VerifyPassword("alice", "secret").ok());
  s.All("alice", "INBOX");
  CHECK(s.Changes().empty());

  s.Put("bob", "INBOX", "n");
  CHECK(s.Changes() == std::vector<std::string>{"bob"});
  s.AckAll();

  // After a clean close nothing is re-logged and acknowledged stays acknowledged.
  s.Reopen();
  CHECK(s.Changes().empty());
  // An unacknowledged entry survives a reopen; once acknowledged it is gone for good.
  s.Put("alice", "INBOX", "o");
  s.Reopen();
  CHECK(s.Changes() == std::vector<std::string>{"alice"});
  s.AckAll();
  s.Reopen();
  CHECK(s.Changes().empty());
}

TEST_CASE("store api: an acknowledgement past the end of the log does not swallow later changes") {
  // AckChanges takes the `end` of a batch. A position beyond anything read
  // must be refused, or changes logged later would be taken as handled and
  // never replicated.
  TestStore s;
  s.User("alice");
  ChangeLogPosition end;
  s.Changes(&end);
  Status st = s->AckChanges({end.segment, end.offset + 1000});
  s.Put("alice", "INBOX", "after the bogus ack");
  CHECK_MESSAGE((!st.ok() || Has(s.Changes(), "alice")),
                "AckChanges accepted a position past the end "
                "and the next change was never reported");
  // Acknowledged stays acknowledged: a position behind it is refused or ignored.
  s.AckAll();
  (void)s->AckChanges({0, 0});
  CHECK(s.Changes().empty());
}

TEST_CASE("store api: every kind of change is logged") {
  TestStore s;
  s.User("alice");
  s.Box("alice", "B");
  s.Put("alice", "INBOX", "m");
  s.AckAll();
  auto logged = [&](const char* what, const Status& st) {
    CAPTURE(what);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    CHECK(Has(s.Changes(), "alice"));
    s.AckAll();
  };
  auto status = [](const auto& r) { return Status(r.status()); };
  logged("CreateMailbox", s->CreateMailbox("alice", "C"));
  logged("RenameMailbox", s->RenameMailbox("alice", "C", "D"));
  logged("DeleteMailbox", s->DeleteMailbox("alice", "D"));
  logged("SetSpecialUse", s->SetSpecialUse("alice", "B", "\\Archive"));
  logged("Subscribe", s->Subscribe("alice", "B"));
  logged("Unsubscribe", s->Unsubscribe("alice", "B"));
  logged("SetQuota", s->SetQuota("alice", 0, 100));
  logged("SetPassword", s->SetPassword("alice", "new"));
  logged("StoreFlags",
         status(s->StoreFlags("alice", "INBOX", kAll, FlagOp::kAdd, Flags{kFlagDeleted, {}})));
  logged("Copy", status(s->Copy("alice", "INBOX", kAll, "B")));
  logged("Move", status(s->Move("alice", "B", kAll, "INBOX")));
  logged("Expunge", status(s->Expunge("alice", "INBOX")));
  REQUIRE(s->RenameUser("alice", "alicia").ok());
  auto users = s.Changes();
  CHECK(Has(users, "alice"));
  CHECK(Has(users, "alicia"));
  s.AckAll();
  REQUIRE(s->DeleteUser("alicia").ok());
  CHECK(Has(s.Changes(), "alicia"));
}


TEST_CASE("store api: an empty password is refused, so it can never verify") {
  TestStore s;
  CHECK(s->CreateUser("nopass", "").code() == Code::kInvalidArgument);
  CHECK_FALSE(s->UserExists("nopass"));
  s.User("alice");
  CHECK(s->SetPassword("alice", "").code() == Code::kInvalidArgument);
  CHECK(s->VerifyPassword("alice", "").code() == Code::kPermission);
  CHECK(s->VerifyPassword("alice", "secret").ok());
}

TEST_CASE("store api: a renamed user's index names it and its UIDVALIDITYs are fresh") {
  // RenameUser rewrites the index before moving the directory (crash
  // order); afterwards the index and the directory agree.
  TestStore s;
  s.User("bob");
  s.Box("bob", "Work");
  uint32_t before = s->GetMailbox("bob", "Work")->uidvalidity;
  REQUIRE(s->RenameUser("bob", "carol").ok());
  CHECK_FALSE(s->UserExists("bob"));
  auto after = s->GetMailbox("carol", "Work");
  REQUIRE(after.ok());
  CHECK(after->uidvalidity > before);
  CHECK(s->CheckUser("carol").ok());
  s.Reopen();
  CHECK(s->VerifyPassword("carol", "secret").ok());
}

}  // namespace
}  // namespace slotmail::store
