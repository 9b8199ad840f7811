#include "slotd/sync_barrier.h"

#include "common/limits.h"
#include "common/log.h"
#include "replication/replicator.h"

namespace slotmail::slotd {

void SyncBarrier::SetReplicator(std::shared_ptr<replication::Replicator> replicator) {
  std::lock_guard<std::mutex> lock(mu_);
  replicator_ = std::move(replicator);
}

std::shared_ptr<replication::Replicator> SyncBarrier::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  return replicator_;
}

void SyncBarrier::Degrade(const std::string& why) {
  if (!degraded_.exchange(true)) {
    log::Warning("sync replication degraded to async: " + why);
  }
}

Status SyncBarrier::Admit(const std::string&) {
  if (!sync_) return Status::Ok();
  auto r = Current();
  if (r == nullptr || r->AllConnected()) return Status::Ok();
  if (degrade_) {
    Degrade(kReplicaUnreachable);
    return Status::Ok();
  }
  return Status::IOError(kReplicaUnreachable);
}

Status SyncBarrier::Confirm(const std::string& user) {
  if (!sync_) return Status::Ok();
  auto r = Current();
  if (r == nullptr) return Status::Ok();
  if (degraded_.load() && !r->AllConnected()) return Status::Ok();  // degraded: do not wait
  Status st = r->WaitConfirmed(user, limits::kSyncReplicationTimeout);
  if (st.ok()) {
    if (degraded_.exchange(false)) log::Info("sync replication restored: every replica confirms");
    return Status::Ok();
  }
  if (degrade_) {
    Degrade(st.message());
    return Status::Ok();
  }
  log::Warning("sync replication: new mail of " + user + " not confirmed: " + st.message());
  return Status::IOError(kReplicasDidNotConfirm);
}

}  // namespace slotmail::slotd
