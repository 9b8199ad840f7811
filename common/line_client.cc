#include "common/line_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "common/check.h"
#include "common/deflate.h"
#include "common/fs.h"

// TLS runs over two memory BIOs, and this file moves the bytes between them
// and the non-blocking socket itself: every wait is then one poll() bounded
// by the deadline, and writes use send(MSG_NOSIGNAL), so a peer that went
// away is an error, not a SIGPIPE that kills the tool.

namespace slotmail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kChunk = 16 << 10;  // one TLS record's worth

// Why the last OpenSSL call failed, in words ("certificate verify failed
// (IP address mismatch)"); clears OpenSSL's error queue.
std::string TlsFailure(SSL* ssl) {
  const unsigned long e = ERR_peek_last_error();
  std::string why;
  if (e == 0) {
    why = "TLS failure";
  } else if (const char* reason = ERR_reason_error_string(e)) {
    why = reason;
  } else {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    why = buf;
  }
  ERR_clear_error();
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return why;
}

}  // namespace

struct LineClient::Impl {
  int fd = -1;
  std::string peer;  // "127.0.0.1:20100" or the socket path, for messages
  Millis timeout{0};
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;       // null: plain
  BIO* net_in = nullptr;    // owned by ssl: bytes from the socket, for OpenSSL
  BIO* net_out = nullptr;   // owned by ssl: OpenSSL's bytes, for the socket
  std::string in;           // received (decrypted, inflated), not yet returned
  // Both directions compressed once StartCompression ran; `zin` holds
  // compressed bytes the inflater has not taken yet.
  std::unique_ptr<Deflater> deflater;
  std::unique_ptr<Inflater> inflater;
  std::string zin;

