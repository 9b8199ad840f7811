// Sync replication mode in slotd (doc/replication.md "Sync mode"): new mail
// is answered only once the replicator confirms every replica has it. The
// store's on_replica_down policy decides what a write does when a replica
// is unreachable: fail (refused before anything is stored, or a temporary
// error when the confirmation does not come) or degrade (answered like
// async mode; said in the log and in status). In async mode, or while the
// slot has no replicator (not master, no replicas), it lets everything by.
// Thread-safe: the servers call it on workers, the slot service sets the
// replicator on the loop.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "common/new_mail_barrier.h"

namespace slotmail::replication {
class Replicator;
}

namespace slotmail::slotd {

class SyncBarrier : public NewMailBarrier {
 public:
  SyncBarrier(bool sync_mode, bool degrade_when_replica_down)
      : sync_(sync_mode), degrade_(degrade_when_replica_down) {}

  void SetReplicator(std::shared_ptr<replication::Replicator> replicator);
  Status Admit(const std::string& user) override;
  Status Confirm(const std::string& user) override;

  bool sync_mode() const { return sync_; }
  // Sync mode running as async because a replica is unreachable (degrade).
  bool degraded() const { return degraded_.load(); }

 private:
  std::shared_ptr<replication::Replicator> Current();
  void Degrade(const std::string& why);

  const bool sync_;
  const bool degrade_;
  std::mutex mu_;
  std::shared_ptr<replication::Replicator> replicator_;  // under mu_
  std::atomic<bool> degraded_{false};
};

}  // namespace slotmail::slotd
