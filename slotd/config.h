// What one slotd process runs with: the IMAP/LMTP server settings plus the
// slot's place in the cluster (identity, role, control channel). Built from
// one key = value file: a hand-written one (slotd --config) or the one a
// slot derives from production.dat (slotd --cluster; doc/production-dat.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config.h"
#include "imapd/server.h"
#include "slots/role_file.h"

namespace slotmail::slotd {

// A slot of this slot's store and where it takes replication.
struct StorePeer {
  std::string slot;     // "m2:1"
  std::string address;  // its machine address
  uint16_t port = 0;    // its replication port
};

struct SlotIdentity {
  std::string slot;     // "m1:1"; "" in single-slot mode
  std::string machine;  // "m1"
  std::string store;    // "" for a spare or in single-slot mode
  slots::RoleRecord wanted;  // the role and epoch the file names
  bool sync_mode = false;
  bool degrade_when_replica_down = false;  // sync mode: on_replica_down=degrade
  uint64_t size = 0;  // bytes; 0 unknown
  std::string master, master_imap, master_lmtp;  // the store's master
  std::vector<StorePeer> store_slots;  // every slot of the store, this one included
};

struct SlotdConfig {
  imapd::ServerConfig server;
  SlotIdentity identity;
  std::string control_listen;  // TCP with mutual TLS; empty: none
  std::string control_socket;  // Unix socket; empty: none
  std::string cluster_ca;      // the CA control and replication peers must chain to
  std::string replication_listen;  // TCP with mutual TLS; empty: none
  bool replication_compress = false;  // a master asks its replicas for zlib
  std::string pop3_listen;   // POP3 with STLS (doc/pop3.md); empty: none
  std::string pop3s_listen;  // POP3 over implicit TLS; empty: none
  std::string metrics_listen;  // GET /metrics over HTTP (doc/metrics.md); empty: none
  bool log_to_syslog = false;  // log_target = syslog (doc/logging.md); else stderr
};

// The keys this module reads on top of imapd's (doc/production-dat.md
// "What a slot derives"); all optional in single-slot mode, where the slot
// is its own master at epoch 0.
Result<SlotdConfig> SlotdConfigFrom(const ConfigFile& file);
// "m1:1=127.0.0.11:20101,m2:1=..." (the derived key store_slots).
Result<std::vector<StorePeer>> ParseStoreSlots(const std::string& text);

}  // namespace slotmail::slotd
