// The cluster commands of mailctl (commands.cc says what each does).
#pragma once

#include "admin/commands.h"

namespace slotmail::admin {

int ClusterCheck(const Invocation& inv, Io io);
int ClusterConfig(const Invocation& inv, Io io);
int ClusterStatus(const Invocation& inv, Io io);
int SlotRole(const Invocation& inv, Io io);
int ClusterFailover(const Invocation& inv, Io io);
int ClusterDrain(const Invocation& inv, Io io);
int ClusterRejoin(const Invocation& inv, Io io);
int ClusterMove(const Invocation& inv, Io io);

}  // namespace slotmail::admin
