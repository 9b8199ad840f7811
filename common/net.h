// The network glue: one libevent loop, TCP/Unix listeners, and buffered
// connections with optional TLS (implicit or STARTTLS). The only libevent
// user in slotmail; no libevent or OpenSSL type appears in this header.
//
// Threading: everything here runs on the loop thread, except
// EventLoop::Post and EventLoop::Stop, which any thread may call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tls.h"

namespace slotmail::metrics {
class Counter;
}

namespace slotmail::net {

struct NetCallbacks;  // libevent trampolines (net.cc)

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();

  void Run();   // returns after Stop()
  void Stop();  // thread-safe
  // Runs `fn` on the loop thread soon. Thread-safe.
  void Post(std::function<void()> fn);
  // Runs `fn` on the loop when `sig` arrives (SIGINT, SIGTERM, ...).
  void OnSignal(int sig, std::function<void()> fn);

  class Timer;
  // A one-shot timer; destroying the returned object cancels it.
  std::unique_ptr<Timer> After(std::chrono::milliseconds delay, std::function<void()> fn);

  void* base() const { return base_; }  // event_base*, for this module only

 private:
  EventLoop() = default;
  friend struct NetCallbacks;
  void RunPosted();
  void* base_ = nullptr;    // event_base*
  void* wakeup_ = nullptr;  // event*: activated by Post
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  std::vector<void*> signal_events_;
  std::vector<std::unique_ptr<std::function<void()>>> signal_fns_;
};

class EventLoop::Timer {
 public:
  Timer(void* base, std::chrono::milliseconds delay, std::function<void()> fn);
  ~Timer();

 private:
  friend struct NetCallbacks;
  void* ev_;
  std::function<void()> fn_;
};

class Listener {
 public:
  using AcceptFn = std::function<void(int fd, std::string peer_ip)>;
  // Listens on host:port (IPv4 or IPv6 literal; port 0 picks a free one).
  static Result<std::unique_ptr<Listener>> Tcp(EventLoop* loop, const std::string& host,
                                               uint16_t port, AcceptFn on_accept);
  // Listens on a Unix socket at `path` (replacing a stale one).
  static Result<std::unique_ptr<Listener>> Unix(EventLoop* loop, const std::string& path,
                                                AcceptFn on_accept);
  ~Listener();
  uint16_t port() const { return port_; }

 private:
  Listener() = default;
  friend struct NetCallbacks;
  void* evl_ = nullptr;  // evconnlistener*
  uint16_t port_ = 0;
  AcceptFn on_accept_;
};

class Connection {
 public:
  enum class Event { kClosed, kTimeout };
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void OnInput(Connection* c) = 0;    // input is waiting: TakeInput
    virtual void OnDrained(Connection* c) = 0;  // all output has been sent
    // kClosed: the connection is gone (peer, error, or CloseAfterFlush done);
    // no callback follows. kTimeout: nothing read for the read timeout.
    // None of these runs inside a Connection call (Write, TakeInput...).
    virtual void OnEvent(Connection* c, Event e) = 0;
  };

  // Takes ownership of `fd`. With `tls`, a TLS handshake comes first.
  // Lifetime: the owner deletes the Connection only after OnEvent(kClosed)
  // (or when the loop has stopped for good).
  static std::unique_ptr<Connection> Adopt(EventLoop* loop, int fd, std::string peer_ip,
                                           const TlsContext* tls, Handler* handler);
  ~Connection();

  // Appends all buffered input to *out and removes it from the connection.
  void TakeInput(std::string* out);
  void Write(std::string_view data);
  size_t PendingOutput() const;
  // Starts a server TLS handshake on this connection (STARTTLS). Output
  // written before the call goes out in plain first; buffered input is
  // discarded (no plaintext may be injected into the TLS session).
  Status StartTls(const TlsContext* tls);
  bool is_tls() const { return tls_; }
  // Why a TLS connection failed, for the log ("error:0A000418:SSL
  // routines::tlsv1 alert unknown ca"): OpenSSL's errors, recorded when the
  // connection closes on an error. Empty if it did not, or had no TLS.
  const std::string& tls_error() const { return tls_error_; }
  // Compresses both directions from now on (RFC 4978 COMPRESS=DEFLATE),
  // inside TLS if TLS is on. Output written before the call goes out
  // uncompressed first. `already_read`: bytes the caller took with
  // TakeInput but did not use; they arrived after the switch point and are
  // decompressed first. InvalidArgument if compression is already on.
  Status StartCompression(std::string_view already_read);
  bool is_compressed() const { return compressed_; }
  void SetReadTimeout(std::chrono::seconds timeout);
  void PauseReading();
  void ResumeReading();
  // Sends what is pending, then closes; OnEvent(kClosed) follows.
  void CloseAfterFlush();
  const std::string& peer_ip() const { return peer_ip_; }
  // Protocol bytes taken by TakeInput / given to Write so far: what the
  // session saw, inside TLS and compression.
  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }
  // Adds every byte counted above to `in` and `out` too (either may be
  // null). Not owned; they must outlive the connection.
  void CountBytes(metrics::Counter* in, metrics::Counter* out) {
    in_counter_ = in;
    out_counter_ = out;
  }

 private:
  Connection(EventLoop* loop, std::string peer_ip, Handler* handler)
      : loop_(loop), peer_ip_(std::move(peer_ip)), handler_(handler) {}
  void Attach(void* bev);
  void Free();
  void InflateHeldBack();
  friend struct NetCallbacks;

  EventLoop* loop_;
  std::string peer_ip_;
  Handler* handler_;
  void FinishClose();
  void* bev_ = nullptr;         // bufferevent*: the top layer (socket, TLS, compression)
  void* underlying_ = nullptr;  // bufferevent* under a STARTTLS or COMPRESS filter, else null
  std::unique_ptr<EventLoop::Timer> close_timer_;  // waits for underlying_ to drain
  int close_polls_ = 0;
  bool tls_ = false;
  bool compressed_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::chrono::seconds read_timeout_{0};
  std::string tls_error_;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  metrics::Counter* in_counter_ = nullptr;
  metrics::Counter* out_counter_ = nullptr;
};

}  // namespace slotmail::net
