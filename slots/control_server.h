// The control channel's server side (doc/control.md): a Unix socket and a
// TCP listener with mutual TLS, line-framed JSON, the hello and version
// check, one request at a time per connection. What requests do is the
// ControlService's business. Everything here runs on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/json.h"
#include "common/limits.h"
#include "common/net.h"
#include "common/tls.h"

namespace slotmail::slots {

inline constexpr int kControlVersion = 1;
// The one compression a hello may ask for ("compress":"zlib"): a raw
// deflate stream each way, a sync flush after every message.
inline constexpr const char* kCompressZlib = "zlib";

class ControlService {
 public:
  using Reply = std::function<void(json::Value)>;
  virtual ~ControlService() = default;
  // The fields the hello answer carries besides ok and version.
  virtual json::Value Hello() = 0;
  // Checks the rest of a client's hello (name and version are checked
  // already); an error refuses the connection with it. Loop thread.
  virtual Status AcceptHello(const json::Value& hello) {
    (void)hello;
    return Status::Ok();
  }
  // Answers one request (a JSON object that has an "op" string) and the
  // bytes attached to it (empty unless the protocol allows attachments).
  // Must call `reply` exactly once, on the loop thread, now or later; the
  // reply is an object whose "ok" (and "id") the server fills in unless it
  // has "ok".
  virtual void Handle(const json::Value& request, std::string attachment, Reply reply) = 0;
};

// An error response: {"ok":false,"code":CodeName,"message":...}.
json::Value ErrorReply(const Status& st);

struct ControlOptions {
  // The hello's protocol name; the replication channel runs the same
  // server with its own name and a larger line limit.
  std::string protocol = "slotmail-control";
  std::string log_name = "control";  // first word of its log lines
  int version = kControlVersion;     // the one version the hello must name
  size_t max_line_bytes = limits::kMaxControlLineBytes;
  // A request line with "attach": N is followed by N raw bytes, its
  // attachment, when N is at most this; 0: requests carry none.
  size_t max_attach_bytes = 0;
  bool allow_compression = false;  // a hello may ask for "compress":"zlib"
  std::string tcp_listen;  // "host:port"; empty: none. REQUIRES: tls when set
  std::string unix_path;   // empty: none; created with mode 0600
  std::shared_ptr<TlsContext> tls;  // mutual: LoadServerMutual
};

class ControlServer {
 public:
  // `loop` and `service` must outlive the server.
  ControlServer(ControlOptions options, net::EventLoop* loop, ControlService* service);
  ~ControlServer();

  Status Listen();
  uint16_t tcp_port() const { return tcp_ ? tcp_->port() : 0; }
  size_t connection_count() const { return conns_.size(); }

 private:
  class Conn;
  void Accept(int fd, const std::string& peer, bool tls);
  void Remove(Conn* c);

  ControlOptions options_;
  net::EventLoop* loop_;
  ControlService* service_;
  std::unique_ptr<net::Listener> tcp_;
  std::unique_ptr<net::Listener> unix_;
  std::map<Conn*, std::shared_ptr<Conn>> conns_;
};

}  // namespace slotmail::slots
