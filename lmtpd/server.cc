#include "lmtpd/server.h"

#include "common/config.h"
#include "lmtpd/session.h"

namespace slotmail::lmtpd {

Server::Server(ServerOptions options, net::EventLoop* loop, store::Store* store,
               WorkerPool* pool)
    : options_(std::move(options)), loop_(loop), store_(store), pool_(pool) {}

Server::~Server() {
  for (auto& [ptr, session] : sessions_) session->Shutdown();
  sessions_.clear();
  tcp_.reset();
  unix_.reset();
}

Status Server::Listen() {
  auto accept = [this](int fd, std::string peer) { Accept(fd, peer); };
  if (!options_.listen.empty()) {
    std::string host;
    uint16_t port = 0;
    RETURN_IF_ERROR(SplitHostPort(options_.listen, &host, &port));
    ASSIGN_OR_RETURN(tcp_, net::Listener::Tcp(loop_, host, port, accept));
  }
  if (!options_.socket.empty()) {
    ASSIGN_OR_RETURN(unix_, net::Listener::Unix(loop_, options_.socket, accept));
  }
  return Status::Ok();
}

void Server::Accept(int fd, const std::string& peer) {
  auto session = std::make_shared<Session>(this, peer);
  sessions_[session.get()] = session;
  session->Start(fd);
}

void Server::Remove(Session* s) {
  loop_->Post([this, s] { sessions_.erase(s); });
}

}  // namespace slotmail::lmtpd
