#include "slotd/config.h"

#include "imapd/server_config.h"

namespace slotmail::slotd {

Result<std::vector<StorePeer>> ParseStoreSlots(const std::string& peers) {
  std::vector<StorePeer> out;
  for (size_t pos = 0; pos < peers.size();) {
    size_t comma = peers.find(',', pos);
    if (comma == std::string::npos) comma = peers.size();
    const std::string item = peers.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("store_slots: expected SLOT=HOST:PORT");
    StorePeer peer;
    peer.slot = item.substr(0, eq);
    RETURN_IF_ERROR(SplitHostPort(item.substr(eq + 1), &peer.address, &peer.port));
    out.push_back(peer);
  }
  return out;
}

Result<SlotdConfig> SlotdConfigFrom(const ConfigFile& file) {
  SlotdConfig c;
  ConfigFile rest = file;
  auto take = [&rest](const std::string& key) {
    std::string v = rest.Get(key, "");
    rest.Erase(key);
    return v;
  };
  SlotIdentity& id = c.identity;
  id.slot = take("slot");
  id.machine = id.slot.substr(0, id.slot.find(':'));
  id.store = take("store");
  id.wanted.store = id.store;
  const std::string role = take("role");
  if (role.empty()) {
    id.wanted.role = slots::Role::kMaster;  // single-slot mode serves
  } else if (auto r = slots::ParseRole(role); r && *r != slots::Role::kFenced) {
    id.wanted.role = *r;
  } else {
    return Status::InvalidArgument("role must be master, replica or spare");
  }
  ASSIGN_OR_RETURN(id.wanted.epoch, file.GetUint("epoch", 0, 0, UINT64_MAX));
  rest.Erase("epoch");
  const std::string mode = take("mode");
  if (!mode.empty() && mode != "async" && mode != "sync") {
    return Status::InvalidArgument("mode must be async or sync");
  }
  id.sync_mode = mode == "sync";
  const std::string down = take("on_replica_down");
  if (!down.empty() && down != "fail" && down != "degrade") {
    return Status::InvalidArgument("on_replica_down must be fail or degrade");
  }
  id.degrade_when_replica_down = down == "degrade";
  ASSIGN_OR_RETURN(id.size, file.GetUint("size", 0, 0, UINT64_MAX));
  rest.Erase("size");
  id.master = take("master");
  id.master_imap = take("master_imap");
  id.master_lmtp = take("master_lmtp");
  c.control_listen = take("control_listen");
  c.control_socket = take("control_socket");
  c.cluster_ca = take("cluster_ca");
  c.replication_listen = take("replication_listen");
  ASSIGN_OR_RETURN(c.replication_compress, file.GetBool("replication_compress", false));
  rest.Erase("replication_compress");
  c.pop3_listen = take("pop3_listen");
  c.pop3s_listen = take("pop3s_listen");
  c.metrics_listen = take("metrics_listen");
  const std::string log_target = take("log_target");
  if (!log_target.empty() && log_target != "stderr" && log_target != "syslog") {
    return Status::InvalidArgument("log_target must be stderr or syslog");
  }
  c.log_to_syslog = log_target == "syslog";
  ASSIGN_OR_RETURN(id.store_slots, ParseStoreSlots(take("store_slots")));
  if (!c.replication_listen.empty() && c.cluster_ca.empty()) {
    return Status::InvalidArgument("replication_listen needs cluster_ca (mutual TLS)");
  }
  if (!c.control_listen.empty() && c.cluster_ca.empty()) {
    return Status::InvalidArgument("control_listen needs cluster_ca (mutual TLS)");
  }
  ASSIGN_OR_RETURN(c.server, imapd::ServerConfigFrom(rest));
  if (!c.pop3s_listen.empty() && c.server.tls_cert.empty()) {
    return Status::InvalidArgument("pop3s_listen needs tls_cert and tls_key");
  }
  if (!c.control_listen.empty() && c.server.tls_cert.empty()) {
    return Status::InvalidArgument("control_listen needs tls_cert and tls_key");
  }
  return c;
}

}  // namespace slotmail::slotd
