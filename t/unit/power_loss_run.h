// The random workload of t/unit/store_power_loss_test.cc and its checks: a
// store on a slot under store/fault_fs, two users, calls until the power is
// cut, then what survived against each user's history (power_loss_model.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/fault_fs.h"
#include "store/store.h"
#include "t/unit/power_loss_model.h"

namespace slotmail::store::power_loss {

inline const std::vector<std::string> kUsers = {"alice", "bob"};

// Routes the store's and SQLite's file calls through `hook` while alive.
class Installed {
 public:
  explicit Installed(fs::FileOpHook* hook);
  ~Installed();
  Installed(const Installed&) = delete;
  Installed& operator=(const Installed&) = delete;
};

// Where a slot under the layer should live: in memory (/dev/shm) when it
// can, since the layer is the disk model and a real disk's inode
// allocation would dominate the run time; "" for the default.
std::string FastBase();

// Options of a store in these tests: cheap passwords, and lazy changes
// synced by a later call, never by the clock, so a run is the same every time.
StoreOptions TestOptions();

class Run {
 public:
  Run(uint64_t seed, uint64_t max_cut_op, PowerLossFs* layer)
      : rng_(seed), max_cut_op_(max_cut_op), layer_(layer) {}

  // One power cycle: open (the power may go during the open), check what
  // survived, call until the power goes before the cycle's random file
  // operation (1 to max_cut_op, log-uniform); then crash and power on.
  void Cycle();
  // Powers on without a cut and checks what survived the last cycle.
  void Final();

 private:
  bool OpenStore();
  void Verify(bool clean_shutdown);
  UserState ReadState(const std::string& user);
  void Step();
  // Files the outcome of a call that would turn `user` into `next`: ok is
  // acknowledged (`synced`: durable on return); a failure must be the
  // power cut, and the call is then in flight.
  void Settle(const std::string& user, const Status& st, UserState next, bool synced);
  void AllDurable() {
    for (auto& [u, h] : users_) h.AllDurable();
  }
  void NoteUids(const std::string& user, const std::string& box,
                const std::vector<uint32_t>& uids);

  // ---- the calls (power_loss_calls.cc)
  void Append(const std::string& user);
  void AppendBatch(const std::string& user);
  void Deliver();
  void CopyOrMove(const std::string& user, bool move);
  void StoreFlags(const std::string& user);
  void Expunge(const std::string& user);
  void CreateMailbox(const std::string& user);
  void DeleteMailbox(const std::string& user);
  void SyncAll();
  void DrainChangeLog();
  void Restart();
  void DeleteUser(const std::string& user);

  std::string NewMessage();
  Flags RandomFlags();
  UidSet RandomSet(const Box& box);
  std::string PickBox(const std::string& user);
  uint64_t Below(uint64_t n) { return rng_() % n; }

  std::mt19937_64 rng_;
  const uint64_t max_cut_op_;
  PowerLossFs* layer_;
  std::unique_ptr<Store> store_;
  std::map<std::string, UserHistory> users_;
  std::map<std::string, std::string> bytes_;  // by GUID: every message made
  std::vector<std::string> made_;             // the GUIDs, to send one again
  // The highest UID an acknowledged call gave, by user and mailbox.
  std::map<std::string, std::map<std::string, uint32_t>> acked_uid_;
  int mailboxes_made_ = 0;
};

}  // namespace slotmail::store::power_loss
