// The POP3 server of one slot: a plain listener (STLS) and an implicit-TLS
// one, and their sessions. It runs on the IMAP server's loop and shares its
// store, worker pool, TLS certificate, login throttle, password-check
// threads, serving gate and connection limits (max_connections_per_ip and
// max_login_connections_per_ip are counted apart for POP3, against the same
// numbers). It also keeps the maildrop lock of RFC 1939 8: one POP3 session
// per user at a time. Everything here runs on the loop thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "common/net.h"
#include "imapd/server.h"

namespace slotmail::pop3d {

class Session;

struct ServerOptions {
  std::string listen;      // "host:port" of plain POP3 (with STLS); empty: none
  std::string tls_listen;  // implicit TLS (pop3s); empty: none
};

class Server {
 public:
  // `imap` must outlive the server.
  Server(ServerOptions options, imapd::Server* imap) : options_(std::move(options)), imap_(imap) {}
  ~Server();  // closes every session; REQUIRES: the loop still exists

  Status Listen();
  uint16_t port() const { return plain_ ? plain_->port() : 0; }
  uint16_t tls_port() const { return tls_ ? tls_->port() : 0; }

  imapd::Server& imap() { return *imap_; }
  // Takes `user`'s maildrop lock; false if another POP3 session holds it.
  bool Lock(const std::string& user) { return locked_.insert(user).second; }
  // The session from `ip` has logged in (leaves the login-phase count).
  void LeftLoginPhase(const std::string& ip);
  // Drops a closed session (deferred to a later loop turn); releases its
  // maildrop lock and its counts.
  void Remove(Session* s);
  size_t session_count() const { return sessions_.size(); }

 private:
  void Accept(int fd, const std::string& ip, bool implicit_tls);

  ServerOptions options_;
  imapd::Server* imap_;
  std::unique_ptr<net::Listener> plain_;
  std::unique_ptr<net::Listener> tls_;
  std::map<Session*, std::shared_ptr<Session>> sessions_;
  std::unordered_map<std::string, size_t> per_ip_;
  std::unordered_map<std::string, size_t> login_per_ip_;
  std::set<std::string> locked_;  // users with a POP3 session in TRANSACTION
};

}  // namespace slotmail::pop3d
