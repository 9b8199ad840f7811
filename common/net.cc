#include "common/net.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/check.h"
#include "common/deflate.h"
#include "common/fs.h"
#include "common/limits.h"
#include "common/metrics.h"
#include "common/net_internal.h"

namespace slotmail::net {

namespace {
event_base* Base(void* b) { return static_cast<event_base*>(b); }
bufferevent* Bev(void* b) { return static_cast<bufferevent*>(b); }

// The zlib streams of a compressing connection (the filter's context).
struct CompressionLayer {
  std::unique_ptr<Deflater> out;
  std::unique_ptr<Inflater> in;
  bufferevent* filter = nullptr;
};

// libevent 2.1 ignores a filter's BEV_ERROR on input: report the error as
// an event ourselves, so the connection closes.
bufferevent_filter_result FilterFailed(CompressionLayer* layer, evbuffer* src) {
  evbuffer_drain(src, evbuffer_get_length(src));
  bufferevent_trigger_event(layer->filter, BEV_EVENT_ERROR, BEV_TRIG_DEFER_CALLBACKS);
  return BEV_ERROR;
}

// Filter: compressed bytes from the layer below -> plain bytes above, at
// most `limit` (the read high watermark's room) per call.
bufferevent_filter_result InflateFilter(evbuffer* src, evbuffer* dst, ev_ssize_t limit,
                                        bufferevent_flush_mode, void* ctx) {
  auto* layer = static_cast<CompressionLayer*>(ctx);
  const size_t max_out = limit < 0 ? limits::kInflatedInputBuffered : static_cast<size_t>(limit);
  std::string plain;
  while (evbuffer_get_length(src) > 0 && plain.size() < max_out) {
    evbuffer_iovec v;
    if (evbuffer_peek(src, -1, nullptr, &v, 1) < 1) break;
    size_t used = 0;
    const size_t before = plain.size();
    std::string_view chunk(static_cast<const char*>(v.iov_base), v.iov_len);
    if (!layer->in->Inflate(chunk, max_out - plain.size(), &plain, &used).ok()) {
      return FilterFailed(layer, src);
    }
    evbuffer_drain(src, used);
    if (used == 0 && plain.size() == before) break;
  }
  if (plain.empty()) return BEV_NEED_MORE;
  evbuffer_add(dst, plain.data(), plain.size());
  return BEV_OK;
}

// Filter: plain bytes written above -> compressed bytes below. Each call is
// one burst and ends with a sync flush, so nothing waits inside zlib.
bufferevent_filter_result DeflateFilter(evbuffer* src, evbuffer* dst, ev_ssize_t,
                                        bufferevent_flush_mode, void* ctx) {
  auto* layer = static_cast<CompressionLayer*>(ctx);
  const size_t n = evbuffer_get_length(src);
  if (n == 0) return BEV_NEED_MORE;
  std::string_view plain(reinterpret_cast<const char*>(evbuffer_pullup(src, -1)), n);
  std::string wire;
  if (!layer->out->Compress(plain, &wire).ok()) return FilterFailed(layer, src);
  evbuffer_drain(src, n);
  evbuffer_add(dst, wire.data(), wire.size());
  return BEV_OK;
}

// Options of the filters stacked by STARTTLS and COMPRESS. A filter hands
// written bytes down at once and then runs its write callback ("drained")
// inside bufferevent_write; deferring its callbacks to the loop keeps the
// handler from being re-entered inside Connection::Write (a session
// answering a fatal error would see OnDrained, parse the same input again
// and answer twice).
constexpr int kFilterOptions = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;

void FreeCompressionLayer(void* ctx) { delete static_cast<CompressionLayer*>(ctx); }

// The OpenSSL errors recorded by the TLS layer among `bev` and the layers
// under it, oldest first and "; "-separated, or the socket error if there
// are none.
std::string TlsErrorOf(bufferevent* bev) {
  std::string out;
  for (bufferevent* b = bev; b != nullptr; b = bufferevent_get_underlying(b)) {
    while (unsigned long e = bufferevent_get_openssl_error(b)) {  // newest first
      if (ERR_GET_LIB(e) == 0) continue;  // libevent also records SSL_get_error's code
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      out = out.empty() ? std::string(buf) : buf + ("; " + out);
    }
  }
  if (out.empty() && EVUTIL_SOCKET_ERROR() != 0) {
    out = evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
  }
  return out;
}

}  // namespace

// Trampolines from libevent's C callbacks into the classes.
struct NetCallbacks {
  static void Wakeup(evutil_socket_t, short, void* arg) {
    static_cast<EventLoop*>(arg)->RunPosted();
  }
  static void Signal(evutil_socket_t, short, void* arg) {
    (*static_cast<std::function<void()>*>(arg))();
  }
  static void Timer(evutil_socket_t, short, void* arg) {
    auto* t = static_cast<EventLoop::Timer*>(arg);
    auto fn = t->fn_;  // the callback may destroy the timer
    fn();
  }
  static void Accept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
    auto* l = static_cast<Listener*>(arg);
    char ip[INET6_ADDRSTRLEN] = "local";
    if (addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(addr)->sin_addr, ip, sizeof ip);
    } else if (addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(addr)->sin6_addr, ip, sizeof ip);
    }
    l->on_accept_(fd, ip);
  }
  static void Read(bufferevent*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (!c->closing_) c->handler_->OnInput(c);
  }
  static void Write(bufferevent*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (c->closing_) return c->FinishClose();
    c->handler_->OnDrained(c);
  }
  static void Event(bufferevent* bev, short what, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (what & BEV_EVENT_CONNECTED) return;
    if ((what & BEV_EVENT_ERROR) && c->tls_) c->tls_error_ = TlsErrorOf(bev);
    if ((what & BEV_EVENT_TIMEOUT) && !(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) && !c->closing_) {
      c->handler_->OnEvent(c, Connection::Event::kTimeout);
      return;
    }
    c->Free();
    c->handler_->OnEvent(c, Connection::Event::kClosed);
  }
};

