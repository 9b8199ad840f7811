// The slot's side of the control channel (doc/control.md): status, admin
// commands, role changes and the user list, over the slot's store, servers
// and serving gate. Lives on the loop thread; store work runs on the pool.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/serving_gate.h"
#include "slotd/config.h"
#include "slotd/sync_barrier.h"
#include "slots/control_server.h"

namespace slotmail::imapd {
class Server;
}
namespace slotmail::lmtpd {
class Server;
}

namespace slotmail::replication {
class Replicator;
}

namespace slotmail::slotd {

// Pool key of role changes and rejoins; user names cannot hold \x01, so it
// never serialises behind (or ahead of) a user's work.
inline constexpr char kRoleKey[] = "\x01role";

class SlotService : public slots::ControlService {
 public:
  // `role` is the role in force (already durable in the slot's role file).
  // The servers and gate must outlive the service; the control server is
  // set once it exists (for its connection count).
  // `barrier` (sync mode) gets the replicator while this slot is master.
  SlotService(const SlotdConfig& config, slots::RoleRecord role, ServingGate* gate,
              SyncBarrier* barrier, imapd::Server* imap, lmtpd::Server* lmtp);
  ~SlotService() override;
  void set_control(const slots::ControlServer* control) { control_ = control; }

  json::Value Hello() override;
  void Handle(const json::Value& request, std::string attachment, Reply reply) override;

  // Opens or closes the gate to match the role (and disconnects logged-in
  // sessions when it closes), and runs the replicator while master. Call
  // once at start, then on every change.
  void ApplyRole();
  // Stops the replicator (before the servers go away).
  void Shutdown();

  // The replication channel's hello from a master (doc/replication.md
  // "Hello"): refused unless it is for this slot's store, this slot is not
  // master, and the sender's epoch is at least the one seen here. A newer
  // epoch is recorded durably (this slot has missed a role change).
  Status AcceptReplicationHello(const std::string& store, const std::string& from, uint64_t epoch);
  // A fenced old master's hello for a rejoin (doc/replication.md "Rejoin"):
  // accepted when this slot is master of `store` at a newer epoch.
  Status AcceptRejoinHello(const std::string& store, const std::string& from, uint64_t epoch);
  // Whether this slot is master and takes client writes now (not frozen).
  bool ServesWrites() const { return role_.role == slots::Role::kMaster && gate_->open(); }
  // Counts a write job a freeze must wait for (ServingGate::Pass).
  std::shared_ptr<void> WorkPass() const { return gate_->Pass(); }
  // Whether replication requests may change this slot now (it is not master).
  bool TakesReplication() const { return role_.role != slots::Role::kMaster; }
  // A replication request arrived (loop thread): status then says how long
  // ago the master was last heard from (a forced failover reports it).
  void NoteReplication() { last_replication_ = std::chrono::steady_clock::now(); }
  const slots::RoleRecord& role() const { return role_; }
  const std::string& slot_name() const { return config_.identity.slot; }
  // The replicator while this slot is master, else null (metrics).
  std::shared_ptr<const replication::Replicator> replicator() const { return replicator_; }

 private:
  void StatusOp(Reply reply);
  void Admin(const json::Value& req, Reply reply);
  void SetRole(const json::Value& req, Reply reply);
  // Records `next` durably (on the pool), then takes it (loop thread):
  // `master`/`imap`/`lmtp` say where the master is when `next` is not
  // master. `done` runs on the loop; InUse if another change is running.
  void ChangeRole(slots::RoleRecord next, std::string master, std::string imap, std::string lmtp,
                  std::function<void(const Status&)> done);
  void Users(Reply reply);
  // {"on":true}: a master stops taking client writes for a planned
  // failover (sessions get BYE [UNAVAILABLE], logins and LMTP a temporary
  // refusal) while it goes on replicating; {"on":false} opens it again.
  // Not durable: a restart serves again.
  void Freeze(const json::Value& req, Reply reply);
  // Calls `done(0)` on the loop once no client work the gate let in is
  // running, or `done(n)` with what still runs at `deadline`.
  void WhenAdmittedWorkDone(std::chrono::steady_clock::time_point deadline,
                            std::function<void(size_t left)> done);
  // A replica refused our hello because it is master: this master is
  // fenced at once (loop thread; the replicator's connect posts it).
  void FenceSuperseded(const std::string& peer, const std::string& why);
  // Every user's summary (checksums and counts, doc/replication.md
  // "Images"), for comparing two slots of a store.
  // {"after": USER} optional: the next page, users sorted by name; the
  // answer says "more": true when there are users after it.
  void Summaries(const json::Value& req, Reply reply);
  // {"master": SLOT, "epoch": N}: a fenced slot copies what only it holds
  // into the master SLOT (replication/rejoin.h), then becomes its replica
  // at epoch N, and answers with what was copied (slotd/rejoin_op.cc).
  void RejoinOp(const json::Value& req, Reply reply);
  // {"store","role","epoch","master","master_imap","master_lmtp",
  // "store_slots"} as the slot derives them from a production.dat where
  // the store's slots changed (slotd/store_slots_op.cc).
  void StoreSlotsOp(const json::Value& req, Reply reply);
  std::string Refusal() const;

  SlotdConfig config_;
  slots::RoleRecord role_;
  ServingGate* gate_;
  imapd::Server* imap_;
  lmtpd::Server* lmtp_;
  const slots::ControlServer* control_ = nullptr;
  void StartReplicator();
  void StopReplicator();

  std::shared_ptr<replication::Replicator> replicator_;  // while master
  SyncBarrier* barrier_;
  bool role_change_running_ = false;
  bool rejoin_running_ = false;
  // The slot's user/message/byte totals: a pass over every user, so status
  // answers from a pass at most kTotalsMaxAge old, else runs a new one and
  // waits for it (falling back to the previous totals after kTotalsWait, so
  // a slot with many users still answers within 1 s).
  struct Totals {
    uint64_t users = 0, messages = 0, bytes = 0;
    std::chrono::steady_clock::time_point at;
  };
  // A pass over the store on the pool, then `done` with its result on the
  // loop. The result is kept unless an admin command ran meanwhile.
  void RefreshTotals(std::function<void(const Totals&)> done);
  std::optional<Totals> totals_;
  uint64_t totals_generation_ = 0;  // raised by every admin command
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point last_replication_{};  // {}: never
};

}  // namespace slotmail::slotd
