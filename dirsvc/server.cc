#include "dirsvc/server.h"

#include "common/config.h"
#include "common/log.h"
#include "dirsvc/answers.h"
#include "dirsvc/http_request.h"
#include "dirsvc/netstring.h"
#include "store/names.h"

namespace slotmail::dirsvc {

class Server::Session : public net::Connection::Handler {
 public:
  Session(Server* server, bool http) : server_(server), http_(http) {}
  void Start(int fd, std::string peer) {
    conn_ = net::Connection::Adopt(server_->loop_, fd, std::move(peer), nullptr, this);
    conn_->SetReadTimeout(http_ ? kAuthReadTimeout : kSocketmapIdleTimeout);
  }
  void OnInput(net::Connection* c) override {
    std::string in;
    c->TakeInput(&in);
    if (done_) return;
    if (http_) return HttpInput(in);
    netstrings_.Feed(in);
    std::string frame, error;
    for (;;) {
      switch (netstrings_.Next(&frame, &error)) {
        case NetstringDecoder::Event::kNeedMore:
          return;
        case NetstringDecoder::Event::kFrame:
          c->Write(EncodeNetstring(SocketmapAnswer(server_->snapshot(), frame)));
          break;
        case NetstringDecoder::Event::kError:
          log::Warning("directory: socketmap client " + c->peer_ip() + ": " + error +
                       "; closing");
          return Close();
      }
    }
  }
  void OnDrained(net::Connection*) override {}
  void OnEvent(net::Connection* c, net::Connection::Event e) override {
    if (e == net::Connection::Event::kTimeout) return c->CloseAfterFlush();
    wait_.reset();
    server_->Remove(this);
  }

 private:
  void HttpInput(const std::string& in) {
    switch (http_parser_.Feed(in)) {
      case HttpRequestParser::Event::kNeedMore:
        return;
      case HttpRequestParser::Event::kError:
        conn_->Write("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return Close();
      case HttpRequestParser::Event::kDone:
        break;
    }
    std::chrono::milliseconds delay{0};
    std::string reply = server_->Auth(http_parser_.headers(), conn_->peer_ip(), &delay);
    done_ = true;
    if (delay.count() == 0) {
      conn_->Write(reply);
      return Close();
    }
    wait_ = server_->loop_->After(delay, [this, reply] {
      conn_->Write(reply);
      Close();
    });
  }
  void Close() {
    done_ = true;
    conn_->CloseAfterFlush();
  }

  Server* server_;
  bool http_;
  bool done_ = false;  // the answer is given (or the peer failed): ignore input
  std::unique_ptr<net::Connection> conn_;
  NetstringDecoder netstrings_;
  HttpRequestParser http_parser_;
  std::unique_ptr<net::EventLoop::Timer> wait_;
};

Server::Server(net::EventLoop* loop) : loop_(loop), throttle_(kThrottleEntries) {}

Server::~Server() {
  http_.reset();
  socketmap_.reset();
  sessions_.clear();
}

Status Server::Listen(const std::string& http, const std::string& socketmap) {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(SplitHostPort(http, &host, &port));
  ASSIGN_OR_RETURN(http_, net::Listener::Tcp(loop_, host, port, [this](int fd, std::string p) {
                     Accept(fd, std::move(p), true);
                   }));
  RETURN_IF_ERROR(SplitHostPort(socketmap, &host, &port));
  ASSIGN_OR_RETURN(socketmap_,
                   net::Listener::Tcp(loop_, host, port, [this](int fd, std::string p) {
                     Accept(fd, std::move(p), false);
                   }));
  return Status::Ok();
}

void Server::Accept(int fd, std::string peer, bool http) {
  auto s = std::make_unique<Session>(this, http);
  Session* raw = s.get();
  sessions_[raw] = std::move(s);
  raw->Start(fd, std::move(peer));
}

void Server::Remove(Session* s) {
  loop_->Post([this, s] { sessions_.erase(s); });
}

std::string Server::Auth(const std::map<std::string, std::string>& headers,
                         const std::string& peer, std::chrono::milliseconds* delay) {
  std::string out = "HTTP/1.0 200 OK\r\n";
  auto req = ParseAuthRequest(headers);
  if (!req.ok()) {
    log::Warning("directory: auth_http request from " + peer + ": " + req.status().message());
    out += "Auth-Status: Invalid request\r\n";
  } else {
    // The wait is decided before the answer, as in imapd (login_throttle.h).
    *delay = throttle_.Before(req->client_ip, req->user).delay;
    AuthAnswer a = AnswerAuth(snapshot(), *req);
    if (a.kind == AuthAnswer::Kind::kInvalid) {
      throttle_.Failed(req->client_ip, req->user);
      // Names from the network reach the log only when they pass the whitelist.
      bool printable = store::ValidateUserName(req->user).ok();
      log::Info("directory: auth refused: unknown user " +
                (printable ? req->user : std::string("(invalid name)")) + " from " +
                req->client_ip);
    }
    for (const auto& [name, value] : a.headers) out += name + ": " + value + "\r\n";
  }
  return out + "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

}  // namespace slotmail::dirsvc
