// Which slot of the cluster a store command goes to (doc/mailctl.md
// "Cluster mode"). The slots themselves are the user directory: a user's
// store is found by asking the masters (DESIGN "Cluster decisions").
#pragma once

#include "admin/cluster.h"
#include "admin/commands.h"

namespace slotmail::admin {

// --slot: that slot. --store: that store's master. `user add`: the master
// of the least used store by bytes (refused if the user exists anywhere or
// a master cannot be asked). Otherwise the master of the store holding the
// user the command names; NotFound when no store has it.
Result<const slots::SlotDef*> RouteCommand(const Cluster& cluster, const Invocation& inv, Io io);

// `user list` on the whole cluster: every store master's users, sorted.
int ListClusterUsers(const Cluster& cluster, Io io);

}  // namespace slotmail::admin
