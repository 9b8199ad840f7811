#include "pop3d/server.h"

#include <unistd.h>

#include "common/config.h"
#include "common/server_events.h"
#include "pop3d/session.h"

namespace slotmail::pop3d {

Server::~Server() {
  for (auto& [ptr, session] : sessions_) session->Shutdown();
  sessions_.clear();
  plain_.reset();
  tls_.reset();
}

Status Server::Listen() {
  std::string host;
  uint16_t port = 0;
  net::EventLoop* loop = imap_->loop();
  if (!options_.listen.empty()) {
    RETURN_IF_ERROR(SplitHostPort(options_.listen, &host, &port));
    ASSIGN_OR_RETURN(plain_, net::Listener::Tcp(loop, host, port, [this](int fd, std::string ip) {
                       Accept(fd, ip, /*implicit_tls=*/false);
                     }));
  }
  if (!options_.tls_listen.empty()) {
    if (imap_->tls() == nullptr) return Status::InvalidArgument("pop3s_listen needs tls_cert and tls_key");
    RETURN_IF_ERROR(SplitHostPort(options_.tls_listen, &host, &port));
    ASSIGN_OR_RETURN(tls_, net::Listener::Tcp(loop, host, port, [this](int fd, std::string ip) {
                       Accept(fd, ip, /*implicit_tls=*/true);
                     }));
  }
  return Status::Ok();
}

void Server::Accept(int fd, const std::string& ip, bool implicit_tls) {
  auto count = [&](const std::unordered_map<std::string, size_t>& m) {
    auto it = m.find(ip);
    return it == m.end() ? 0 : it->second;
  };
  const imapd::ServerConfig& config = imap_->config();
  if (count(per_ip_) >= config.max_connections_per_ip ||
      count(login_per_ip_) >= config.max_login_connections_per_ip) {
    events::LimitHit(count(per_ip_) >= config.max_connections_per_ip
                         ? "max_connections_per_ip"
                         : "max_login_connections_per_ip",
                     implicit_tls ? "pop3s" : "pop3", ip, "");
    static const char kErr[] = "-ERR [SYS/TEMP] Too many connections from your address\r\n";
    if (!implicit_tls) (void)!::write(fd, kErr, sizeof kErr - 1);
    ::close(fd);
    return;
  }
  ++per_ip_[ip];
  ++login_per_ip_[ip];
  auto session = std::make_shared<Session>(this, ip, implicit_tls);
  sessions_[session.get()] = session;
  session->Start(fd);
}

void Server::LeftLoginPhase(const std::string& ip) {
  if (--login_per_ip_[ip] == 0) login_per_ip_.erase(ip);
}

void Server::Remove(Session* s) {
  imap_->loop()->Post([this, s] {
    auto it = sessions_.find(s);
    if (it == sessions_.end()) return;
    if (--per_ip_[s->peer()] == 0) per_ip_.erase(s->peer());
    if (s->locked_user().empty()) {
      LeftLoginPhase(s->peer());
    } else {
      locked_.erase(s->locked_user());
    }
    sessions_.erase(it);
  });
}

}  // namespace slotmail::pop3d
