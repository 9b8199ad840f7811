// Comparing two slots of a store user by user (failover, rejoin): every
// user's summary (checksums and counts of each mailbox, doc/replication.md
// "Images") from the slot's control channel.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "admin/control_client.h"
#include "common/status.h"
#include "store/replica.h"

namespace slotmail::admin {

using Summaries = std::map<std::string, store::UserImage>;

// Every user's summary on the slot behind `c`, by name; only those of
// `only` (the ones the slot has) when it is given.
Result<Summaries> SlotSummaries(ControlClient* c, const std::vector<std::string>* only = nullptr);

// The users a master's change log named since its replicator started (its
// first full pass verified every user): control op changed_users.
Result<std::vector<std::string>> ChangedUsers(ControlClient* c);

// The users whose summaries differ, or that only one side has.
std::vector<std::string> DifferingUsers(const Summaries& a, const Summaries& b);

// "a, b, c, ..." of at most the first ten.
std::string FirstUsers(const std::vector<std::string>& users);

}  // namespace slotmail::admin