// ---- EventLoop

Result<std::unique_ptr<EventLoop>> EventLoop::Create() {
  static const int threads_ok = evthread_use_pthreads();
  if (threads_ok != 0) return Status::IOError("libevent without pthreads support");
  std::unique_ptr<EventLoop> loop(new EventLoop());
  loop->base_ = event_base_new();
  if (loop->base_ == nullptr) return Status::IOError("event_base_new failed");
  loop->wakeup_ = event_new(Base(loop->base_), -1, EV_PERSIST, NetCallbacks::Wakeup, loop.get());
  return loop;
}

EventLoop::~EventLoop() {
  for (void* ev : signal_events_) event_free(static_cast<event*>(ev));
  if (wakeup_) event_free(static_cast<event*>(wakeup_));
  if (base_) event_base_free(Base(base_));
}

void EventLoop::Run() { event_base_loop(Base(base_), EVLOOP_NO_EXIT_ON_EMPTY); }

void EventLoop::Stop() { event_base_loopbreak(Base(base_)); }

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    posted_.push_back(std::move(fn));
  }
  event_active(static_cast<event*>(wakeup_), EV_READ, 0);
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void EventLoop::OnSignal(int sig, std::function<void()> fn) {
  signal_fns_.push_back(std::make_unique<std::function<void()>>(std::move(fn)));
  event* ev = evsignal_new(Base(base_), sig, NetCallbacks::Signal, signal_fns_.back().get());
  event_add(ev, nullptr);
  signal_events_.push_back(ev);
}

std::unique_ptr<EventLoop::Timer> EventLoop::After(std::chrono::milliseconds delay,
                                                   std::function<void()> fn) {
  return std::make_unique<Timer>(base_, delay, std::move(fn));
}

EventLoop::Timer::Timer(void* base, std::chrono::milliseconds delay, std::function<void()> fn)
    : fn_(std::move(fn)) {
  ev_ = evtimer_new(Base(base), NetCallbacks::Timer, this);
  timeval tv{static_cast<time_t>(delay.count() / 1000),
             static_cast<suseconds_t>((delay.count() % 1000) * 1000)};
  evtimer_add(static_cast<event*>(ev_), &tv);
}

EventLoop::Timer::~Timer() { event_free(static_cast<event*>(ev_)); }

// ---- Listener

