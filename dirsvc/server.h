// The directory's two listeners on the event loop: nginx auth_http (HTTP,
// one request per connection) and Postfix socketmap (netstrings, many
// lookups per connection). Every answer comes from the snapshot installed
// last, in memory; nothing here waits for a slot. Failed logins (unknown or
// invalid users) are counted per user and per Client-IP; a throttled
// request's answer is held back as imapd holds a LOGIN's (LoginThrottle).
// Loop thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/net.h"
#include "dirsvc/snapshot.h"
#include "imapd/login_throttle.h"

namespace slotmail::dirsvc {

// An auth_http request must arrive whole within this: nginx sends it at once.
inline constexpr std::chrono::seconds kAuthReadTimeout{30};
// Postfix keeps a socketmap connection open between lookups and closes an
// idle one itself (max_idle, 100 s by default); this only reaps dead peers.
inline constexpr std::chrono::seconds kSocketmapIdleTimeout{300};
// Failure counts kept (least recently failed forgotten first).
inline constexpr size_t kThrottleEntries = 100000;

class Server {
 public:
  explicit Server(net::EventLoop* loop);
  ~Server();

  // Listens on "host:port" each (port 0: a free one).
  Status Listen(const std::string& http, const std::string& socketmap);
  uint16_t http_port() const { return http_ ? http_->port() : 0; }
  uint16_t socketmap_port() const { return socketmap_ ? socketmap_->port() : 0; }

  // Makes `snap` the one lookups read from now on.
  void Install(std::shared_ptr<const Snapshot> snap) { snap_ = std::move(snap); }
  const Snapshot* snapshot() const { return snap_.get(); }

 private:
  class Session;
  friend class Session;
  void Accept(int fd, std::string peer, bool http);
  void Remove(Session* s);
  // The HTTP reply to an auth_http request, and how long to hold it back.
  std::string Auth(const std::map<std::string, std::string>& headers, const std::string& peer,
                   std::chrono::milliseconds* delay);

  net::EventLoop* loop_;
  std::unique_ptr<net::Listener> http_, socketmap_;
  std::map<Session*, std::unique_ptr<Session>> sessions_;
  std::shared_ptr<const Snapshot> snap_;
  imapd::LoginThrottle throttle_;
};

}  // namespace slotmail::dirsvc
