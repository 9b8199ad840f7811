// The LMTP server of one slot: TCP and Unix listeners and their sessions.
// It shares the IMAP server's event loop, store and worker pool, so a
// delivered message reaches IDLE sessions through the store observer.
// Everything here runs on the loop thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/limits.h"
#include "common/net.h"
#include "common/new_mail_barrier.h"
#include "common/serving_gate.h"
#include "common/worker_pool.h"
#include "store/store.h"

namespace slotmail::lmtpd {

class Session;

struct ServerOptions {
  std::string listen;  // "host:port"; empty: no TCP listener
  std::string socket;  // Unix socket path; empty: none
  std::string hostname = "localhost";
  uint64_t max_message_bytes = 0;  // the store's limit
  bool over_quota_permanent = false;  // see ProtocolOptions
  // A session that completes no line for this long gets 421 and is closed.
  std::chrono::seconds timeout = limits::kLmtpIdleTimeout;
  // Not owned; outlives the server. While closed, every recipient gets
  // "451 4.3.0 <refusal>" (the MTA retries later, or elsewhere), at RCPT and
  // again at DATA if it closed in between. nullptr: always serving.
  const ServingGate* gate = nullptr;
  // Not owned; outlives the server. Sync replication: a recipient's 250 only
  // once it confirms (451 4.3.0 otherwise). nullptr: none.
  NewMailBarrier* new_mail = nullptr;
};

class Server {
 public:
  // `loop`, `store` and `pool` must outlive the server.
  Server(ServerOptions options, net::EventLoop* loop, store::Store* store, WorkerPool* pool);
  ~Server();  // closes every session; REQUIRES: the loop still exists

  Status Listen();
  uint16_t tcp_port() const { return tcp_ ? tcp_->port() : 0; }

  const ServerOptions& options() const { return options_; }
  net::EventLoop* loop() { return loop_; }
  store::Store& store() { return *store_; }
  WorkerPool& pool() { return *pool_; }
  // Drops a closed session (deferred to a later loop turn).
  void Remove(Session* s);
  size_t session_count() const { return sessions_.size(); }

 private:
  void Accept(int fd, const std::string& peer);

  ServerOptions options_;
  net::EventLoop* loop_;
  store::Store* store_;
  WorkerPool* pool_;
  std::unique_ptr<net::Listener> tcp_;
  std::unique_ptr<net::Listener> unix_;
  std::map<Session*, std::shared_ptr<Session>> sessions_;
};

}  // namespace slotmail::lmtpd
