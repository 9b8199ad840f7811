// One LMTP connection: feeds its input to a Protocol and runs the store work
// the protocol asks for on the worker pool, keyed by user (so one user's
// deliveries are serialised with that user's IMAP work). Completions come
// back on the loop thread. All methods run on the loop thread.
#pragma once

#include <memory>
#include <string>

#include "common/net.h"
#include "common/new_mail_barrier.h"
#include "common/server_events.h"
#include "common/worker_pool.h"
#include "lmtpd/protocol.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::lmtpd {

class Server;

class Session : public net::Connection::Handler, public std::enable_shared_from_this<Session> {
 public:
  Session(Server* server, std::string peer);
  ~Session() override;
  // REQUIRES: called once, right after construction, with the accepted fd.
  void Start(int fd);
  // Closes now, without a reply (server shutdown, after the loop stopped).
  void Shutdown();

  void OnInput(net::Connection* c) override;
  void OnDrained(net::Connection* c) override;
  void OnEvent(net::Connection* c, net::Connection::Event e) override;

 private:
  void Process();
  void Flush();
  void CheckRecipient();
  void DeliverMessage();
  void RequestDone();
  std::string NotServing() const;
  void ArmDeadline();
  // Re-arms the deadline if the client completed a line since it was armed.
  void NoteProgress();
  void TimedOut();
  // Logs each recipient's outcome (`outcomes` in recipients() order; null:
  // every one refused with the gate closed).
  void LogDeliveries(const std::vector<Outcome>* outcomes, uint64_t size,
                     const std::string& delivery_id);

  Server* server_;  // only on the loop thread: worker tasks may outlive it
  // What worker tasks use; these outlive every task (see slotd.cc).
  net::EventLoop* loop_;
  store::Store* store_;
  WorkerPool* pool_;
  NewMailBarrier* new_mail_;  // sync replication; may be null
  std::string hostname_;
  std::string peer_;
  events::ConnectionEvents events_;
  std::string close_reason_ = "client";  // for the connection_close line
  Protocol protocol_;
  std::unique_ptr<net::Connection> conn_;
  // 421 and close when no line completes for ServerOptions::timeout; a
  // deadline moved only by progress, so trickled bytes cannot hold it off.
  std::unique_ptr<net::EventLoop::Timer> deadline_;
  uint64_t progress_ = 0;  // protocol_.consumed() when the deadline was armed
  bool busy_ = false;    // a store request is outstanding
  bool closed_ = false;  // the connection is gone or closing
};

}  // namespace slotmail::lmtpd
