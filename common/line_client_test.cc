#include "common/line_client.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "common/fs.h"
#include "common/net.h"
#include "common/tls.h"
#include "t/unit/temp_dir.h"

using slotmail::ClientTls;
using slotmail::Code;
using slotmail::LineClient;
using slotmail::Status;
using slotmail::TlsContext;
using slotmail::net::Connection;
using slotmail::net::EventLoop;
using slotmail::net::Listener;
using Millis = std::chrono::milliseconds;

namespace {

constexpr Millis kTimeout{5000};  // generous: failures must come from the peer, not the clock

// A throwaway PKI, made once per run with the openssl CLI: a CA with a server
// certificate for 127.0.0.1 and a client certificate, and another CA with a
// client certificate of its own.
const char kGenerate[] = R"(set -e
ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout $1.key -out $1.pem -subj "/CN=$1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
}
leaf() {  # name, issuing CA, extensions
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout $1.key -out $1.csr -subj "/CN=$1"
  printf '%s\n' "$3" > $1.ext
  openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -days 2 -extfile $1.ext -out $1.pem \
    -set_serial 0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
}
ca ca
ca other
leaf server ca "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client ca "extendedKeyUsage=clientAuth"
leaf stranger other "extendedKeyUsage=clientAuth"
)";

struct Pki {
  slotmail::testing::TempDir dir;
  bool ok = false;
  Pki() {
    if (!slotmail::fs::WriteNewFile(dir.path() + "/gen.sh", kGenerate).ok()) return;
    const std::string cmd = "cd '" + dir.path() + "' && sh gen.sh >gen.log 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  std::string File(const std::string& name) const { return dir.path() + "/" + name; }
  // A client of our CA: `who` is "client", "stranger" or "" (no certificate).
  ClientTls Client(const std::string& who, const std::string& ca = "ca") const {
    ClientTls tls;
    if (!who.empty()) {
      tls.cert = File(who + ".pem");
      tls.key = File(who + ".key");
    }
    tls.ca = File(ca + ".pem");
    tls.expect_ip = "127.0.0.1";
    return tls;
  }
};

const Pki& TestPki() {
  static const Pki pki;
  REQUIRE_MESSAGE(pki.ok, "openssl CLI failed: see gen.log");
  return pki;
}

// A server on its own thread: echoes each line back, or (silent) reads and
// never answers. Remembers the TLS errors of connections that failed.
class Server : public Connection::Handler {
 public:
  explicit Server(bool silent = false) : silent_(silent) {
    // As in the daemons (slotd/run.cc): a client that went away must not
    // kill the process when the server writes to it.
    std::signal(SIGPIPE, SIG_IGN);
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    loop_ = std::move(loop.value());
  }
  ~Server() override {
    if (!thread_.joinable()) return;
    // Free the connections on the loop while it runs, so that libevent's
    // deferred frees complete, then stop it (a Post is not lost if Run has
    // not started yet; a Stop would be).
    loop_->Post([this] {
      conns_.clear();
      input_.clear();
      listener_.reset();
      loop_->Post([this] { loop_->Stop(); });
    });
    thread_.join();
  }

  uint16_t ListenTcp(std::shared_ptr<TlsContext> tls) {
    tls_ = std::move(tls);
    auto l = Listener::Tcp(loop_.get(), "127.0.0.1", 0,
                           [this](int fd, std::string ip) { Adopt(fd, std::move(ip)); });
    REQUIRE(l.ok());
    listener_ = std::move(l.value());
    Start();
    return listener_->port();
  }
  void ListenUnix(const std::string& path) {
    auto l = Listener::Unix(loop_.get(), path,
                            [this](int fd, std::string ip) { Adopt(fd, std::move(ip)); });
    REQUIRE(l.ok());
    listener_ = std::move(l.value());
    Start();
  }

