// A replica over TCP with mutual TLS (doc/replication.md "Transport"): the
// replication hello carries the store, the sender's slot and its epoch, so
// the replica can refuse a sender from an older epoch.
#pragma once

#include <memory>
#include <string>

#include "common/limits.h"
#include "common/line_client.h"
#include "replication/channel.h"
#include "slots/rpc_client.h"

namespace slotmail::replication {

// 2: message files travel as attachments, compression may be negotiated.
inline constexpr int kReplicationVersion = 2;

struct TcpTarget {
  std::string address;  // the replica's machine address
  uint16_t port = 0;    // its replication port
  ClientTls tls;        // our certificate, the cluster CA
  std::string store;    // the store we replicate
  std::string from;     // our slot name
  uint64_t epoch = 0;   // our epoch
  bool compress = false;  // ask for zlib (the replica may decline)
  // A fenced old master asking the store's master to take what only it
  // holds (rejoin_side.h), instead of a master talking to its replica.
  bool rejoin = false;
};

class TcpChannel : public ReplicaChannel {
 public:
  // Connects and says hello within kReplicationConnectTimeout.
  static Result<std::unique_ptr<TcpChannel>> Connect(const TcpTarget& target);
  Result<json::Value> Call(const json::Value& request, std::string_view attachment = {}) override;
  void SetCallTimeout(std::chrono::milliseconds timeout) override { timeout_ = timeout; }

 private:
  explicit TcpChannel(std::unique_ptr<slots::RpcClient> rpc) : rpc_(std::move(rpc)) {}
  std::unique_ptr<slots::RpcClient> rpc_;
  std::chrono::milliseconds timeout_ = limits::kReplicationCallTimeout;
};

// The hello a master sends (doc/replication.md "Hello").
json::Value ReplicationHello(const std::string& store, const std::string& from, uint64_t epoch,
                             bool compress = false, bool rejoin = false);

}  // namespace slotmail::replication
