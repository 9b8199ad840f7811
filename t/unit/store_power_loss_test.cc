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

#include "common/fs.h"
#include "store/fault_fs.h"
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

}  // namespace
}  // namespace slotmail::store
