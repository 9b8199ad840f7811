#include "slotd/slot_metrics.h"

#include "common/metrics.h"
#include "common/version.h"
#include "imapd/server.h"
#include "replication/replicator.h"
#include "slotd/service.h"

namespace slotmail::slotd {

std::string RenderSlotMetrics(imapd::Server* server, const SlotService* service) {
  metrics::Registry& m = metrics::Global();
  m.GetGauge("slotmail_build_info", "Always 1; the labels name the running build",
             {{"version", Version()}})
      .Set(1);
  m.GetGauge("slotmail_worker_pool_queued", "Disk tasks waiting for a worker thread")
      .Set(static_cast<double>(server->pool().queued()));
  // A replica or spare runs no replicator: nothing waits to be shipped.
  replication::ReplicatorStats rs;
  if (auto r = service->replicator()) rs = r->stats();
  m.GetGauge("slotmail_replication_lag_seconds",
             "Age of the oldest change not yet confirmed by every replica (0: none)")
      .Set(rs.lag_seconds);
  m.GetGauge("slotmail_replication_pending_users",
             "Users changed here and not yet confirmed by every replica")
      .Set(static_cast<double>(rs.pending_users));
  m.GetGauge("slotmail_replication_replicas_down", "Replicas of this master not reachable now")
      .Set(static_cast<double>(rs.down.size()));
  return m.Render();
}

}  // namespace slotmail::slotd
