#include "slots/role_file.h"

#include <charconv>
#include <sstream>

#include "common/fs.h"
#include "store/paths.h"

namespace slotmail::slots {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kMaster: return "master";
    case Role::kReplica: return "replica";
    case Role::kSpare: return "spare";
    case Role::kFenced: return "fenced";
  }
  return "?";
}

std::optional<Role> ParseRole(const std::string& name) {
  for (Role r : {Role::kMaster, Role::kReplica, Role::kSpare, Role::kFenced}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

Result<std::optional<RoleRecord>> ReadRoleFile(const std::string& slot_dir) {
  const std::string path = store::SlotPaths(slot_dir).RolePath();
  if (!fs::Exists(path)) return std::optional<RoleRecord>();
  ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path, 4096));
  RoleRecord rec;
  bool have_epoch = false, have_role = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "epoch") {
      auto r = std::from_chars(value.data(), value.data() + value.size(), rec.epoch);
      have_epoch = r.ec == std::errc() && r.ptr == value.data() + value.size();
    } else if (key == "role") {
      auto role = ParseRole(value);
      have_role = role.has_value();
      if (role) rec.role = *role;
    } else if (key == "store") {
      rec.store = value;
    } else if (key == "master_epoch") {
      auto r = std::from_chars(value.data(), value.data() + value.size(), rec.master_epoch);
      if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
        return Status::Corruption(path + ": malformed master_epoch");
      }
    }
  }
  if (!have_epoch || !have_role) {
    return Status::Corruption(path + ": malformed (expected 'epoch N' and 'role ROLE' lines)");
  }
  return std::optional<RoleRecord>(rec);
}

Status WriteRoleFile(const std::string& slot_dir, const RoleRecord& record) {
  std::string text = "epoch " + std::to_string(record.epoch) + "\nrole " +
                     RoleName(record.role) + "\nstore " + record.store + "\n";
  if (record.master_epoch != 0) text += "master_epoch " + std::to_string(record.master_epoch) + "\n";
  return fs::WriteFileAtomic(store::SlotPaths(slot_dir).RolePath(), text);
}

RoleRecord NextRole(const RoleRecord& now, uint64_t epoch, Role role) {
  RoleRecord next{epoch, role, now.store, now.master_epoch};
  if (role == Role::kMaster) next.master_epoch = epoch;
  return next;
}

RoleRecord StartingRole(const RoleRecord& wanted, const std::optional<RoleRecord>& seen) {
  // Epochs count per store: a slot reused for another store starts afresh.
  if (!seen || seen->store != wanted.store) return NextRole(wanted, wanted.epoch, wanted.role);
  const bool was_master = seen->role == Role::kMaster || seen->role == Role::kFenced;
  if (wanted.epoch >= seen->epoch) {
    RoleRecord out = NextRole(*seen, wanted.epoch, wanted.role);
    if (was_master && wanted.role == Role::kReplica && wanted.epoch > seen->epoch) {
      out.role = Role::kFenced;  // its changes may not be on the new master yet
    }
    if (seen->role == Role::kFenced && wanted.role == Role::kReplica) out.role = Role::kFenced;
    return out;
  }
  RoleRecord out = NextRole(*seen, seen->epoch, wanted.role);  // the fence never goes down
  if (wanted.role == Role::kMaster) out.role = Role::kFenced;
  return out;
}

}  // namespace slotmail::slots
