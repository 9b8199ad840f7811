// One POP3 connection: feeds its input to a Protocol and does what the
// protocol asks: TLS on the connection, password checks on the IMAP
// server's LoginChecks threads after its LoginThrottle's wait, and store
// work on the worker pool keyed by user (serialised with that user's IMAP
// and LMTP work). Completions come back on the loop thread; all methods run
// there. Worker tasks hold the session (shared_ptr) and use only loop_,
// store_ and the session's own members, which outlive them.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/net.h"
#include "common/server_events.h"
#include "pop3d/protocol.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::pop3d {

class Server;

class Session : public net::Connection::Handler, public std::enable_shared_from_this<Session> {
 public:
  Session(Server* server, std::string peer, bool implicit_tls);
  ~Session() override;
  // REQUIRES: called once, right after construction, with the accepted fd.
  void Start(int fd);
  // Closes now, without a reply (server shutdown).
  void Shutdown();
  // The user whose maildrop lock this session holds ("" before login).
  const std::string& locked_user() const { return user_; }
  const std::string& peer() const { return peer_; }

  void OnInput(net::Connection* c) override;
  void OnDrained(net::Connection* c) override;
  void OnEvent(net::Connection* c, net::Connection::Event e) override;

 private:
  void Process();
  void Flush();
  void StartTls();
  void Login();
  void CheckPassword(const std::string& user);
  void PasswordChecked(const std::string& user, const Status& st);
  void LoadMaildrop(const std::string& user);
  void Retrieve();
  void Update();
  void RequestDone();
  void NoteLogin(const std::string& user, std::string_view result, std::string_view reason);
  void ArmDeadline();
  void TimedOut();

  Server* server_;
  net::EventLoop* loop_;
  store::Store* store_;
  std::string peer_;
  bool implicit_tls_;
  events::ConnectionEvents events_;
  std::string close_reason_ = "client";
  Protocol protocol_;
  std::unique_ptr<net::Connection> conn_;
  // Closes the connection when no line completes for the login timeout
  // (before login) or limits::kIdleTimeout (after): RFC 1939's autologout,
  // which removes nothing.
  std::unique_ptr<net::EventLoop::Timer> deadline_;
  uint64_t progress_ = 0;  // protocol_.consumed() when the deadline was armed
  std::unique_ptr<net::EventLoop::Timer> throttle_;  // a login's wait
  std::string user_;       // logged in (and holding the maildrop lock)
  bool busy_ = false;      // a request is outstanding
  bool closed_ = false;    // the connection is gone or closing
  std::atomic<bool> gone_{false};  // closed_, for the LoginChecks threads
};

}  // namespace slotmail::pop3d
