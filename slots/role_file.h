// The role a slot last held and the highest epoch it has seen, kept in
// <slot>/role (doc/control.md "Roles"). This file, not production.dat, is
// the fence: a slot never acts as master with an epoch lower than the one
// recorded here.
//
// Format: three lines "epoch N", "role ROLE", "store NAME" (store may be
// empty), written atomically and fsynced before the role takes effect.
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
};

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
RoleRecord StartingRole(const RoleRecord& wanted, const std::optional<RoleRecord>& seen);

}  // namespace slotmail::slots
