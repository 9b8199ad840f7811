#include "slots/control_server.h"

#include <sys/stat.h>

#include <optional>

#include "common/config.h"
#include "common/fs.h"
#include "common/limits.h"
#include "common/log.h"

namespace slotmail::slots {

json::Value ErrorReply(const Status& st) {
  return json::Value::Object()
      .Set("ok", false)
      .Set("code", CodeName(st.code()))
      .Set("message", st.message());
}

// One control connection: waits for the hello, then answers requests one
// at a time. Owned by the server's map; a pending reply holds a reference.
class ControlServer::Conn : public net::Connection::Handler,
                            public std::enable_shared_from_this<Conn> {
 public:
  Conn(ControlServer* server, std::string peer) : server_(server), peer_(std::move(peer)) {}

  void Start(int fd, const TlsContext* tls) {
    conn_ = net::Connection::Adopt(server_->loop_, fd, peer_, tls, this);
    conn_->SetReadTimeout(limits::kControlHelloTimeout);
  }
  void Shutdown() {
    closed_ = true;
    conn_.reset();
  }

  void OnInput(net::Connection* c) override {
    c->TakeInput(&in_);
    Process();
  }
  void OnDrained(net::Connection*) override {}
  void OnEvent(net::Connection* c, net::Connection::Event e) override {
    if (e == net::Connection::Event::kTimeout) {
      log::Info(server_->options_.log_name + ": closing idle connection from " + Who());
      c->CloseAfterFlush();
      return;
    }
    if (!said_hello_ && !refused_) {
      std::string why = c->tls_error();
      log::Warning(server_->options_.log_name + ": connection from " + Who() + " closed before hello" +
                   (why.empty() ? "" : " (TLS handshake failed: " + why + ")"));
    }
    closed_ = true;
    server_->Remove(this);
  }

 private:
  std::string Who() const { return peer_.empty() ? "local socket" : peer_; }

  void Process() {
    while (!busy_ && !closed_) {
      if (waiting_) {
        // A request whose attachment is still arriving.
        if (in_.size() < attach_bytes_) return;
        std::string attachment;
        if (in_.size() == attach_bytes_) {
          attachment = std::move(in_);
          in_.clear();
        } else {
          attachment = in_.substr(0, attach_bytes_);
          in_.erase(0, attach_bytes_);
        }
        json::Value req = std::move(*waiting_);
        waiting_.reset();
        Request(req, std::move(attachment));
        continue;
      }
      const size_t nl = in_.find('\n', scanned_);
      if (nl == std::string::npos) {
        scanned_ = in_.size();  // a long line is scanned once, not once per read
        if (in_.size() > server_->options_.max_line_bytes) {
          return Refuse(Status::TooBig("a line is longer than " +
                                       std::to_string(server_->options_.max_line_bytes) + " bytes"));
        }
        return;
      }
      std::string line = in_.substr(0, nl);
      in_.erase(0, nl + 1);
      scanned_ = 0;
      if (line.size() > server_->options_.max_line_bytes) {
        return Refuse(Status::TooBig("a line is longer than " +
                                     std::to_string(server_->options_.max_line_bytes) + " bytes"));
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      json::ParseLimits lim;
      lim.max_bytes = server_->options_.max_line_bytes;
      lim.max_depth = limits::kMaxControlDepth;
      auto msg = json::Parse(line, lim);
      if (!said_hello_) {
        Hello(msg);
        continue;
      }
      if (!msg.ok()) {
        Send(ErrorReply(Status::InvalidArgument("not JSON: " + msg.status().message())));
        continue;
      }
      if (const json::Value* attach = msg->is_object() ? msg->Find("attach") : nullptr) {
        // Where the next line starts depends on it: a bad one ends the
        // connection, since nothing after it can be read in step.
        const size_t max = server_->options_.max_attach_bytes;
        if (max == 0) return Refuse(Status::Protocol("this channel takes no attachments"));
        if (!attach->is_int() || attach->AsInt() < 0 ||
            static_cast<uint64_t>(attach->AsInt()) > max) {
          return Refuse(Status::TooBig("attach must be a byte count from 0 to " +
                                       std::to_string(max)));
        }
        attach_bytes_ = static_cast<size_t>(attach->AsInt());
        in_.reserve(attach_bytes_);  // grown once, not doubled and copied as it arrives
        waiting_ = std::move(*msg);
        continue;
      }
      Request(*msg, std::string());
    }
  }

  void Hello(const Result<json::Value>& msg) {
    Status bad;
    if (!msg.ok() || !msg->is_object()) {
      bad = Status::Protocol("expected a hello object first");
    } else if (auto h = msg->GetString("hello"); !h.ok() || *h != server_->options_.protocol) {
      bad = Status::Protocol("expected {\"hello\":\"" + server_->options_.protocol +
                             "\",\"version\":N} first");
    } else if (auto v = msg->GetInt("version"); !v.ok() || *v != server_->options_.version) {
      bad = Status::Protocol("unsupported protocol version; this slot speaks version " +
                             std::to_string(server_->options_.version));
    } else {
      bad = server_->service_->AcceptHello(*msg);
    }
    if (!bad.ok()) return Refuse(bad);
    said_hello_ = true;
    conn_->SetReadTimeout(limits::kControlIdleTimeout);
    json::Value reply =
        json::Value::Object().Set("ok", true).Set("version", server_->options_.version);
    const json::Value fields = server_->service_->Hello();  // kept alive for the loop
    for (const auto& [k, v] : fields.Members()) reply.Set(k, v);
    // Compression when asked for and allowed; any other answer leaves the
    // connection as it is (the client sees no "compress" and goes on plain).
    auto z = msg->GetString("compress");
    const bool compress = z.ok() && *z == kCompressZlib && server_->options_.allow_compression;
    if (compress) reply.Set("compress", kCompressZlib);
    Send(reply);
    if (compress) {
      log::Info(server_->options_.log_name + ": " + Who() + " compresses (zlib)");
      Status st = conn_->StartCompression(in_);  // the answer above goes out plain
      in_.clear();
      scanned_ = 0;
      if (!st.ok()) return Refuse(st);
    }
  }

  void Request(const json::Value& req, std::string attachment) {
    json::Value id;
    if (const json::Value* i = req.Find("id")) id = *i;
    if (!req.is_object()) return Send(ErrorReply(Status::InvalidArgument("a request is a JSON object")));
    if (!id.is_null() && !id.is_int()) {
      return Send(ErrorReply(Status::InvalidArgument("id must be an integer")));
    }
    if (auto op = req.GetString("op"); !op.ok()) return Send(WithId(ErrorReply(op.status()), id));
    busy_ = true;
    auto self = shared_from_this();
    server_->service_->Handle(req, std::move(attachment), [self, id](json::Value reply) {
      self->busy_ = false;
      if (self->closed_) return;
      if (!reply.Find("ok")) {
        json::Value full = json::Value::Object().Set("ok", true);
        for (const auto& [k, v] : reply.Members()) full.Set(k, v);
        reply = std::move(full);
      }
      self->Send(self->WithId(std::move(reply), id));
      self->Process();
    });
  }

  static json::Value WithId(json::Value reply, const json::Value& id) {
    if (id.is_null()) return reply;
    json::Value out = json::Value::Object().Set("id", id);
    for (const auto& [k, v] : reply.Members()) out.Set(k, v);
    return out;
  }

  // Answers with the error, logs it and closes: the peer is not speaking
  // this protocol (or broke its framing), so nothing more is read.
  void Refuse(const Status& st) {
    log::Warning(server_->options_.log_name + ": refused " + Who() + ": " + st.message());
    Send(ErrorReply(st));
    refused_ = true;
    closed_ = true;
    in_.clear();
    conn_->CloseAfterFlush();
  }

  void Send(const json::Value& v) {
    if (!conn_) return;
    conn_->Write(json::Serialize(v) + "\n");
  }

  ControlServer* server_;
  std::string peer_;
  std::unique_ptr<net::Connection> conn_;
  std::string in_;
  size_t scanned_ = 0;  // in_[0, scanned_) holds no '\n'
  std::optional<json::Value> waiting_;  // a request until its attachment is in
  size_t attach_bytes_ = 0;             // that attachment's length
  bool said_hello_ = false;
  bool busy_ = false;
  bool closed_ = false;
  bool refused_ = false;  // Refuse logged why; the close says nothing more
};

ControlServer::ControlServer(ControlOptions options, net::EventLoop* loop,
                             ControlService* service)
    : options_(std::move(options)), loop_(loop), service_(service) {}

ControlServer::~ControlServer() {
  for (auto& [ptr, conn] : conns_) conn->Shutdown();
  conns_.clear();
  if (unix_) {
    unix_.reset();
    (void)fs::Remove(options_.unix_path);  // a stale socket only confuses clients
  }
}

Status ControlServer::Listen() {
  if (!options_.tcp_listen.empty()) {
    if (!options_.tls) return Status::InvalidArgument("the control TCP listener needs TLS");
    std::string host;
    uint16_t port = 0;
    RETURN_IF_ERROR(SplitHostPort(options_.tcp_listen, &host, &port));
    ASSIGN_OR_RETURN(tcp_, net::Listener::Tcp(loop_, host, port, [this](int fd, std::string peer) {
                       Accept(fd, peer, true);
                     }));
  }
  if (!options_.unix_path.empty()) {
    ASSIGN_OR_RETURN(unix_, net::Listener::Unix(loop_, options_.unix_path,
                                                [this](int fd, std::string) { Accept(fd, "", false); }));
    if (::chmod(options_.unix_path.c_str(), 0600) != 0) {
      return fs::ErrnoStatus("chmod", options_.unix_path, errno);
    }
  }
  return Status::Ok();
}

void ControlServer::Accept(int fd, const std::string& peer, bool tls) {
  auto conn = std::make_shared<Conn>(this, peer);
  conns_[conn.get()] = conn;
  conn->Start(fd, tls ? options_.tls.get() : nullptr);
}

void ControlServer::Remove(Conn* c) {
  loop_->Post([this, c] { conns_.erase(c); });
}

}  // namespace slotmail::slots
