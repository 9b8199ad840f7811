// The IMAP server of one slot: listeners, sessions, the store, the worker
// pool, and the hub that tells sessions their selected mailbox changed.
// Everything here runs on the loop thread unless said otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "common/limits.h"
#include "common/net.h"
#include "common/new_mail_barrier.h"
#include "common/serving_gate.h"
#include "common/tls.h"
#include "common/worker_pool.h"
#include "imapd/login_checks.h"
#include "imapd/login_throttle.h"
#include "imapd/mime_cache.h"
#include "imapd/recent_claims.h"
#include "store/store.h"

namespace slotmail::imapd {

class Session;

struct ServerConfig {
  std::string slot_dir;
  std::string imap_listen;   // "host:port"; empty: no plain IMAP listener
  std::string imaps_listen;  // implicit TLS; empty: none
  std::string tls_cert;      // PEM; empty: no STARTTLS and no imaps
  std::string tls_key;
  std::string lmtp_listen;  // LMTP over TCP "host:port"; empty: none
  std::string lmtp_socket;  // LMTP on a Unix socket path; empty: none
  bool lmtp_over_quota_permanent = false;  // LMTP over quota: 552 5.2.2, not 452 4.2.2
  // An LMTP session that completes no line for this long is closed.
  std::chrono::seconds lmtp_timeout = limits::kLmtpIdleTimeout;
  // Where LOGIN and AUTHENTICATE PLAIN work without TLS.
  enum class PlaintextAuth { kNever, kLoopback, kAlways };
  PlaintextAuth plaintext_auth = PlaintextAuth::kLoopback;
  size_t workers = 16;
  // Threads for password checks (LoginChecks); 0: LoginChecks::DefaultThreads.
  size_t login_workers = 0;
  size_t max_sessions_per_user = limits::kMaxSessionsPerUser;
  // Connections from one IP in all; 0: DefaultConnectionsPerIp of the
  // descriptor limit when the server is created.
  size_t max_connections_per_ip = 0;
  // Connections from one IP not logged in yet.
  size_t max_login_connections_per_ip = limits::kMaxLoginConnectionsPerIp;
  // A connection not logged in this long after it was accepted is closed.
  std::chrono::seconds login_timeout = limits::kImapLoginTimeout;
  std::string hostname = "localhost";
  // RFC 5464 /shared/admin of the server (a URI, e.g. mailto:...); empty: none.
  std::string admin_address;
  store::StoreOptions store_options;
  // Not owned; must outlive the server. While it is closed, LOGIN and
  // AUTHENTICATE get NO [UNAVAILABLE] and logged-in sessions BYE
  // [UNAVAILABLE] (a replica or fenced slot). nullptr: always serving.
  const ServingGate* gate = nullptr;
  // Not owned; outlives the server. Sync replication: APPEND, COPY and MOVE
  // are admitted by it and answered only once it confirms. nullptr: none.
  NewMailBarrier* new_mail = nullptr;
};

// The default per-IP connection limit for a process that may open
// `descriptors` files: kMaxConnectionsPerIp, but never so many that fewer
// than kMinAddressesToFillDescriptors addresses could hold them all.
size_t DefaultConnectionsPerIp(uint64_t descriptors);

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(const ServerConfig& config);
  ~Server();

  // Binds the listeners. Then Run() serves until Stop() (any thread).
  Status Listen();
  void Run();
  void Stop();
  uint16_t imap_port() const;
  uint16_t imaps_port() const;

  net::EventLoop* loop() { return loop_.get(); }
  store::Store& store() { return *store_; }
  WorkerPool& pool() { return *pool_; }
  const TlsContext* tls() const { return tls_.get(); }
  const ServerConfig& config() const { return config_; }
  MimeCache& mime_cache() { return *mime_cache_; }
  LoginThrottle& login_throttle() { return login_throttle_; }
  LoginChecks& login_checks() { return *login_checks_; }
  RecentClaims& recent_claims() { return recent_claims_; }

  // Sessions with `mailbox` of `user` selected hear about its changes.
  void Watch(Session* s, const std::string& user, const std::string& mailbox);
  void Unwatch(Session* s);
  // Drops a closed session (deferred to a later loop turn).
  void Remove(Session* s);

  // Any thread. Every change the store reports gets the next number of
  // change_seq(), before the sessions watching it hear of it (in that order).
  uint64_t change_seq() const { return change_seq_.load(); }
  // Worker threads: forget the changes the previous job on this thread
  // made / whether the job running on this thread has changed `mailbox` of
  // `user` since BeginJob (so a command can refresh its own view in its own
  // job: Session::Async).
  static void BeginJob();
  static bool JobChanged(const std::string& user, const std::string& mailbox);

  // Counts a logged-in session of `user`; false (and not counted) if the
  // user already has the most sessions allowed. Released by Remove.
  bool AddUserSession(const std::string& user);
  // A session from `ip` has logged in: it no longer counts towards
  // max_login_connections_per_ip.
  void LeftLoginPhase(const std::string& ip);

  // Whether clients may log in and work; the refusal sentence when not.
  bool serving() const { return config_.gate == nullptr || config_.gate->open(); }
  std::string refusal() const { return config_.gate ? config_.gate->refusal() : ""; }
  // The gate's pass for a job (ServingGate::Pass); null without a gate.
  std::shared_ptr<void> Pass() const { return config_.gate ? config_.gate->Pass() : nullptr; }
  // Says BYE [UNAVAILABLE] to every logged-in session (after the gate closed).
  void DisconnectLoggedIn();
  // Says BYE to every session logged in as `user` (the account was deleted).
  void DisconnectUser(const std::string& user);
  size_t session_count() const { return sessions_.size(); }

 private:
  Server(ServerConfig config) : config_(std::move(config)) {}
  void Accept(int fd, const std::string& ip, bool implicit_tls);
  void Changed(const std::string& user, const std::string& mailbox, uint64_t seq);

  ServerConfig config_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<MimeCache> mime_cache_;
  std::unique_ptr<LoginChecks> login_checks_;
  LoginThrottle login_throttle_{limits::kMaxLoginThrottleEntries};
  RecentClaims recent_claims_{limits::kMaxRecentClaims};
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<net::Listener> imap_;
  std::unique_ptr<net::Listener> imaps_;
  std::map<Session*, std::shared_ptr<Session>> sessions_;
  std::unordered_map<std::string, size_t> per_ip_;
  std::unordered_map<std::string, size_t> login_per_ip_;  // not logged in yet
  std::multimap<std::string, Session*> watchers_;  // "user\0mailbox" -> session
  std::map<Session*, std::string> watching_;
  std::unordered_map<std::string, size_t> per_user_;
  std::atomic<uint64_t> change_seq_{0};
};

}  // namespace slotmail::imapd
