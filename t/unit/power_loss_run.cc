#include "t/unit/power_loss_run.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "common/fs.h"
#include "common/limits.h"
#include "store/fault_vfs.h"
#include "store/paths.h"

namespace slotmail::store::power_loss {
namespace {

constexpr int kMaxCallsPerCycle = 2000;  // a cycle ends at its cut long before
constexpr uint32_t kStar = UINT32_MAX;

}  // namespace

Installed::Installed(fs::FileOpHook* hook) {
  REQUIRE(InstallFaultVfs().ok());
  fs::SetFileOpHook(hook);
}

Installed::~Installed() {
  fs::SetFileOpHook(nullptr);
  UninstallFaultVfs();
}

std::string FastBase() { return ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : ""; }

StoreOptions TestOptions() {
  StoreOptions options;
  options.kdf_iterations = limits::kMinKdfIterations;
  options.lazy_sync_delay = std::chrono::hours(1);
  return options;
}

bool Run::OpenStore() {
  auto opened = Store::Open(layer_->root(), TestOptions());
  if (!opened.ok()) {
    REQUIRE_MESSAGE(layer_->cut(), "open failed with the power on: " << opened.status().ToString());
    return false;
  }
  store_ = std::move(opened).value();
  return true;
}

void Run::Cycle() {
  // Log-uniform: short cycles often (the open, the first calls), long ones too.
  const double span = std::log(static_cast<double>(max_cut_op_));
  const uint64_t cut = 1 + static_cast<uint64_t>(std::exp(span * Below(1 << 20) / (1 << 20)));
  layer_->CutBefore(cut);
  const bool clean = fs::Exists(SlotPaths(layer_->root()).CleanShutdownPath());
  if (OpenStore()) {
    layer_->Hold(true);  // checking reads, but opening an index creates its WAL
    Verify(clean);
    layer_->Hold(false);
    int calls = 0;
    for (; calls < kMaxCallsPerCycle && !layer_->cut(); ++calls) Step();
    if (std::getenv("SLOTMAIL_POWER_LOSS_TRACE") != nullptr) {
      std::fprintf(stderr, "power cut before file operation %llu, after %d calls\n",
                   static_cast<unsigned long long>(cut), calls);
    }
  }
  store_.reset();  // every file call fails since the cut: nothing more reaches the disk
  REQUIRE(layer_->PowerOn(Below(2) == 0 ? &rng_ : nullptr).ok());
}

void Run::Final() {
  const bool clean = fs::Exists(SlotPaths(layer_->root()).CleanShutdownPath());
  REQUIRE(OpenStore());
  Verify(clean);
  store_.reset();
}

UserState Run::ReadState(const std::string& user) {
  UserState s;
  if (!store_->UserExists(user)) return s;
  s.exists = true;
  auto boxes = store_->ListMailboxes(user, "*");
  REQUIRE_MESSAGE(boxes.ok(), boxes.status().ToString());
  for (const auto& info : *boxes) {
    Box& box = s.boxes[info.name];
    box.uidnext = info.uidnext;
    auto msgs = store_->FetchByUid(user, info.name, {{1, kStar}});
    REQUIRE_MESSAGE(msgs.ok(), msgs.status().ToString());
    for (const auto& m : *msgs) box.msgs[m.uid] = Msg{m.guid, m.flags};
  }
  return s;
}

void Run::Verify(bool clean_shutdown) {
  std::set<std::string> logged;
  if (!clean_shutdown) {
    auto changes = store_->ReadChanges(1000000);
    REQUIRE_MESSAGE(changes.ok(), changes.status().ToString());
    logged.insert(changes->users.begin(), changes->users.end());
  }
  for (const auto& user : kUsers) {
    INFO("user " << user);
    UserState found = ReadState(user);
    UserHistory& history = users_[user];
    REQUIRE_MESSAGE(history.Recover(found), history.Explain(found));
    if (!found.exists) {
      acked_uid_.erase(user);
      continue;
    }
    Status check = store_->CheckUser(user);
    REQUIRE_MESSAGE(check.ok(), check.ToString());
    if (!clean_shutdown) CHECK_MESSAGE(logged.count(user) == 1, "not re-logged after a crash");
    auto& acked = acked_uid_[user];
    for (auto it = acked.begin(); it != acked.end();) {  // a mailbox gone takes its UIDs along
      it = found.boxes.count(it->first) ? std::next(it) : acked.erase(it);
    }
    for (const auto& [name, box] : found.boxes) {
      INFO("mailbox " << name);
      CHECK_MESSAGE(box.uidnext > acked[name], "UIDNEXT at or below an acknowledged UID");
      for (const auto& [uid, m] : box.msgs) {
        auto bytes = store_->ReadMessage(user, m.guid);
        REQUIRE_MESSAGE(bytes.ok(), "uid " << uid << ": " << bytes.status().ToString());
        CHECK_MESSAGE(*bytes == bytes_.at(m.guid), "uid " << uid << " has other bytes");
      }
    }
  }
}

void Run::Settle(const std::string& user, const Status& st, UserState next,
                          bool synced) {
  if (st.ok()) {
    users_[user].Acknowledged(std::move(next), synced);
    return;
  }
  REQUIRE_MESSAGE(layer_->cut(), "call failed with the power on: " << st.ToString());
  users_[user].InFlight(std::move(next));
}

void Run::NoteUids(const std::string& user, const std::string& box,
                            const std::vector<uint32_t>& uids) {
  for (uint32_t uid : uids) acked_uid_[user][box] = std::max(acked_uid_[user][box], uid);
}

void Run::Step() {
  const std::string& user = kUsers[Below(kUsers.size())];
  if (!users_[user].latest().exists) {
    UserState next;
    next.exists = true;
    next.boxes["INBOX"];
    Settle(user, store_->CreateUser(user, "secret"), std::move(next), /*synced=*/true);
    return;
  }
  const uint64_t pick = Below(100);
  if (pick < 24) return Append(user);
  if (pick < 32) return AppendBatch(user);
  if (pick < 40) return Deliver();
  if (pick < 48) return CopyOrMove(user, /*move=*/false);
  if (pick < 54) return CopyOrMove(user, /*move=*/true);
  if (pick < 69) return StoreFlags(user);
  if (pick < 77) return Expunge(user);
  if (pick < 83) return CreateMailbox(user);
  if (pick < 86) return DeleteMailbox(user);
  if (pick < 91) return SyncAll();
  if (pick < 96) return DrainChangeLog();
  if (pick < 98) return Restart();
  DeleteUser(user);
}

}  // namespace slotmail::store::power_loss
