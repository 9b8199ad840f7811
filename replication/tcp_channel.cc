#include "replication/tcp_channel.h"

#include "common/limits.h"
#include "slots/control_server.h"

namespace slotmail::replication {

json::Value ReplicationHello(const std::string& store, const std::string& from, uint64_t epoch,
                             bool compress, bool rejoin) {
  json::Value hello = json::Value::Object()
                          .Set("hello", "slotmail-replication")
                          .Set("version", kReplicationVersion)
                          .Set("store", store)
                          .Set("from", from)
                          .Set("epoch", epoch);
  if (compress) hello.Set("compress", slots::kCompressZlib);
  if (rejoin) hello.Set("rejoin", true);
  return hello;
}

Result<std::unique_ptr<TcpChannel>> TcpChannel::Connect(const TcpTarget& t) {
  ASSIGN_OR_RETURN(auto line, LineClient::ConnectTcp(t.address, t.port, &t.tls,
                                                     limits::kReplicationConnectTimeout));
  ASSIGN_OR_RETURN(auto rpc, slots::RpcClient::Open(std::move(line),
                                                    ReplicationHello(t.store, t.from, t.epoch, t.compress, t.rejoin),
                                                    limits::kMaxReplicationLineBytes));
  return std::unique_ptr<TcpChannel>(new TcpChannel(std::move(rpc)));
}

Result<json::Value> TcpChannel::Call(const json::Value& request, std::string_view attachment) {
  return rpc_->Call(request, timeout_, attachment);
}

}  // namespace slotmail::replication
