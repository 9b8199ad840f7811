#include "slots/slot_settings.h"

#include <set>

namespace slotmail::slots {
namespace {

// slotd tuning the local file may set; passed through unchanged.
const std::set<std::string> kPassthroughKeys = {
    "workers",          "kdf_iterations",      "hostname",
    "plaintext_auth",   "max_message_bytes",   "default_quota_bytes",
    "default_quota_messages", "lmtp_over_quota", "admin_address",
    "max_sessions_per_user", "max_connections_per_ip", "max_login_connections_per_ip",
    "login_workers",
    "login_timeout", "lmtp_timeout", "replication_compress",
    "log_target", "metrics_listen"};

// Keys DeriveSlotConfig writes from production.dat; refused in the local file.
const std::set<std::string> kDerivedKeys = {
    "slot",         "store",          "role",          "epoch",
    "mode",         "on_replica_down", "slot_dir",     "size",
    "imap_listen",  "imaps_listen",   "pop3_listen",   "lmtp_listen",   "control_listen",
    "control_socket", "replication_listen", "master",  "master_imap",
    "master_lmtp",  "store_slots"};

std::string WithoutTrailingSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string SlotFileStem(const SlotDef& slot) {
  return slot.machine + "-" + std::to_string(slot.number);
}

std::string HostPort(const std::string& address, uint16_t port) {
  return address + ":" + std::to_string(port);
}

Result<LocalSettings> FromConfig(const ConfigFile& file, const std::string& origin) {
  LocalSettings local;
  local.origin = origin;
  ASSIGN_OR_RETURN(local.passthrough, ConfigFile::Parse("", origin));  // names `origin` in errors
  const std::map<std::string, std::string*> own = {
      {"data_dir", &local.data_dir}, {"run_dir", &local.run_dir},
      {"tls_cert", &local.tls_cert}, {"tls_key", &local.tls_key},
      {"cluster_ca", &local.cluster_ca}};
  for (const auto& [key, value] : file.values()) {
    if (auto it = own.find(key); it != own.end()) {
      *it->second = value;
    } else if (kPassthroughKeys.count(key)) {
      local.passthrough.Set(key, value);
    } else if (kDerivedKeys.count(key)) {
      return Status::InvalidArgument(origin + ": " + key +
                                     " is decided by production.dat, not the machine-local file");
    } else {
      return Status::InvalidArgument(origin + ": unknown setting " + key);
    }
  }
  for (const char* required : {"data_dir", "tls_cert", "tls_key", "cluster_ca"}) {
    if (own.at(required)->empty()) {
      return Status::InvalidArgument(origin + ": " + required + " is required");
    }
  }
  local.data_dir = WithoutTrailingSlash(local.data_dir);
  local.run_dir = local.run_dir.empty() ? local.data_dir : WithoutTrailingSlash(local.run_dir);
  return local;
}

}  // namespace

Result<LocalSettings> ParseLocalSettings(const std::string& text, const std::string& origin) {
  ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Parse(text, origin));
  return FromConfig(file, origin);
}

Result<LocalSettings> LoadLocalSettings(const std::string& path) {
  ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Load(path));
  return FromConfig(file, path);
}

std::string SlotDirectory(const LocalSettings& local, const SlotDef& slot) {
  return local.data_dir + "/" + SlotFileStem(slot);
}

std::string ControlSocketPath(const LocalSettings& local, const SlotDef& slot) {
  return local.run_dir + "/" + SlotFileStem(slot) + ".sock";
}

Result<ConfigFile> DeriveSlotConfig(const Production& p, const std::string& slot,
                                    const LocalSettings& local) {
  const SlotDef* s = p.FindSlot(slot);
  if (!s) return Status::NotFound("no slot " + slot + " in " + p.origin);
  const Machine* m = p.FindMachine(s->machine);
  if (!m) {
    return Status::InvalidArgument(p.origin + ": slot " + slot + " is on machine " + s->machine +
                                   ", which is not defined");
  }
  ConfigFile c = local.passthrough;
  c.Set("tls_cert", local.tls_cert);
  c.Set("tls_key", local.tls_key);
  c.Set("cluster_ca", local.cluster_ca);

  c.Set("slot", slot);
  c.Set("slot_dir", SlotDirectory(local, *s));
  c.Set("size", std::to_string(s->size));
  c.Set("imap_listen", HostPort(m->address, s->ports.imap));
  c.Set("imaps_listen", HostPort(m->address, s->ports.imaps));
  c.Set("pop3_listen", HostPort(m->address, s->ports.pop3));
  c.Set("lmtp_listen", HostPort(m->address, s->ports.lmtp));
  c.Set("control_listen", HostPort(m->address, s->ports.control));
  c.Set("control_socket", ControlSocketPath(local, *s));
  c.Set("replication_listen", HostPort(m->address, s->ports.replication));

  const StoreDef* store = p.StoreOfSlot(slot);
  const std::string master = store && !store->masters.empty() ? store->masters[0] : "";
  const SlotDef* ms = master.empty() ? nullptr : p.FindSlot(master);
  const Machine* mm = ms ? p.FindMachine(ms->machine) : nullptr;
  c.Set("store", store ? store->name : "");
  c.Set("role", !store ? "spare" : master == slot ? "master" : "replica");
  c.Set("epoch", std::to_string(store ? store->epoch : 0));
  c.Set("mode", store && store->sync_mode ? "sync" : "async");
  c.Set("on_replica_down", store && store->degrade_when_replica_down ? "degrade" : "fail");
  c.Set("master", master);
  c.Set("master_imap", mm ? HostPort(mm->address, ms->ports.imap) : "");
  c.Set("master_lmtp", mm ? HostPort(mm->address, ms->ports.lmtp) : "");
  // Every slot of the store with its replication address: a master ships
  // to the others, whichever slot is master after a role change.
  std::string peers;
  if (store) {
    std::vector<std::string> names = store->masters;
    names.insert(names.end(), store->replicas.begin(), store->replicas.end());
    for (const auto& n : names) {
      const SlotDef* ps = p.FindSlot(n);
      const Machine* pm = ps ? p.FindMachine(ps->machine) : nullptr;
      if (pm == nullptr) continue;
      peers += (peers.empty() ? "" : ",") + n + "=" + HostPort(pm->address, ps->ports.replication);
    }
  }
  c.Set("store_slots", peers);
  return c;
}

std::string FormatConfig(const ConfigFile& config) {
  std::string out;
  for (const auto& [key, value] : config.values()) {
    out += value.empty() ? key + " =\n" : key + " = " + value + "\n";
  }
  return out;
}

}  // namespace slotmail::slots
