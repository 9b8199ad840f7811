// The store side of replication (store_replica.cc): images read from a
// master and applied to a replica make the replica equal, IMAP-observably
// and record by record; what an apply refuses changes nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "common/fs.h"
#include "common/hash.h"
#include "mime/message_parser.h"
#include "store/paths.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

using namespace std::string_literals;

const UidSet kAll = {{1, UINT32_MAX}};

// One slot in a temporary directory.
class Slot {
 public:
  Slot() {
    auto s = Store::Open(root(), {.kdf_iterations = 1000});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s.value());
  }
  Store* operator->() { return store_.get(); }
  Store* get() { return store_.get(); }
  std::string root() const { return dir_.path() + "/slot"; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

std::string Msg(int n) {
  return "From: Sender " + std::to_string(n) + " <s" + std::to_string(n) +
         "@example.com>\r\nTo: alice@example.com\r\nSubject: note " + std::to_string(n) +
         "\r\nMessage-ID: <m" + std::to_string(n) + "@example.com>\r\n"
         "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nbody " + std::to_string(n) + "\r\n";
}

void Ok(const Status& st) { REQUIRE_MESSAGE(st.ok(), st.ToString()); }

uint32_t Put(Store* s, const std::string& box, int n, uint32_t system = 0,
             std::vector<std::string> keywords = {}) {
  auto r = s->Append("alice", box, Msg(n), Flags{system, std::move(keywords)}, 1700000000 + n);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->uid;
}

std::vector<std::string> RecordGuids(const UserImage& image) {
  std::vector<std::string> out;
  for (const auto& b : image.mailboxes) {
    for (const auto& m : b.records) out.push_back(m.guid);
  }
  return out;
}

// Uploads the files `image` needs that the replica lacks, as replication does.
void PutMissing(Store* master, Store* replica, const UserImage& image) {
  auto missing = replica->MissingBlobs("alice", RecordGuids(image));
  REQUIRE(missing.ok());
  for (const auto& g : *missing) {
    auto bytes = master->ReadMessage("alice", g);
    REQUIRE(bytes.ok());
    Ok(replica->PutBlob("alice", g, *bytes));
  }
}

// The replica's highest modseqs: what it asks the master for changes above.
SinceMap SinceOf(Store* replica) {
  auto summary = replica->SummarizeUser("alice");
  REQUIRE_MESSAGE(summary.ok(), summary.status().ToString());
  SinceMap since;
  for (const auto& b : summary->mailboxes) since[b.id] = b.highestmodseq;
  return since;
}

// Master's image since `since`, its files, then the apply on the replica.
Status Ship(Store* master, Store* replica, const SinceMap& since = {}) {
  auto image = master->ReadUserImage("alice", since);
  REQUIRE_MESSAGE(image.ok(), image.status().ToString());
  PutMissing(master, replica, *image);
  return replica->ApplyUserImage("alice", *image);
}

UserImage Image(Store* s) {
  auto image = s->ReadUserImage("alice", {});
  REQUIRE_MESSAGE(image.ok(), image.status().ToString());
  return std::move(image).value();
}

// Equal record by record, and as IMAP shows it.
void RequireSame(Store* master, Store* replica) {
  UserImage a = Image(master), b = Image(replica);
  REQUIRE(a.mailboxes.size() == b.mailboxes.size());
  for (size_t i = 0; i < a.mailboxes.size(); ++i) {
    CHECK_MESSAGE(a.mailboxes[i] == b.mailboxes[i], a.mailboxes[i].name);
  }
  CHECK(a == b);
  auto la = master->ListMailboxes("alice"), lb = replica->ListMailboxes("alice");
  REQUIRE(la.ok());
  REQUIRE(lb.ok());
  REQUIRE(la->size() == lb->size());
  for (size_t i = 0; i < la->size(); ++i) {
    const MailboxInfo &x = (*la)[i], &y = (*lb)[i];
    CHECK(x.name == y.name);
    CHECK(x.id == y.id);
    CHECK(x.uidvalidity == y.uidvalidity);
    CHECK(x.uidnext == y.uidnext);
    CHECK(x.highestmodseq == y.highestmodseq);
    CHECK(x.messages == y.messages);
    CHECK(x.unseen == y.unseen);
    CHECK(x.bytes == y.bytes);
    CHECK(x.special_use == y.special_use);
    CHECK(x.subscribed == y.subscribed);
    CHECK(x.has_children == y.has_children);
    auto va = master->VanishedSince("alice", x.name, 0);
    auto vb = replica->VanishedSince("alice", x.name, 0);
    CHECK(va.value() == vb.value());
  }
  auto qa = master->GetQuota("alice"), qb = replica->GetQuota("alice");
  CHECK(qa->limit_bytes == qb->limit_bytes);
  CHECK(qa->limit_messages == qb->limit_messages);
  CHECK(qa->used_bytes == qb->used_bytes);
  CHECK(qa->used_messages == qb->used_messages);
  CHECK(master->ListSubscriptions("alice").value() == replica->ListSubscriptions("alice").value());
  Status check = replica->CheckUser("alice");
  CHECK_MESSAGE(check.ok(), check.ToString());
}

// A user with most of what a store keeps: nested, special-use, renamed and
// deleted mailboxes; appended, copied, moved, flagged, expunged messages;
// metadata, subscriptions, quota and a changed password.
void Populate(Store* s) {
  Ok(s->CreateUser("alice", "first-pass"));
  Ok(s->CreateMailbox("alice", "Work/Projects"));
  Ok(s->CreateMailbox("alice", "Sent", "\\Sent"));
  Ok(s->CreateMailbox("alice", "Old"));
  Ok(s->RenameMailbox("alice", "Old", "Archive/Old"));
  Ok(s->CreateMailbox("alice", "Gone"));
  Ok(s->DeleteMailbox("alice", "Gone"));
  for (int i = 1; i <= 4; ++i) Put(s, "INBOX", i, i == 1 ? uint32_t{kFlagSeen} : 0u, {"$Work"});
  Put(s, "Work/Projects", 5);
  Put(s, "Work/Projects", 6, kFlagFlagged);
  Put(s, "Archive/Old", 7);
  REQUIRE(s->Copy("alice", "INBOX", {{1, 2}}, "Sent").ok());
  REQUIRE(s->Move("alice", "INBOX", {{3, 3}}, "Work").ok());
  REQUIRE(s->StoreFlags("alice", "INBOX", {{2, 2}}, FlagOp::kAdd,
                        Flags{kFlagAnswered, {"$Important"}}).ok());
  REQUIRE(s->StoreFlags("alice", "Sent", {{1, 1}}, FlagOp::kAdd, Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "Sent").ok());
  Ok(s->SetMetadata("alice", "", {{"/private/comment", "hello\0world"s}}));
  Ok(s->SetMetadata("alice", "Work", {{"/shared/vendor/x", "y"}, {"/private/a", "b"}}));
  Ok(s->Subscribe("alice", "INBOX"));
  Ok(s->Subscribe("alice", "Work"));
  Ok(s->Subscribe("alice", "Nowhere"));  // subscriptions may outlive mailboxes
  Ok(s->SetQuota("alice", 10 << 20, 1000));
  Ok(s->SetPassword("alice", "master-pass"));
}

const MailboxImage& Box(const UserImage& image, const std::string& name) {
  for (const auto& b : image.mailboxes) {
    if (b.name == name) return b;
  }
  FAIL("no mailbox " << name);
  return image.mailboxes.front();
}

TEST_CASE("store replica: a full image makes a new replica user equal to the master's") {
  Slot master, replica;
  Populate(master.get());
  CHECK(!replica->UserExists("alice"));
  Ok(Ship(master.get(), replica.get()));
  RequireSame(master.get(), replica.get());
  // The password hash came along, not a new password.
  CHECK(replica->VerifyPassword("alice", "master-pass").ok());
  CHECK(replica->VerifyPassword("alice", "first-pass").code() == Code::kPermission);
  // METADATA, NUL bytes included.
  auto md = replica->GetMetadata("alice", "", "/private/comment", 0);
  REQUIRE(md.ok());
  REQUIRE(md->size() == 1);
  CHECK((*md)[0].value == "hello\0world"s);
  CHECK(replica->GetMetadata("alice", "Work", "/shared", SIZE_MAX).value() ==
        master->GetMetadata("alice", "Work", "/shared", SIZE_MAX).value());
  // The change is in the replica's change log like any write.
  auto changes = replica->ReadChanges(100);
  REQUIRE(changes.ok());
  CHECK(std::count(changes->users.begin(), changes->users.end(), "alice") >= 1);
  // SORT's keys and FETCH's structures were computed at apply.
  auto ka = master->FetchSortKeys("alice", "INBOX", {1, UINT32_MAX});
  auto kb = replica->FetchSortKeys("alice", "INBOX", {1, UINT32_MAX});
  REQUIRE(kb.ok());
  REQUIRE(ka->size() == kb->size());
  for (size_t i = 0; i < ka->size(); ++i) {
    CHECK((*ka)[i].info == (*kb)[i].info);
    CHECK((*ka)[i].keys == (*kb)[i].keys);
  }
  CHECK(replica->FindMessageIdSince("alice", "INBOX", "<m1@example.com>", 0, 1).value().size() == 1);
  const std::vector<std::string> guids = RecordGuids(Image(replica.get()));
  SlotPaths paths(replica.root());
  for (const auto& g : guids) (void)fs::Remove(paths.BlobPath("alice", g));
  auto structures = replica->FetchStructures("alice", guids);  // from rows: no file left
  REQUIRE(structures.ok());
  for (size_t i = 0; i < guids.size(); ++i) {
    REQUIRE((*structures)[i] != nullptr);
    CHECK(*(*structures)[i] == mime::ParseMessage(master->ReadMessage("alice", guids[i]).value()));
  }
}

TEST_CASE("store replica: a summary carries the header fields and no records") {
  Slot master;
  Populate(master.get());
  auto summary = master->SummarizeUser("alice");
  REQUIRE(summary.ok());
  UserImage full = Image(master.get());
  REQUIRE(summary->mailboxes.size() == full.mailboxes.size());
  for (size_t i = 0; i < full.mailboxes.size(); ++i) {
    const MailboxImage &s = summary->mailboxes[i], &f = full.mailboxes[i];
    CHECK(f.complete);
    CHECK(!s.complete);
    CHECK(s.records.empty());
    CHECK(s.tombstones.empty());
    CHECK(s.since_modseq == s.highestmodseq);
    CHECK(s.crc == f.crc);
    CHECK(s.messages == f.records.size());
    CHECK(s.id == f.id);
    CHECK(s.metadata == f.metadata);
  }
  CHECK(summary->password_hash == full.password_hash);
  CHECK(summary->subscriptions == full.subscriptions);
  CHECK(master->SummarizeUser("nobody").status().code() == Code::kNotFound);
  CHECK(master->ReadUserImage("nobody", {}).status().code() == Code::kNotFound);
}

TEST_CASE("store replica: a delta image after more changes makes the replica equal again") {
  Slot master, replica;
  Populate(master.get());
  Ok(Ship(master.get(), replica.get()));
  Store* m = master.get();
  Put(m, "INBOX", 10);
  REQUIRE(m->StoreFlags("alice", "Work", {{1, 1}}, FlagOp::kReplace, Flags{kFlagSeen, {"x"}}).ok());
  REQUIRE(m->StoreFlags("alice", "Work/Projects", {{1, 1}}, FlagOp::kAdd,
                        Flags{kFlagDeleted, {}}).ok());
  REQUIRE(m->Expunge("alice", "Work/Projects").ok());
  Ok(m->RenameMailbox("alice", "Work", "Job"));  // with its child
  Ok(m->CreateMailbox("alice", "New", "\\Drafts"));
  Put(m, "New", 11);
  Ok(m->SetSpecialUse("alice", "Sent", "\\Archive"));
  Ok(m->SetMetadata("alice", "Job", {{"/private/a", std::nullopt}, {"/private/c", "d"}}));
  Ok(m->SetMetadata("alice", "", {{"/shared/motd", "hi"}}));
  Ok(m->Unsubscribe("alice", "Nowhere"));
  Ok(m->SetQuota("alice", 20 << 20, 0));
  Ok(m->SetPassword("alice", "third-pass"));

  const SinceMap since = SinceOf(replica.get());
  auto delta = m->ReadUserImage("alice", since);
  REQUIRE(delta.ok());
  const MailboxImage& inbox = Box(*delta, "INBOX");
  CHECK(!inbox.complete);
  CHECK(inbox.records.size() == 1);  // only the new message
  CHECK(Box(*delta, "Job/Projects").tombstones.size() == 1);
  CHECK(Box(*delta, "New").complete);  // the replica does not know it yet
  CHECK(Box(*delta, "Archive/Old").records.empty());  // unchanged

  Ok(Ship(m, replica.get(), since));
  RequireSame(m, replica.get());
  CHECK(replica->VerifyPassword("alice", "third-pass").ok());
  // An image applied twice changes nothing.
  Ok(Ship(m, replica.get(), since));
  RequireSame(m, replica.get());
}

TEST_CASE("store replica: renames that swap and chain names are applied by mailbox id") {
  Slot master, replica;
  Store* m = master.get();
  Ok(m->CreateUser("alice", "pw"));
  for (const char* name : {"A", "B", "C", "E"}) Ok(m->CreateMailbox("alice", name));
  Put(m, "A", 1);
  Put(m, "B", 2);
  Put(m, "C", 3);
  Put(m, "E", 4);
  Ok(Ship(m, replica.get()));
  const std::string id_a = m->GetMailbox("alice", "A")->id;
  const std::string id_b = m->GetMailbox("alice", "B")->id;
  const std::string id_c = m->GetMailbox("alice", "C")->id;
  const std::string id_e = m->GetMailbox("alice", "E")->id;
  // Swap A and B; chain C -> F, E -> C.
  Ok(m->RenameMailbox("alice", "A", "T"));
  Ok(m->RenameMailbox("alice", "B", "A"));
  Ok(m->RenameMailbox("alice", "T", "B"));
  Ok(m->RenameMailbox("alice", "C", "F"));
  Ok(m->RenameMailbox("alice", "E", "C"));
  Ok(Ship(m, replica.get(), SinceOf(replica.get())));
  RequireSame(m, replica.get());
  CHECK(replica->GetMailbox("alice", "A")->id == id_b);
  CHECK(replica->GetMailbox("alice", "B")->id == id_a);
  CHECK(replica->GetMailbox("alice", "F")->id == id_c);
  CHECK(replica->GetMailbox("alice", "C")->id == id_e);
  CHECK(replica->FetchByUid("alice", "C", kAll)->front().guid == Sha256Hex(Msg(4)));
}

TEST_CASE("store replica: a mailbox deleted on the master goes on the replica, its files too") {
  Slot master, replica;
  Populate(master.get());
  Ok(Ship(master.get(), replica.get()));
  const std::string only_there = Sha256Hex(Msg(7));  // only in Archive/Old
  Ok(master->DeleteMailbox("alice", "Archive/Old"));
  Ok(Ship(master.get(), replica.get(), SinceOf(replica.get())));
  RequireSame(master.get(), replica.get());
  CHECK(replica->GetMailbox("alice", "Archive/Old").status().code() == Code::kNotFound);
  CHECK(replica->MissingBlobs("alice", {only_there}).value() ==
        std::vector<std::string>{only_there});
}

TEST_CASE("store replica: a checksum that does not match is Corruption and changes nothing") {
  Slot master, replica;
  Populate(master.get());
  // A new user: nothing is created.
  UserImage bad = Image(master.get());
  PutMissing(master.get(), replica.get(), bad);
  for (auto& b : bad.mailboxes) {
    if (b.name == "Work/Projects") b.crc ^= 1;
  }
  Status st = replica->ApplyUserImage("alice", bad);
  CHECK(st.code() == Code::kCorruption);
  CHECK(st.message().find("Work/Projects") != std::string::npos);
  CHECK(!replica->UserExists("alice"));
  // An existing user: the whole apply is rolled back.
  Ok(Ship(master.get(), replica.get()));
  const UserImage before = Image(replica.get());
  Put(master.get(), "INBOX", 20);
  Ok(master->RenameMailbox("alice", "Sent", "Sent2"));
  Ok(master->SetQuota("alice", 1, 1));
  const SinceMap since = SinceOf(replica.get());
  auto delta = master->ReadUserImage("alice", since);
  REQUIRE(delta.ok());
  PutMissing(master.get(), replica.get(), *delta);
  for (auto& b : delta->mailboxes) {
    if (b.name == "INBOX") b.messages += 1;
  }
  st = replica->ApplyUserImage("alice", *delta);
  CHECK(st.code() == Code::kCorruption);
  CHECK(st.message().find("INBOX") != std::string::npos);
  CHECK(Image(replica.get()) == before);
  CHECK(replica->GetQuota("alice")->limit_bytes == uint64_t{10 << 20});
}

TEST_CASE("store replica: a record whose message file is missing is NotFound, nothing applied") {
  Slot master, replica;
  Populate(master.get());
  CHECK(replica->ApplyUserImage("alice", Image(master.get())).code() == Code::kNotFound);
  CHECK(!replica->UserExists("alice"));
  Ok(Ship(master.get(), replica.get()));
  const UserImage before = Image(replica.get());
  Put(master.get(), "Work", 30);
  Ok(master->CreateMailbox("alice", "Later"));
  auto delta = master->ReadUserImage("alice", SinceOf(replica.get()));
  REQUIRE(delta.ok());
  Status st = replica->ApplyUserImage("alice", *delta);  // no PutBlob first
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message().find(Sha256Hex(Msg(30))) != std::string::npos);
  CHECK(Image(replica.get()) == before);
}

