// A store workload that runs until it is killed, for t/unit/store_crash_test.cc.
//
//   t_store_crash_worker SLOT_DIR ACK_FILE SEED
//
// Several threads append (mostly), change flags, expunge, copy, move and
// create mailboxes. After a store call returns ok, the thread appends one
// acknowledgement record per affected message to ACK_FILE with a single
// write(2) on an O_APPEND descriptor, so a SIGKILL leaves only whole records
// of calls that had returned: everything acknowledged was durable by then.
// Before a call that may remove or change a message the thread writes an
// intent record, because a kill between the call and its acknowledgement
// leaves the change done but unacknowledged.
//
//   A user mailbox uid guid flags   message present (appended, copied or moved in)
//   F user mailbox uid flags        its system flags are now `flags`
//   X user mailbox uid              expunged or moved out
//   f user mailbox uid flags        intent: flags may now be `flags`
//   D user mailbox uid              intent: may be expunged or moved out
//   M user mailbox                  mailbox created
//
// Each thread owns its mailboxes ("T<n>" and "T<n>/m<k>" of one user), so the
// records of one message are in call order. Nothing here relies on a clean
// shutdown: the process never exits by itself unless a call fails.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace slotmail::store {
namespace {

constexpr int kThreads = 4;
constexpr int kUsers = 2;
constexpr size_t kMaxMailboxesPerThread = 4;
constexpr size_t kMaxMessagesPerThread = 300;  // past this, expunge more

int ack_fd = -1;

[[noreturn]] void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "store_crash_worker: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::fflush(stderr);
  _exit(3);
}

// One record, one write(2): a kill leaves it whole or absent.
void Record(const std::string& line) {
  ssize_t n = write(ack_fd, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) Die("write ack", Status::IOError("short write"));
}

std::string UserName(int n) { return "crash" + std::to_string(n); }

struct Msg {
  std::string guid;
  uint32_t flags = 0;
};

class Worker {
 public:
  Worker(Store* store, int id, uint32_t seed)
      : store_(store), rng_(seed), user_(UserName(id % kUsers)), root_("T" + std::to_string(id)) {}

  void Run() {
    Load();
    for (;;) {
      int r = Rand(100);
      if (Count() > kMaxMessagesPerThread || r < 10)
        Expunge();
      else if (r < 62)
        Append();
      else if (r < 77)
        SetFlags();
      else if (r < 86)
        CopyOrMove(false);
      else if (r < 95)
        CopyOrMove(true);
      else
        CreateMailbox();
    }
  }

 private:
  int Rand(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  // What a previous run left: the thread's mailboxes and their messages.
  void Load() {
    Status st = store_->CreateMailbox(user_, root_);
    if (st.ok())
      Record("M " + user_ + " " + root_ + "\n");
    else if (st.code() != Code::kExists)
      Die("create " + root_, st);
    auto list = store_->ListMailboxes(user_, root_ + "*");
    if (!list.ok()) Die("list", list.status());
    for (const MailboxInfo& mi : list.value()) {
      if (mi.name != root_ && mi.name.compare(0, root_.size() + 1, root_ + "/") != 0) continue;
      auto msgs = store_->FetchByUid(user_, mi.name, {{1, UINT32_MAX}});
      if (!msgs.ok()) Die("fetch " + mi.name, msgs.status());
      auto& box = boxes_[mi.name];
      for (const MessageInfo& m : msgs.value()) box[m.uid] = Msg{m.guid, m.flags.system};
    }
  }

  size_t Count() const {
    size_t n = 0;
    for (auto& [name, box] : boxes_) n += box.size();
    return n;
  }
  std::string PickBox() {
    auto it = boxes_.begin();
    std::advance(it, Rand(static_cast<int>(boxes_.size())));
    return it->first;
  }
  // Up to `max` distinct live UIDs of `box`, ascending.
  std::vector<uint32_t> PickUids(const std::string& box, int max) {
    std::vector<uint32_t> all;
    for (auto& [uid, m] : boxes_[box]) all.push_back(uid);
    std::shuffle(all.begin(), all.end(), rng_);
    if (all.size() > static_cast<size_t>(max)) all.resize(max);
    std::sort(all.begin(), all.end());
    return all;
  }
  static UidSet SetOf(const std::vector<uint32_t>& uids) {
    UidSet set;
    for (uint32_t u : uids) set.push_back({u, u});
    return set;
  }
  std::string Key(const std::string& box, uint32_t uid) const {
    return user_ + " " + box + " " + std::to_string(uid);
  }

  void Append() {
    std::string box = PickBox();
    std::string bytes;
    if (Rand(10) == 0) {
      bytes = "Subject: shared " + std::to_string(Rand(4)) + "\r\n\r\nsame bytes, one blob\r\n";
    } else {
      bytes = "Subject: " + root_ + " " + std::to_string(++serial_) + "\r\n\r\n";
      size_t n = Rand(8) == 0 ? 1 + Rand(60000) : 1 + Rand(3000);
      for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(Rand(256)));
    }
    uint32_t flags = static_cast<uint32_t>(Rand(32)) & ~uint32_t{kFlagDeleted};
    auto r = store_->Append(user_, box, bytes, Flags{flags, {}}, 1700000000 + Rand(1000000));
    if (!r.ok()) Die("append", r.status());
    Record("A " + Key(box, r->uid) + " " + r->guid + " " + std::to_string(flags) + "\n");
    boxes_[box][r->uid] = Msg{r->guid, flags};
  }

