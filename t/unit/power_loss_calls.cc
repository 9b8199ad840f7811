// The calls of the power-loss workload (power_loss_run.h): each predicts
// the user's next state, makes the call, checks what an acknowledged call
// returned against the prediction, and files the outcome (Settle).
#include <doctest/doctest.h>

#include <iterator>

#include "common/hash.h"
#include "t/unit/power_loss_run.h"

namespace slotmail::store::power_loss {
namespace {

constexpr uint32_t kStar = UINT32_MAX;
constexpr int64_t kDate = 1700000000;

}  // namespace

void Run::Append(const std::string& user) {
  const std::string box = PickBox(user);
  const std::string msg = NewMessage();
  const Flags flags = RandomFlags();
  UserState next = users_[user].latest();
  const uint32_t uid = Add(&next.boxes[box], Sha256Hex(msg), flags);
  auto r = store_->Append(user, box, msg, flags, kDate);
  if (r.ok()) {
    REQUIRE(r->uid == uid);
    NoteUids(user, box, {uid});
  }
  Settle(user, r.status(), std::move(next), /*synced=*/true);
}

void Run::AppendBatch(const std::string& user) {
  const std::string box = PickBox(user);
  std::vector<std::string> msgs(1 + Below(4));
  std::vector<AppendItem> items;
  UserState next = users_[user].latest();
  std::vector<uint32_t> uids;
  for (auto& m : msgs) {
    m = NewMessage();
    items.push_back(AppendItem{m, RandomFlags(), kDate});
    uids.push_back(Add(&next.boxes[box], Sha256Hex(m), items.back().flags));
  }
  auto r = store_->AppendBatch(user, box, items);
  if (r.ok()) {
    REQUIRE(r->size() == uids.size());
    for (size_t i = 0; i < uids.size(); ++i) REQUIRE((*r)[i].uid == uids[i]);
    NoteUids(user, box, uids);
  }
  Settle(user, r.status(), std::move(next), /*synced=*/true);
}

// LMTP: one message to every user's INBOX, one Append each (lmtpd/deliver.cc).
void Run::Deliver() {
  const std::string msg = NewMessage();
  for (const auto& user : kUsers) {
    if (layer_->cut()) return;
    if (!users_[user].latest().exists) continue;
    UserState next = users_[user].latest();
    const uint32_t uid = Add(&next.boxes["INBOX"], Sha256Hex(msg), Flags{});
    auto r = store_->Append(user, "INBOX", msg, Flags{}, kDate);
    if (r.ok()) {
      REQUIRE(r->uid == uid);
      NoteUids(user, "INBOX", {uid});
    }
    Settle(user, r.status(), std::move(next), /*synced=*/true);
  }
}

void Run::CopyOrMove(const std::string& user, bool move) {
  const std::string src = PickBox(user);
  const std::string dst = PickBox(user);
  UserState next = users_[user].latest();
  const UidSet set = RandomSet(next.boxes[src]);
  const auto uids = Select(next.boxes[src], set);
  const auto copies = ApplyCopy(&next, src, uids, dst, move);
  auto r = move ? store_->Move(user, src, set, dst) : store_->Copy(user, src, set, dst);
  if (r.ok()) {
    REQUIRE(r->src_uids == uids);
    REQUIRE(r->dst_uids == copies);
    NoteUids(user, dst, copies);
  }
  Settle(user, r.status(), std::move(next), /*synced=*/true);
}

void Run::StoreFlags(const std::string& user) {
  const std::string box = PickBox(user);
  UserState next = users_[user].latest();
  const UidSet set = RandomSet(next.boxes[box]);
  const FlagOp op = static_cast<FlagOp>(Below(3));
  Flags arg = RandomFlags();
  if (Below(2) == 0) arg.system |= kFlagDeleted;  // expunges need something to take
  for (uint32_t uid : Select(next.boxes[box], set)) {
    Flags& flags = next.boxes[box].msgs[uid].flags;
    Flags canonical = arg;
    REQUIRE(NormalizeFlags(&canonical).ok());
    flags = ApplyFlagOp(flags, op, canonical);
  }
  auto r = store_->StoreFlags(user, box, set, op, arg);
  Settle(user, r.status(), std::move(next), /*synced=*/false);
}

void Run::Expunge(const std::string& user) {
  const std::string box = PickBox(user);
  UserState next = users_[user].latest();
  std::optional<UidSet> set;
  if (Below(2) == 0) set = RandomSet(next.boxes[box]);
  std::vector<uint32_t> gone;
  for (const auto& [uid, m] : next.boxes[box].msgs) {
    if ((m.flags.system & kFlagDeleted) && (!set || InSet(uid, *set))) {
      gone.push_back(uid);
    }
  }
  for (uint32_t uid : gone) next.boxes[box].msgs.erase(uid);
  auto r = store_->Expunge(user, box, set);
  if (r.ok()) REQUIRE(r->uids == gone);
  Settle(user, r.status(), std::move(next), /*synced=*/false);
}

void Run::CreateMailbox(const std::string& user) {
  UserState next = users_[user].latest();
  // Now and then a child, whose parent is made with it if missing.
  std::string name = "B" + std::to_string(++mailboxes_made_);
  if (Below(4) == 0) name = "P" + std::to_string(Below(3)) + "/" + name;
  for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
    next.boxes[name.substr(0, slash)];
  }
  next.boxes[name];
  Settle(user, store_->CreateMailbox(user, name), std::move(next), /*synced=*/true);
}