uint16_t internal::LocalPort(int fd) {
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return 0;
  if (bound.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (bound.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return 0;
}

Result<std::unique_ptr<Listener>> Listener::Tcp(EventLoop* loop, const std::string& host,
                                                uint16_t port, AcceptFn on_accept) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return Status::InvalidArgument("not an IP address: " + host);
  }
  std::unique_ptr<Listener> l(new Listener());
  l->on_accept_ = std::move(on_accept);
  l->evl_ = evconnlistener_new_bind(
      Base(loop->base()), NetCallbacks::Accept, l.get(),
      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
      reinterpret_cast<sockaddr*>(&ss), static_cast<int>(len));
  if (l->evl_ == nullptr) {
    return fs::ErrnoStatus("listen on", host + ":" + std::to_string(port), errno);
  }
  l->port_ = internal::LocalPort(evconnlistener_get_fd(static_cast<evconnlistener*>(l->evl_)));
  return l;
}

Result<std::unique_ptr<Listener>> Listener::Unix(EventLoop* loop, const std::string& path,
                                                 AcceptFn on_accept) {
  sockaddr_un sun{};
  if (path.size() >= sizeof sun.sun_path) return Status::TooBig("socket path too long: " + path);
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  std::unique_ptr<Listener> l(new Listener());
  l->on_accept_ = std::move(on_accept);
  l->evl_ = evconnlistener_new_bind(Base(loop->base()), NetCallbacks::Accept, l.get(),
                                    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 1024,
                                    reinterpret_cast<sockaddr*>(&sun), sizeof sun);
  if (l->evl_ == nullptr) return fs::ErrnoStatus("listen on", path, errno);
  return l;
}

Listener::~Listener() {
  if (evl_) evconnlistener_free(static_cast<evconnlistener*>(evl_));
}

// ---- Connection