  void SetFlags() {
    std::string box = PickBox();
    std::vector<uint32_t> uids = PickUids(box, 3);
    if (uids.empty()) return Append();
    uint32_t flags = static_cast<uint32_t>(Rand(32));
    for (uint32_t u : uids) Record("f " + Key(box, u) + " " + std::to_string(flags) + "\n");
    auto r = store_->StoreFlags(user_, box, SetOf(uids), FlagOp::kReplace, Flags{flags, {}});
    if (!r.ok()) Die("store flags", r.status());
    for (uint32_t u : uids) {
      Record("F " + Key(box, u) + " " + std::to_string(flags) + "\n");
      boxes_[box][u].flags = flags;
    }
  }

  // Flags some messages \Deleted, then expunges exactly those.
  void Expunge() {
    std::string box = PickBox();
    std::vector<uint32_t> uids = PickUids(box, Count() > kMaxMessagesPerThread ? 40 : 3);
    if (uids.empty()) return Append();
    for (uint32_t u : uids) {
      Record("f " + Key(box, u) + " " + std::to_string(boxes_[box][u].flags | kFlagDeleted) + "\n");
    }
    auto f = store_->StoreFlags(user_, box, SetOf(uids), FlagOp::kAdd, Flags{kFlagDeleted, {}});
    if (!f.ok()) Die("store \\Deleted", f.status());
    for (uint32_t u : uids) {
      boxes_[box][u].flags |= kFlagDeleted;
      Record("F " + Key(box, u) + " " + std::to_string(boxes_[box][u].flags) + "\n");
    }
    for (uint32_t u : uids) Record("D " + Key(box, u) + "\n");
    auto r = store_->Expunge(user_, box, SetOf(uids));
    if (!r.ok()) Die("expunge", r.status());
    if (r->uids != uids) Die("expunge", Status::Corruption("expunged other UIDs than asked"));
    for (uint32_t u : uids) {
      Record("X " + Key(box, u) + "\n");
      boxes_[box].erase(u);
    }
  }

  void CopyOrMove(bool move) {
    std::string src = PickBox(), dst = PickBox();
    if (move && src == dst) return Append();
    std::vector<uint32_t> uids = PickUids(src, 3);
    if (uids.empty()) return Append();
    if (move) {
      for (uint32_t u : uids) Record("D " + Key(src, u) + "\n");
    }
    auto r = move ? store_->Move(user_, src, SetOf(uids), dst)
                  : store_->Copy(user_, src, SetOf(uids), dst);
    if (!r.ok()) Die(move ? "move" : "copy", r.status());
    if (r->src_uids != uids || r->dst_uids.size() != uids.size()) {
      Die("copy", Status::Corruption("copy mapping does not match the UIDs asked for"));
    }
    for (size_t i = 0; i < uids.size(); ++i) {
      Msg m = boxes_[src][uids[i]];
      Record("A " + Key(dst, r->dst_uids[i]) + " " + m.guid + " " + std::to_string(m.flags) + "\n");
      boxes_[dst][r->dst_uids[i]] = m;
    }
    if (move) {
      for (uint32_t u : uids) {
        Record("X " + Key(src, u) + "\n");
        boxes_[src].erase(u);
      }
    }
  }

  void CreateMailbox() {
    if (boxes_.size() >= kMaxMailboxesPerThread) return Append();
    std::string name = root_ + "/m" + std::to_string(boxes_.size());
    Status st = store_->CreateMailbox(user_, name);
    if (!st.ok() && st.code() != Code::kExists) Die("create " + name, st);
    if (st.ok()) Record("M " + user_ + " " + name + "\n");
    boxes_[name];
  }

  Store* store_;
  std::mt19937 rng_;
  const std::string user_;
  const std::string root_;
  std::map<std::string, std::map<uint32_t, Msg>> boxes_;
  uint64_t serial_ = 0;
};

int Main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s SLOT_DIR ACK_FILE SEED\n", argv[0]);
    return 2;
  }
  ack_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (ack_fd < 0) {
    std::perror(argv[2]);
    return 2;
  }
  const uint32_t seed = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
  auto opened = Store::Open(argv[1], StoreOptions{.kdf_iterations = 1000});
  if (!opened.ok()) Die("open", opened.status());
  std::unique_ptr<Store> store = std::move(opened.value());
  for (int u = 0; u < kUsers; ++u) {
    Status st = store->CreateUser(UserName(u), "pw");
    if (!st.ok() && st.code() != Code::kExists) Die("create user", st);
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&store, i, seed] { Worker(store.get(), i, seed * 31 + i).Run(); });
  }
  for (auto& t : threads) t.join();  // never: the workers loop until killed
  return 0;
}

}  // namespace
}  // namespace slotmail::store

int main(int argc, char** argv) { return slotmail::store::Main(argc, argv); }
