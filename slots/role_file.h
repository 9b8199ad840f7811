// The role a slot last held and the highest epoch it has seen, kept in
// <slot>/role (doc/control.md "Roles"). This file, not production.dat, is
// the fence: a slot never acts as master with an epoch lower than the one
// recorded here.
//
// Format: lines "epoch N", "role ROLE", "store NAME" (store may be empty)
// and, once the slot has been master, "master_epoch N", written atomically
// and fsynced before the role takes effect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace slotmail::slots {

enum class Role { kMaster, kReplica, kSpare, kFenced };

const char* RoleName(Role role);
// "master", "replica", "spare", "fenced"; nullopt otherwise.
std::optional<Role> ParseRole(const std::string& name);

struct RoleRecord {
  uint64_t epoch = 0;
  Role role = Role::kSpare;
  std::string store;
  // The last epoch in which this slot was master of `store` (0: never): a
  // fenced old master's changes after it are what a rejoin copies back.
  uint64_t master_epoch = 0;
};

// The record after `now` when the slot takes `role` at `epoch` (same store):
// master_epoch follows.
RoleRecord NextRole(const RoleRecord& now, uint64_t epoch, Role role);

// nullopt when the slot has no role file yet; Corruption when it is malformed.
Result<std::optional<RoleRecord>> ReadRoleFile(const std::string& slot_dir);
// Durable when it returns (temporary file, fsync, rename, directory fsync).
Status WriteRoleFile(const std::string& slot_dir, const RoleRecord& record);

// The role a slot starts in, from what production.dat says (`wanted`) and
// what the slot recorded (`seen`): the wanted role when its epoch is at
// least the recorded one (or the record is of another store: epochs count
// per store); kFenced when production.dat names this slot
// master at an epoch lower than one the slot has seen (an old file, or a
// failover this file does not know of yet); a replica stays a replica.
// A slot that was master (or fenced) and is now named replica at a newer
// epoch starts fenced too: it may hold changes its replicas never got (a
// forced failover), which a rejoin must copy back before it is a replica.
RoleRecord StartingRole(const RoleRecord& wanted, const std::optional<RoleRecord>& seen);

}  // namespace slotmail::slots