  ~Impl() {
    if (ssl != nullptr && SSL_is_init_finished(ssl)) {
      // close_notify, best effort: one send that never waits.
      (void)SSL_shutdown(ssl);
      char buf[kChunk];
      const int n = BIO_read(net_out, buf, sizeof buf);
      if (n > 0) (void)::send(fd, buf, static_cast<size_t>(n), MSG_DONTWAIT | MSG_NOSIGNAL);
      ERR_clear_error();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }

  Status Error(const char* op, const std::string& why) const {
    return Status::IOError(std::string(op) + " " + peer + ": " + why);
  }

  // Until fd is ready for `events` (POLLERR/POLLHUP count: the next call
  // reports them), or IOError "timed out" at the deadline.
  Status Wait(short events, Clock::time_point deadline, const char* op) const {
    for (;;) {
      const auto left = std::chrono::ceil<Millis>(deadline - Clock::now()).count();
      if (left <= 0) return Error(op, "timed out");
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
      if (r > 0) return Status::Ok();
      if (r < 0 && errno != EINTR) return fs::ErrnoStatus(op, peer, errno);
    }
  }

  Status SendRaw(std::string_view data, Clock::time_point deadline, const char* op) const {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        RETURN_IF_ERROR(Wait(POLLOUT, deadline, op));
      } else if (errno != EINTR) {
        return fs::ErrnoStatus(op, peer, errno);
      }
    }
    return Status::Ok();
  }

  // Up to `n` bytes into buf; 0 at end of stream.
  Result<size_t> RecvRaw(char* buf, size_t n, Clock::time_point deadline, const char* op) const {
    for (;;) {
      const ssize_t r = ::recv(fd, buf, n, 0);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        RETURN_IF_ERROR(Wait(POLLIN, deadline, op));
      } else if (errno != EINTR) {
        return fs::ErrnoStatus(op, peer, errno);
      }
    }
  }

  // Sends what OpenSSL has queued for the peer.
  Status FlushTls(Clock::time_point deadline, const char* op) const {
    char buf[kChunk];
    for (;;) {
      const int n = BIO_read(net_out, buf, sizeof buf);
      if (n <= 0) return Status::Ok();
      RETURN_IF_ERROR(SendRaw(std::string_view(buf, static_cast<size_t>(n)), deadline, op));
    }
  }

  // Repeats the SSL call `call` (SSL_do_handshake, SSL_read, SSL_write)
  // until it completes, feeding it from the socket. Its result (> 0), or 0
  // when the peer closed the TLS session cleanly.
  template <typename Call>
  Result<int> RunTls(Call call, Clock::time_point deadline, const char* op) {
    for (;;) {
      ERR_clear_error();
      const int r = call();
      const int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
      const bool failed = err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ &&
                          err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_ZERO_RETURN;
      const std::string why = failed ? TlsFailure(ssl) : std::string();
      // Handshake records, data, or our alert: out before anything else.
      Status sent = FlushTls(deadline, op);
      if (failed) return Error(op, why);
      RETURN_IF_ERROR(sent);
      if (err == SSL_ERROR_NONE) return r;
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (err == SSL_ERROR_WANT_READ) {
        char buf[kChunk];
        ASSIGN_OR_RETURN(size_t n, RecvRaw(buf, sizeof buf, deadline, op));
        if (n == 0) return Error(op, "connection closed");
        BIO_write(net_in, buf, static_cast<int>(n));
      }
      // SSL_ERROR_WANT_WRITE: the memory BIO never fills; flushed above.
    }
  }

  Status Write(std::string_view data, Clock::time_point deadline) {
    if (deflater == nullptr) return WriteStream(data, deadline);
    std::string z;
    RETURN_IF_ERROR(deflater->Compress(data, &z));
    return WriteStream(z, deadline);
  }

  // Writes under compression: on the socket, or inside TLS.
  Status WriteStream(std::string_view data, Clock::time_point deadline) {
    if (ssl == nullptr) return SendRaw(data, deadline, "write to");
    while (!data.empty()) {
      // A record's worth at a time: OpenSSL's output buffer (a memory BIO
      // that grows and is wiped as it goes) stays small however much we send.
      const int len = static_cast<int>(std::min<size_t>(data.size(), kChunk));
      ASSIGN_OR_RETURN(int n, RunTls([&] { return SSL_write(ssl, data.data(), len); }, deadline,
                                     "write to"));
      if (n == 0) return Error("write to", "connection closed");
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  // Appends what arrives next to `in`. IOError "connection closed" at the end.
  Status ReadMore(Clock::time_point deadline) {
    char buf[kChunk];
    size_t n;
    if (ssl == nullptr) {
      ASSIGN_OR_RETURN(n, RecvRaw(buf, sizeof buf, deadline, "read from"));
    } else {
      ASSIGN_OR_RETURN(int r, RunTls([&] { return SSL_read(ssl, buf, sizeof buf); }, deadline,
                                     "read from"));
      n = static_cast<size_t>(r);
    }
    if (n == 0) return Error("read from", "connection closed");
    if (inflater == nullptr) {
      in.append(buf, n);
      return Status::Ok();
    }
    zin.append(buf, n);
    return Inflate();
  }

  // Moves what `zin` holds, inflated, to `in`.
  Status Inflate() {
    while (!zin.empty()) {
      size_t used = 0;
      const size_t before = in.size();
      Status st = inflater->Inflate(zin, kChunk * 4, &in, &used);
      if (!st.ok()) return Error("read from", st.message());
      zin.erase(0, used);
      if (used == 0 && in.size() == before) break;  // needs more input
    }
    return Status::Ok();
  }

  // Non-blocking connect bounded by the deadline.
  Status Connect(const sockaddr* sa, socklen_t len, Clock::time_point deadline) {
    fd = ::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fs::ErrnoStatus("socket for", peer, errno);
    if (::connect(fd, sa, len) == 0) return Status::Ok();
    if (errno != EINPROGRESS && errno != EINTR) return fs::ErrnoStatus("connect to", peer, errno);
    RETURN_IF_ERROR(Wait(POLLOUT, deadline, "connect to"));
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
    if (err != 0) return fs::ErrnoStatus("connect to", peer, err);
    return Status::Ok();
  }

  // Client TLS on the connected socket: our certificate, the server's
  // verified against tls.ca and tls.expect_ip (or the host connected to).
  Status StartTls(const ClientTls& tls, const std::string& host, Clock::time_point deadline) {
    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) return Error("TLS with", TlsFailure(nullptr));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (!tls.cert.empty() &&
        SSL_CTX_use_certificate_chain_file(ctx, tls.cert.c_str()) != 1) {
      return Status::InvalidArgument("TLS certificate " + tls.cert + ": " + TlsFailure(nullptr));
    }
    if (!tls.cert.empty() &&
        (SSL_CTX_use_PrivateKey_file(ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
         SSL_CTX_check_private_key(ctx) != 1)) {
      return Status::InvalidArgument("TLS key " + tls.key + ": " + TlsFailure(nullptr));
    }
    if (SSL_CTX_load_verify_locations(ctx, tls.ca.c_str(), nullptr) != 1) {
      return Status::InvalidArgument("TLS CA " + tls.ca + ": " + TlsFailure(nullptr));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    ssl = SSL_new(ctx);
    if (ssl == nullptr) return Error("TLS with", TlsFailure(nullptr));
    const std::string& ip = tls.expect_ip.empty() ? host : tls.expect_ip;
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip.c_str()) != 1) {
      ERR_clear_error();
      return Status::InvalidArgument("TLS expect_ip is not an IP address: " + ip);
    }
    net_in = BIO_new(BIO_s_mem());
    net_out = BIO_new(BIO_s_mem());
    if (net_in == nullptr || net_out == nullptr) {
      BIO_free(net_in);
      BIO_free(net_out);
      net_in = net_out = nullptr;
      return Error("TLS with", "out of memory");
    }
    SSL_set_bio(ssl, net_in, net_out);  // ssl owns both now
    SSL_set_connect_state(ssl);
    ASSIGN_OR_RETURN(int r, RunTls([&] { return SSL_do_handshake(ssl); }, deadline,
                                   "TLS handshake with"));
    if (r == 0) return Error("TLS handshake with", "connection closed");
    return Status::Ok();
  }
};