  // The first TLS error a closed connection reported, waiting up to kTimeout.
  std::string WaitTlsError() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, kTimeout, [this] { return !tls_errors_.empty(); });
    return tls_errors_.empty() ? std::string() : tls_errors_.front();
  }

  void OnInput(Connection* c) override {
    std::string& buf = input_[c];
    c->TakeInput(&buf);
    if (silent_) {
      buf.clear();
      return;
    }
    for (size_t nl; (nl = buf.find('\n')) != std::string::npos; buf.erase(0, nl + 1)) {
      c->Write(std::string_view(buf).substr(0, nl + 1));
    }
  }
  void OnDrained(Connection*) override {}
  void OnEvent(Connection* c, Connection::Event e) override {
    if (e != Connection::Event::kClosed) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!c->tls_error().empty()) tls_errors_.push_back(c->tls_error());
    }
    cv_.notify_all();
    loop_->Post([this, c] {
      input_.erase(c);
      conns_.erase(c);
    });
  }

 private:
  void Start() {
    thread_ = std::thread([this] { loop_->Run(); });
  }
  void Adopt(int fd, std::string ip) {
    auto c = Connection::Adopt(loop_.get(), fd, std::move(ip), tls_.get(), this);
    Connection* raw = c.get();
    conns_[raw] = std::move(c);
  }

  const bool silent_;
  std::unique_ptr<EventLoop> loop_;
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<Listener> listener_;
  std::map<Connection*, std::unique_ptr<Connection>> conns_;  // loop thread only
  std::map<Connection*, std::string> input_;                   // loop thread only
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> tls_errors_;  // guarded by mu_
};

std::shared_ptr<TlsContext> MutualContext(const Pki& pki) {
  auto ctx = TlsContext::LoadServerMutual(pki.File("server.pem"), pki.File("server.key"),
                                          pki.File("ca.pem"));
  REQUIRE_MESSAGE(ctx.ok(), ctx.status().ToString());
  return ctx.value();
}