void Run::DeleteMailbox(const std::string& user) {
  UserState next = users_[user].latest();
  std::vector<std::string> leaves;
  for (const auto& [name, box] : next.boxes) {
    auto after = next.boxes.upper_bound(name);
    const bool has_child = after != next.boxes.end() && after->first.rfind(name + "/", 0) == 0;
    if (name != "INBOX" && !has_child) leaves.push_back(name);
  }
  if (leaves.empty()) return;
  const std::string name = leaves[Below(leaves.size())];
  next.boxes.erase(name);
  Status st = store_->DeleteMailbox(user, name);
  if (st.ok()) acked_uid_[user].erase(name);
  Settle(user, st, std::move(next), /*synced=*/true);
}

void Run::SyncAll() {
  Status st = store_->SyncAll();
  if (st.ok()) return AllDurable();
  REQUIRE_MESSAGE(layer_->cut(), "SyncAll failed with the power on: " << st.ToString());
}

// What replication does: read the change log (which syncs first), then
// acknowledge what it read.
void Run::DrainChangeLog() {
  auto changes = store_->ReadChanges(1000);
  if (!changes.ok()) {
    REQUIRE_MESSAGE(layer_->cut(), changes.status().ToString());
    return;
  }
  AllDurable();
  Status st = store_->AckChanges(changes->end);
  REQUIRE_MESSAGE((st.ok() || layer_->cut()), st.ToString());
}

// A clean shutdown and open: everything acknowledged is durable, and the
// reopened store shows exactly the latest state.
void Run::Restart() {
  store_.reset();
  if (layer_->cut() || !OpenStore()) return;
  AllDurable();
  layer_->Hold(true);
  for (const auto& user : kUsers) {
    const UserState found = ReadState(user);
    CHECK_MESSAGE(found == users_[user].latest(),
                  "after a clean restart, " << user << ":\n" << UserHistory::Describe(found)
                                            << "expected:\n"
                                            << UserHistory::Describe(users_[user].latest()));
  }
  layer_->Hold(false);
}

// Deleted whole (synced); a later step creates the user again, with UIDs
// from 1 (and a new UIDVALIDITY).
void Run::DeleteUser(const std::string& user) {
  Status st = store_->DeleteUser(user);
  if (st.ok()) acked_uid_.erase(user);
  Settle(user, st, UserState{}, /*synced=*/true);
}

// ---- random inputs

std::string Run::NewMessage() {
  if (!made_.empty() && Below(10) == 0) return bytes_[made_[Below(made_.size())]];  // a blob shared
  const uint64_t size_class = Below(10);
  const size_t size = size_class < 6   ? 100 + Below(400)
                      : size_class < 9 ? 2000 + Below(14000)
                                       : 60000 + Below(90000);
  std::string m = "Subject: message " + std::to_string(made_.size()) + "\r\n\r\n";
  while (m.size() < size) {
    for (int i = 0; i < 70; ++i) m += static_cast<char>('a' + Below(26));
    m += "\r\n";
  }
  const std::string guid = Sha256Hex(m);
  bytes_[guid] = m;
  made_.push_back(guid);
  return m;
}

Flags Run::RandomFlags() {
  Flags f;
  for (uint32_t bit : {kFlagSeen, kFlagAnswered, kFlagFlagged, kFlagDeleted}) {
    if (Below(3) == 0) f.system |= bit;
  }
  if (Below(4) == 0) f.keywords.push_back("$Work");
  return f;
}

UidSet Run::RandomSet(const Box& box) {
  if (Below(3) == 0) return {{1, kStar}};
  const uint32_t lo = 1 + static_cast<uint32_t>(Below(box.uidnext));
  return {{lo, lo + static_cast<uint32_t>(Below(4))}};
}

std::string Run::PickBox(const std::string& user) {
  const auto& boxes = users_[user].latest().boxes;
  auto it = boxes.begin();
  std::advance(it, Below(boxes.size()));
  return it->first;
}

}  // namespace slotmail::store::power_loss