LineClient::LineClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LineClient::~LineClient() = default;

Result<std::unique_ptr<LineClient>> LineClient::ConnectUnix(const std::string& path,
                                                            Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_un sun{};
  if (path.size() >= sizeof sun.sun_path) return Status::TooBig("socket path too long: " + path);
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  auto impl = std::make_unique<Impl>();
  impl->peer = path;
  impl->timeout = timeout;
  RETURN_IF_ERROR(impl->Connect(reinterpret_cast<sockaddr*>(&sun), sizeof sun, deadline));
  return std::unique_ptr<LineClient>(new LineClient(std::move(impl)));
}

Result<std::unique_ptr<LineClient>> LineClient::ConnectTcp(const std::string& host, uint16_t port,
                                                           const ClientTls* tls, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  auto impl = std::make_unique<Impl>();
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
    impl->peer = host + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
    impl->peer = "[" + host + "]:" + std::to_string(port);
  } else {
    return Status::InvalidArgument("not an IP address: " + host);
  }
  impl->timeout = timeout;
  RETURN_IF_ERROR(impl->Connect(reinterpret_cast<sockaddr*>(&ss), len, deadline));
  int one = 1;  // a request goes out whole; do not hold its tail for an ACK
  (void)setsockopt(impl->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (tls != nullptr) RETURN_IF_ERROR(impl->StartTls(*tls, host, deadline));
  return std::unique_ptr<LineClient>(new LineClient(std::move(impl)));
}

void LineClient::SetTimeout(Millis timeout) { impl_->timeout = timeout; }

Status LineClient::WriteLine(std::string_view line, std::string_view after) {
  SM_CHECK(line.find('\n') == std::string_view::npos) << "line: " << line.substr(0, 80);
  const auto deadline = Clock::now() + impl_->timeout;
  std::string framed;
  framed.reserve(line.size() + 1);
  framed.append(line).push_back('\n');
  RETURN_IF_ERROR(impl_->Write(framed, deadline));
  return after.empty() ? Status::Ok() : impl_->Write(after, deadline);
}

Status LineClient::StartCompression() {
  if (impl_->deflater != nullptr) return Status::InvalidArgument("compression is already on");
  ASSIGN_OR_RETURN(impl_->deflater, Deflater::Create());
  ASSIGN_OR_RETURN(impl_->inflater, Inflater::Create());
  impl_->zin = std::move(impl_->in);  // whatever came after the switch point is compressed
  impl_->in.clear();
  return impl_->Inflate();
}

Result<std::string> LineClient::ReadLine(size_t max_bytes) {
  const auto deadline = Clock::now() + impl_->timeout;
  size_t scanned = 0;
  for (;;) {
    const size_t nl = impl_->in.find('\n', scanned);
    const size_t line_len = nl == std::string::npos ? impl_->in.size() : nl;
    if (line_len > max_bytes) {
      return Status::TooBig("line from " + impl_->peer + " longer than " +
                            std::to_string(max_bytes) + " bytes");
    }
    if (nl != std::string::npos) {
      std::string line = impl_->in.substr(0, nl);
      impl_->in.erase(0, nl + 1);
      return line;
    }
    scanned = impl_->in.size();
    RETURN_IF_ERROR(impl_->ReadMore(deadline));
  }
}

}  // namespace slotmail
