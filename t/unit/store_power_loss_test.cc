// Power loss, by fault injection (doc/store.md "Testing durability";
// LevelDB's fault_injection_test is the model). For each seed, a random
// workload of two users runs on a slot under store/fault_fs, and the power
// is cut just before a random file operation of the store or of SQLite: in
// the middle of a call as often as between calls. The slot is rebuilt from
// what was durable and reopened, and then each user must be in a state its
// history allows (power_loss_model.h): every acknowledged APPEND, delivery,
// COPY, MOVE and mailbox change present with its bytes exact, STOREs and
// EXPUNGEs (synced lazily) present up to the last sync that covered them,
// nothing that was neither acknowledged nor in flight. CheckUser must hold,
// UIDs must never be reused, and after an unclean shutdown every user must
// be in the change log again. Several power cycles per seed; the open that
// recovers may itself lose power. (power_loss_run.h has the workload.)
//
// Reproduce a failure with SLOTMAIL_POWER_LOSS_SEED=<seed printed>. For a
// longer search: SLOTMAIL_POWER_LOSS_SEEDS=<how many seeds> and
// SLOTMAIL_POWER_LOSS_MAX_OP=<latest cut point>; SLOTMAIL_POWER_LOSS_TRACE=1
// prints each cycle's cut.
#include <doctest/doctest.h>

#include <cstdlib>
#include <functional>
#include <utility>

#include "common/fs.h"
#include "store/fault_fs.h"
#include "store/store.h"
#include "t/unit/power_loss_run.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

constexpr uint64_t kSeeds = 100;      // each loses power kCycles times
constexpr int kCycles = 3;
constexpr uint64_t kMaxCutOp = 3000;  // the latest cut point of a cycle (mean ~375)

uint64_t FromEnv(const char* name, uint64_t otherwise) {
  const char* s = std::getenv(name);
  return s == nullptr ? otherwise : std::strtoull(s, nullptr, 10);
}

TEST_CASE("store: a power loss at any file operation keeps every acknowledged change") {
  const uint64_t only = FromEnv("SLOTMAIL_POWER_LOSS_SEED", 0);
  const uint64_t seeds = FromEnv("SLOTMAIL_POWER_LOSS_SEEDS", kSeeds);
  const uint64_t max_cut_op = FromEnv("SLOTMAIL_POWER_LOSS_MAX_OP", kMaxCutOp);
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    if (only != 0 && seed != only) continue;
    INFO("seed " << seed << " (SLOTMAIL_POWER_LOSS_SEED=" << seed << " to rerun)");
    testing::TempDir dir(power_loss::FastBase());
    REQUIRE(fs::MakeDir(dir.path() + "/slot").ok());
    auto layer = PowerLossFs::Watch(dir.path() + "/slot");
    REQUIRE_MESSAGE(layer.ok(), layer.status().ToString());
    power_loss::Installed installed(layer->get());
    power_loss::Run run(seed, max_cut_op, layer->get());
    for (int cycle = 0; cycle < kCycles; ++cycle) {
      INFO("power cycle " << cycle);
      run.Cycle();
    }
    run.Final();
  }
}

// Stands in front of a PowerLossFs and runs `race` once, just before the
// first sync of an index WAL while armed: what another thread could do
// while a writer syncs outside the user's lock.
class BeforeWalSync : public fs::FileOpHook {
 public:
  explicit BeforeWalSync(PowerLossFs* layer) : layer_(layer) {}
  void Arm(std::function<void()> race) { race_ = std::move(race); }
  Status Run(fs::FileOp op, const std::string& path, const std::string& to,
             const std::function<Status()>& real) override {
    const bool wal = path.size() > 4 && path.compare(path.size() - 4, 4, "-wal") == 0;
    if (race_ && op == fs::FileOp::kSync && wal) std::exchange(race_, nullptr)();
    return layer_->Run(op, path, to, real);
  }

 private:
  PowerLossFs* layer_;
  std::function<void()> race_;
};

TEST_CASE("store: a power loss after the change log was read past its synced end loses no re-logged user") {
  // A consumer reads (and acknowledges) the record of an append whose
  // writer is still syncing; the record itself is synced lazily. The power
  // goes before that: the acknowledgement survives, the record does not,
  // and the log ends before the acknowledged position. The unclean open
  // re-logs every user, and the consumer must see those records.
  testing::TempDir dir(power_loss::FastBase());
  REQUIRE(fs::MakeDir(dir.path() + "/slot").ok());
  auto layer = PowerLossFs::Watch(dir.path() + "/slot");
  REQUIRE(layer.ok());
  BeforeWalSync hook(layer->get());
  power_loss::Installed installed(&hook);
  auto store = Store::Open((*layer)->root(), power_loss::TestOptions());
  REQUIRE(store.ok());
  REQUIRE((*store)->CreateUser("alice", "secret").ok());
  // The WAL is made (SQLite syncs its header then): the next WAL sync is
  // the writer's own, outside the lock.
  REQUIRE((*store)->Append("alice", "INBOX", "Subject: 1\r\n\r\none\r\n", {}, 0).ok());
  auto before = (*store)->ReadChanges(100);
  REQUIRE(before.ok());
  REQUIRE((*store)->AckChanges(before->end).ok());
  hook.Arm([&] {
    auto changes = (*store)->ReadChanges(100);
    REQUIRE(changes.ok());
    CHECK(changes->users == std::vector<std::string>{"alice"});
    REQUIRE((*store)->AckChanges(changes->end).ok());
  });
  REQUIRE((*store)->Append("alice", "INBOX", "Subject: 2\r\n\r\ntwo\r\n", {}, 0).ok());
  (*layer)->CutBefore((*layer)->ops() + 1);
  store->reset();
  REQUIRE((*layer)->PowerOn(nullptr).ok());
  auto reopened = Store::Open((*layer)->root(), power_loss::TestOptions());
  REQUIRE(reopened.ok());
  auto after = (*reopened)->ReadChanges(100);
  REQUIRE(after.ok());
  CHECK(after->users == std::vector<std::string>{"alice"});
  auto msgs = (*reopened)->FetchByUid("alice", "INBOX", {{1, UINT32_MAX}});
  REQUIRE(msgs.ok());
  CHECK(msgs->size() == 2);
}

}  // namespace
}  // namespace slotmail::store