TEST_CASE("store replica: PutBlob keeps only bytes that match their GUID") {
  Slot replica;
  const std::string guid = Sha256Hex(Msg(1));
  Status st = replica->PutBlob("bob", guid, Msg(2));
  CHECK(st.code() == Code::kCorruption);
  CHECK(!fs::Exists(SlotPaths(replica.root()).UserDir("bob")));  // nothing written
  CHECK(replica->MissingBlobs("bob", {guid}).value() == std::vector<std::string>{guid});
  CHECK(replica->PutBlob("bob", "not-a-guid", Msg(1)).code() == Code::kInvalidArgument);
  CHECK(replica->PutBlob("Bad User", guid, Msg(1)).code() == Code::kInvalidArgument);
  // A user the slot does not have yet: its files come first, no user yet.
  Ok(replica->PutBlob("bob", guid, Msg(1)));
  Ok(replica->PutBlob("bob", guid, Msg(1)));  // again: nothing to do
  CHECK(replica->MissingBlobs("bob", {guid, guid}).value().empty());
  CHECK(!replica->UserExists("bob"));
  CHECK(replica->ListUsers().value().empty());
  CHECK(replica->ReadMessage("bob", guid).value() == Msg(1));
  // The staged files do not keep the name from a local CreateUser.
  Ok(replica->CreateUser("bob", "pw"));
  CHECK(replica->CheckUser("bob").ok());
}