std::unique_ptr<Connection> Connection::Adopt(EventLoop* loop, int fd, std::string peer_ip,
                                              const TlsContext* tls, Handler* handler) {
  std::unique_ptr<Connection> c(new Connection(loop, std::move(peer_ip), handler));
  evutil_make_socket_nonblocking(fd);
  // Responses go out whole, one write per burst; Nagle would hold a reply's
  // tail back until the client's delayed ACK (40 ms a round trip). Fails
  // harmlessly (ignored) on Unix sockets.
  int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bufferevent* bev;
  if (tls != nullptr) {
    bev = bufferevent_openssl_socket_new(Base(loop->base()), fd,
                                         static_cast<SSL*>(tls->NewSession()),
                                         BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    c->tls_ = true;
  } else {
    bev = bufferevent_socket_new(Base(loop->base()), fd, BEV_OPT_CLOSE_ON_FREE);
  }
  SM_CHECK(bev != nullptr);
  c->Attach(bev);
  return c;
}

void Connection::Attach(void* bev) {
  bev_ = bev;
  bufferevent_setcb(Bev(bev_), NetCallbacks::Read, NetCallbacks::Write, NetCallbacks::Event, this);
  bufferevent_enable(Bev(bev_), EV_READ | EV_WRITE);
  SetReadTimeout(read_timeout_);
}

Connection::~Connection() { Free(); }

void Connection::Free() {
  closed_ = true;
  close_timer_.reset();
  if (bev_ != nullptr) {
    bufferevent_free(Bev(bev_));  // frees underlying_ too (BEV_OPT_CLOSE_ON_FREE)
    bev_ = nullptr;
    underlying_ = nullptr;
  }
}

// Closes once every byte is on the wire. A TLS filter reports "drained"
// when its bytes reach the socket buffer beneath it, which may still hold
// them, so that one is polled briefly (bounded: kClosePolls).
void Connection::FinishClose() {
  constexpr int kClosePolls = 500;  // x 10 ms
  if (closed_) return;
  if (PendingOutput() > 0 && close_polls_++ < kClosePolls) {
    close_timer_ = loop_->After(std::chrono::milliseconds(10), [this] { FinishClose(); });
    return;
  }
  Free();
  handler_->OnEvent(this, Event::kClosed);
}

void Connection::TakeInput(std::string* out) {
  if (bev_ == nullptr) return;
  evbuffer* in = bufferevent_get_input(Bev(bev_));
  size_t n = evbuffer_get_length(in);
  size_t old = out->size();
  out->resize(old + n);
  evbuffer_remove(in, out->data() + old, n);
  bytes_in_ += n;
  if (in_counter_ != nullptr) in_counter_->Inc(n);
  InflateHeldBack();
}

// The compression filter stops inflating once kInflatedInputBuffered bytes
// wait above it; the rest stays compressed in the layer below. libevent 2.1
// offers that rest to the filter again only when more bytes arrive, which
// may be never (the client sent its whole APPEND and waits for the answer).
// So whenever room is made above, have the filter look again on the next
// loop turn; it stops by itself once the layer below is empty.
void Connection::InflateHeldBack() {
  if (!compressed_ || bev_ == nullptr || closing_) return;
  if (evbuffer_get_length(bufferevent_get_input(Bev(underlying_))) == 0) return;
  bufferevent_trigger(Bev(underlying_), EV_READ,
                      BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

void Connection::Write(std::string_view data) {
  if (bev_ == nullptr || closing_) return;
  bufferevent_write(Bev(bev_), data.data(), data.size());
  bytes_out_ += data.size();
  if (out_counter_ != nullptr) out_counter_->Inc(data.size());
}

size_t Connection::PendingOutput() const {
  size_t n = 0;
  // Every layer: (compression ->) (TLS ->) socket.
  for (bufferevent* b = Bev(bev_); b != nullptr; b = bufferevent_get_underlying(b)) {
    n += evbuffer_get_length(bufferevent_get_output(b));
  }
  return n;
}

Status Connection::StartTls(const TlsContext* tls) {
  if (bev_ == nullptr) return Status::IOError("connection closed");
  if (tls_) return Status::InvalidArgument("TLS already active");
  evbuffer* in = bufferevent_get_input(Bev(bev_));
  evbuffer_drain(in, evbuffer_get_length(in));
  bufferevent* filter = bufferevent_openssl_filter_new(
      Base(loop_->base()), Bev(bev_), static_cast<SSL*>(tls->NewSession()),
      BUFFEREVENT_SSL_ACCEPTING, kFilterOptions);
  if (filter == nullptr) return Status::IOError("cannot start TLS");
  bufferevent_openssl_set_allow_dirty_shutdown(filter, 1);
  tls_ = true;
  underlying_ = bev_;
  Attach(filter);
  return Status::Ok();
}

Status Connection::StartCompression(std::string_view already_read) {
  if (bev_ == nullptr) return Status::IOError("connection closed");
  if (compressed_) return Status::InvalidArgument("compression already active");
  auto layer = std::make_unique<CompressionLayer>();
  ASSIGN_OR_RETURN(layer->out, Deflater::Create());
  ASSIGN_OR_RETURN(layer->in, Inflater::Create());
  evbuffer* in = bufferevent_get_input(Bev(bev_));
  if (!already_read.empty()) evbuffer_prepend(in, already_read.data(), already_read.size());
  bufferevent_enable(Bev(bev_), EV_READ | EV_WRITE);
  bufferevent* filter =
      bufferevent_filter_new(Bev(bev_), InflateFilter, DeflateFilter, kFilterOptions,
                             FreeCompressionLayer, layer.get());
  if (filter == nullptr) return Status::IOError("cannot start compression");
  layer->filter = filter;
  layer.release();  // owned by the filter now
  bufferevent_setwatermark(filter, EV_READ, 0, limits::kInflatedInputBuffered);
  compressed_ = true;
  underlying_ = bev_;
  Attach(filter);
  // Compressed bytes that arrived with the command are not announced again
  // by the socket either.
  InflateHeldBack();
  return Status::Ok();
}

void Connection::SetReadTimeout(std::chrono::seconds timeout) {
  read_timeout_ = timeout;
  if (bev_ == nullptr) return;
  if (timeout.count() == 0) {
    bufferevent_set_timeouts(Bev(bev_), nullptr, nullptr);
  } else {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    bufferevent_set_timeouts(Bev(bev_), &tv, nullptr);
  }
}

void Connection::PauseReading() {
  if (bev_) bufferevent_disable(Bev(bev_), EV_READ);
}

void Connection::ResumeReading() {
  if (bev_ && !closing_) bufferevent_enable(Bev(bev_), EV_READ);
  InflateHeldBack();
}

void Connection::CloseAfterFlush() {
  if (bev_ == nullptr || closing_) return;
  closing_ = true;
  bufferevent_disable(Bev(bev_), EV_READ);
  bufferevent_set_timeouts(Bev(bev_), nullptr, nullptr);
  // Close on a later loop turn, never inside the caller.
  if (PendingOutput() == 0 || underlying_ != nullptr) loop_->Post([this] { FinishClose(); });
}

}  // namespace slotmail::net
