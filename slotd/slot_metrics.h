// What slotd's metrics endpoint serves (doc/metrics.md): the process
// registry, with the gauges that are read from the slot's parts at scrape
// time (worker pool queue, replication lag) brought up to date first.
#pragma once

#include <string>

namespace slotmail::imapd {
class Server;
}

namespace slotmail::slotd {

class SlotService;

// The exposition text for one scrape. Loop thread. `server` and `service`
// must be alive.
std::string RenderSlotMetrics(imapd::Server* server, const SlotService* service);

}  // namespace slotmail::slotd