TEST_CASE("store replica: PutBlobs keeps a batch, or nothing if one file does not match") {
  Slot replica;
  const std::string m1 = Msg(1), m2 = Msg(2), m3 = Msg(3);
  const std::string g1 = Sha256Hex(m1), g2 = Sha256Hex(m2), g3 = Sha256Hex(m3);
  // One forged file in the batch: nothing of the batch is kept.
  CHECK(replica->PutBlobs("bob", {{g1, m1}, {g2, m3}, {g3, m3}}).code() == Code::kCorruption);
  CHECK(replica->MissingBlobs("bob", {g1, g2, g3}).value().size() == 3);
  Ok(replica->PutBlobs("bob", {{g1, m1}, {g2, m2}, {g3, m3}}));
  CHECK(replica->MissingBlobs("bob", {g1, g2, g3}).value().empty());
  Ok(replica->PutBlobs("bob", {{g1, m1}, {g2, m2}}));  // again: nothing to do
  CHECK(replica->ReadMessage("bob", g2).value() == m2);
  CHECK(replica->ReadMessage("bob", g3).value() == m3);
  // Nothing is left behind in tmp/.
  CHECK(fs::ListDir(SlotPaths(replica.root()).TmpDir()).value().empty());
}

TEST_CASE("store replica: local writes after an apply continue above the applied values") {
  Slot master, replica;
  Populate(master.get());
  UserImage image = Image(master.get());
  // A UIDVALIDITY from the future: new ones on the replica must pass it.
  const uint32_t future = static_cast<uint32_t>(std::time(nullptr)) + 100000;
  for (auto& b : image.mailboxes) {
    if (b.name == "Work") b.uidvalidity = future;
  }
  PutMissing(master.get(), replica.get(), image);
  Ok(replica->ApplyUserImage("alice", image));
  Store* r = replica.get();
  const MailboxImage& inbox = Box(image, "INBOX");
  auto appended = r->Append("alice", "INBOX", Msg(40), {}, 1700000040);
  REQUIRE(appended.ok());
  CHECK(appended->uid == inbox.uidnext);
  CHECK(appended->modseq > inbox.highestmodseq);
  REQUIRE(r->StoreFlags("alice", "INBOX", {{1, UINT32_MAX}}, FlagOp::kAdd,
                        Flags{kFlagDeleted, {}}).ok());
  auto expunged = r->Expunge("alice", "INBOX");
  REQUIRE(expunged.ok());
  CHECK(expunged->uids.size() == inbox.records.size() + 1);
  CHECK(expunged->highestmodseq > appended->modseq);
  auto moved = r->Move("alice", "Work/Projects", kAll, "Sent");
  REQUIRE(moved.ok());
  CHECK(moved->dst_uids.front() == Box(image, "Sent").uidnext);
  Ok(r->CreateMailbox("alice", "Fresh"));
  CHECK(r->GetMailbox("alice", "Fresh")->uidvalidity > future);
  Ok(r->CreateUser("carol", "pw"));
  CHECK(r->GetMailbox("carol", "INBOX")->uidvalidity > future);
  CHECK(r->CheckUser("alice").ok());
  CHECK(r->GetQuota("alice")->used_messages == uint64_t{5});  // Work 1, Archive/Old 1, Sent 3
}

TEST_CASE("store replica: a malformed image is refused before anything is read") {
  Slot master, replica;
  Populate(master.get());
  UserImage image = Image(master.get());
  PutMissing(master.get(), replica.get(), image);
  UserImage no_inbox = image;
  std::erase_if(no_inbox.mailboxes, [](const MailboxImage& b) { return b.name == "INBOX"; });
  CHECK(replica->ApplyUserImage("alice", no_inbox).code() == Code::kInvalidArgument);
  UserImage bad_uid = image;
  for (auto& b : bad_uid.mailboxes) {
    if (!b.records.empty()) b.records.front().uid = b.uidnext;
  }
  CHECK(replica->ApplyUserImage("alice", bad_uid).code() == Code::kInvalidArgument);
  UserImage bad_name = image;
  bad_name.mailboxes.front().name = "a//b";
  CHECK(replica->ApplyUserImage("alice", bad_name).code() == Code::kInvalidArgument);
  UserImage twice = image;
  twice.mailboxes.push_back(twice.mailboxes.front());
  CHECK(replica->ApplyUserImage("alice", twice).code() == Code::kInvalidArgument);
  CHECK(!replica->UserExists("alice"));
}

}  // namespace
}  // namespace slotmail::store