// Connects, sends `line` and reads the answer: ok only if it is the echo.
Status Exchange(uint16_t port, const ClientTls* tls, const std::string& line = "ping") {
  auto client = LineClient::ConnectTcp("127.0.0.1", port, tls, kTimeout);
  if (!client.ok()) return client.status();
  RETURN_IF_ERROR((*client)->WriteLine(line));
  auto back = (*client)->ReadLine(1 << 20);
  if (!back.ok()) return back.status();
  if (*back != line) return Status::Protocol("echo differs");
  return Status::Ok();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("line_client: mutual TLS echoes lines for a client with the right certificate") {
  const Pki& pki = TestPki();
  Server server;
  const uint16_t port = server.ListenTcp(MutualContext(pki));
  const ClientTls tls = pki.Client("client");
  auto client = LineClient::ConnectTcp("127.0.0.1", port, &tls, kTimeout);
  REQUIRE_MESSAGE(client.ok(), client.status().ToString());
  LineClient& c = **client;

  REQUIRE(c.WriteLine("hello").ok());
  REQUIRE(c.WriteLine("").ok());
  const std::string big(100000, 'x');  // many TLS records each way
  REQUIRE(c.WriteLine(big).ok());
  auto first = c.ReadLine(100);
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  CHECK(*first == "hello");
  auto empty = c.ReadLine(100);
  REQUIRE(empty.ok());
  CHECK(*empty == "");
  auto long_line = c.ReadLine(big.size());
  REQUIRE_MESSAGE(long_line.ok(), long_line.status().ToString());
  CHECK(*long_line == big);

  // A line over max_bytes is TooBig, not a buffer that grows without end.
  REQUIRE(c.WriteLine(big).ok());
  auto too_big = c.ReadLine(1000);
  CHECK(too_big.status().code() == Code::kTooBig);

  // An empty expect_ip means the address connected to.
  ClientTls implicit_ip = tls;
  implicit_ip.expect_ip.clear();
  Status st = Exchange(port, &implicit_ip);
  CHECK_MESSAGE(st.ok(), st.ToString());
}

namespace {

// `who` (see Pki::Client) tries an exchange with a mutual TLS server: it
// must fail, and the server's connection must say why in tls_error().
void ExpectRefused(const std::string& who, const std::string& server_says) {
  const Pki& pki = TestPki();
  Server server;
  const uint16_t port = server.ListenTcp(MutualContext(pki));
  const ClientTls tls = pki.Client(who);
  Status st = Exchange(port, &tls);
  CHECK(!st.ok());
  MESSAGE("client saw: ", st.ToString());
  const std::string why = server.WaitTlsError();
  CHECK_MESSAGE(Contains(why, server_says), "server saw: ", why);
}

}  // namespace

TEST_CASE("line_client: a client without a certificate is refused by a mutual TLS server") {
  ExpectRefused("", "peer did not return a certificate");
}

TEST_CASE("line_client: a client certificate from another CA is refused") {
  ExpectRefused("stranger", "certificate verify failed");
}

TEST_CASE("line_client: the client refuses a server certificate for another IP or CA") {
  const Pki& pki = TestPki();
  Server server;
  const uint16_t port = server.ListenTcp(MutualContext(pki));

  ClientTls wrong_ip = pki.Client("client");
  wrong_ip.expect_ip = "127.0.0.2";
  auto client = LineClient::ConnectTcp("127.0.0.1", port, &wrong_ip, kTimeout);
  REQUIRE(!client.ok());
  const std::string msg = client.status().message();
  CHECK_MESSAGE(Contains(msg, "TLS handshake with 127.0.0.1:" + std::to_string(port) +
                                  ": certificate verify failed"),
                msg);
  CHECK_MESSAGE(Contains(msg, "IP address mismatch"), msg);

  const ClientTls wrong_ca = pki.Client("client", "other");
  client = LineClient::ConnectTcp("127.0.0.1", port, &wrong_ca, kTimeout);
  REQUIRE(!client.ok());
  CHECK_MESSAGE(Contains(client.status().message(), "certificate verify failed"),
                client.status().message());

  ClientTls not_ip = pki.Client("client");
  not_ip.expect_ip = "localhost";
  client = LineClient::ConnectTcp("127.0.0.1", port, &not_ip, kTimeout);
  CHECK(client.status().code() == Code::kInvalidArgument);
}

TEST_CASE("line_client: a server that never answers makes the call time out") {
  const Pki& pki = TestPki();
  Server server(/*silent=*/true);
  const uint16_t port = server.ListenTcp(nullptr);

  // Plain TCP: the line goes out, no answer comes back.
  auto client = LineClient::ConnectTcp("127.0.0.1", port, nullptr, Millis(300));
  REQUIRE(client.ok());
  REQUIRE((*client)->WriteLine("anyone there?").ok());
  auto line = (*client)->ReadLine(100);
  REQUIRE(!line.ok());
  CHECK(line.status().code() == Code::kIOError);
  CHECK_MESSAGE(Contains(line.status().message(), "timed out"), line.status().message());

  // TLS: the server never speaks TLS, so the handshake times out.
  const ClientTls tls = pki.Client("client");
  auto tls_client = LineClient::ConnectTcp("127.0.0.1", port, &tls, Millis(300));
  REQUIRE(!tls_client.ok());
  CHECK_MESSAGE(Contains(tls_client.status().message(), "TLS handshake with 127.0.0.1:"),
                tls_client.status().message());
  CHECK(Contains(tls_client.status().message(), "timed out"));
}

TEST_CASE("line_client: a Unix socket round trip, and the end of the stream") {
  slotmail::testing::TempDir dir;
  const std::string path = dir.path() + "/control.sock";
  Server server;
  server.ListenUnix(path);
  {
    auto client = LineClient::ConnectUnix(path, kTimeout);
    REQUIRE_MESSAGE(client.ok(), client.status().ToString());
    REQUIRE((*client)->WriteLine("{\"op\":\"status\"}").ok());
    auto line = (*client)->ReadLine(100);
    REQUIRE_MESSAGE(line.ok(), line.status().ToString());
    CHECK(*line == "{\"op\":\"status\"}");
  }
  auto missing = LineClient::ConnectUnix(dir.path() + "/nobody.sock", kTimeout);
  CHECK(missing.status().code() == Code::kNotFound);
  auto too_long = LineClient::ConnectUnix("/" + std::string(200, 'x'), kTimeout);
  CHECK(too_long.status().code() == Code::kTooBig);
}

TEST_CASE("line_client: the peer closing is IOError \"connection closed\"") {
  slotmail::testing::TempDir dir;
  const std::string path = dir.path() + "/closing.sock";
  std::unique_ptr<LineClient> client;
  {
    Server server;
    server.ListenUnix(path);
    auto c = LineClient::ConnectUnix(path, kTimeout);
    REQUIRE(c.ok());
    client = std::move(c.value());
    REQUIRE(client->WriteLine("one").ok());
    REQUIRE(client->ReadLine(100).ok());
  }  // the server goes away with its connections
  auto line = client->ReadLine(100);
  REQUIRE(!line.ok());
  CHECK(line.status().code() == Code::kIOError);
  CHECK_MESSAGE(Contains(line.status().message(), "connection closed"), line.status().message());
}

TEST_CASE("line_client: bad addresses are refused before connecting") {
  CHECK(LineClient::ConnectTcp("localhost", 1, nullptr, kTimeout).status().code() ==
        Code::kInvalidArgument);
  CHECK(LineClient::ConnectTcp("127.0.0.1.1", 1, nullptr, kTimeout).status().code() ==
        Code::kInvalidArgument);
}
