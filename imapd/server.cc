#include "imapd/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "common/config.h"
#include "common/limits.h"
#include "common/server_events.h"
#include "imapd/session.h"

namespace slotmail::imapd {
namespace {

// A job changes a handful of mailboxes; threads outside the worker pool
// (which never call BeginJob) keep only the last few.
constexpr size_t kMaxJobChanges = 16;

// "user\0mailbox" of each change the job running on this thread made.
thread_local std::vector<std::string> t_job_changes;

std::string WatchKey(const std::string& user, const std::string& mailbox) {
  return user + '\0' + mailbox;
}

void NoteJobChange(const std::string& user, const std::string& mailbox) {
  if (t_job_changes.size() >= kMaxJobChanges) t_job_changes.clear();
  t_job_changes.push_back(WatchKey(user, mailbox));
}

}  // namespace

void Server::BeginJob() { t_job_changes.clear(); }

bool Server::JobChanged(const std::string& user, const std::string& mailbox) {
  const std::string key = WatchKey(user, mailbox);
  return std::find(t_job_changes.begin(), t_job_changes.end(), key) != t_job_changes.end();
}

size_t DefaultConnectionsPerIp(uint64_t descriptors) {
  return std::max<size_t>(
      1, std::min<uint64_t>(limits::kMaxConnectionsPerIp,
                            descriptors / limits::kMinAddressesToFillDescriptors));
}

Result<std::unique_ptr<Server>> Server::Create(const ServerConfig& config) {
  std::unique_ptr<Server> s(new Server(config));
  if (s->config_.max_connections_per_ip == 0) {
    struct rlimit fds;
    const uint64_t n = getrlimit(RLIMIT_NOFILE, &fds) == 0 ? fds.rlim_cur : 1024;
    s->config_.max_connections_per_ip = DefaultConnectionsPerIp(n);
  }
  ASSIGN_OR_RETURN(s->loop_, net::EventLoop::Create());
  ASSIGN_OR_RETURN(s->store_, store::Store::Open(config.slot_dir, config.store_options));
  s->pool_ = std::make_unique<WorkerPool>(config.workers);
  s->login_checks_ = std::make_unique<LoginChecks>(
      config.login_workers != 0 ? config.login_workers
                                : LoginChecks::DefaultThreads(std::thread::hardware_concurrency()));
  s->mime_cache_ = std::make_unique<MimeCache>(limits::kMimeCacheBytes);
  if (!config.tls_cert.empty()) {
    ASSIGN_OR_RETURN(s->tls_, TlsContext::LoadServer(config.tls_cert, config.tls_key));
  }
  Server* raw = s.get();
  s->store_->SetObserver([raw](const std::string& user, const std::string& mailbox) {
    // Runs on the thread that made the change, after it committed.
    const uint64_t seq = ++raw->change_seq_;
    NoteJobChange(user, mailbox);
    raw->loop_->Post([raw, user, mailbox, seq] { raw->Changed(user, mailbox, seq); });
  });
  return s;
}

Server::~Server() {
  // Connections must go while the loop exists; then the pool drains (its
  // completions are posted to a loop that no longer runs), then the store.
  for (auto& [ptr, session] : sessions_) session->Shutdown("Server shutting down");
  sessions_.clear();
  imap_.reset();
  imaps_.reset();
  login_checks_.reset();
  pool_.reset();
  store_->SetObserver(nullptr);
}

Status Server::Listen() {
  std::string host;
  uint16_t port = 0;
  if (!config_.imap_listen.empty()) {
    RETURN_IF_ERROR(SplitHostPort(config_.imap_listen, &host, &port));
    ASSIGN_OR_RETURN(imap_, net::Listener::Tcp(loop_.get(), host, port,
                                               [this](int fd, std::string ip) {
                                                 Accept(fd, ip, /*implicit_tls=*/false);
                                               }));
  }
  if (!config_.imaps_listen.empty()) {
    if (!tls_) return Status::InvalidArgument("imaps_listen needs tls_cert and tls_key");
    RETURN_IF_ERROR(SplitHostPort(config_.imaps_listen, &host, &port));
    ASSIGN_OR_RETURN(imaps_, net::Listener::Tcp(loop_.get(), host, port,
                                                [this](int fd, std::string ip) {
                                                  Accept(fd, ip, /*implicit_tls=*/true);
                                                }));
  }
  return Status::Ok();
}

void Server::Run() { loop_->Run(); }
void Server::Stop() { loop_->Stop(); }

void Server::DisconnectUser(const std::string& user) {
  for (auto& [ptr, session] : sessions_) {
    if (session->state() != State::kNotAuthenticated && session->user() == user) {
      session->Shutdown("[UNAVAILABLE] This account was deleted");
    }
  }
}

void Server::DisconnectLoggedIn() {
  const std::string bye = "[UNAVAILABLE] " + refusal();
  for (auto& [ptr, session] : sessions_) {
    if (session->state() != State::kNotAuthenticated) session->Shutdown(bye);
  }
}
uint16_t Server::imap_port() const { return imap_ ? imap_->port() : 0; }
uint16_t Server::imaps_port() const { return imaps_ ? imaps_->port() : 0; }

void Server::Accept(int fd, const std::string& ip, bool implicit_tls) {
  // find, not []: a refused address leaves no entry behind.
  auto count = [&](const std::unordered_map<std::string, size_t>& m) {
    auto it = m.find(ip);
    return it == m.end() ? 0 : it->second;
  };
  if (count(per_ip_) >= config_.max_connections_per_ip ||
      count(login_per_ip_) >= config_.max_login_connections_per_ip) {
    // log + metrics: which of the two limits refused the connection.
    events::LimitHit(count(per_ip_) >= config_.max_connections_per_ip
                         ? "max_connections_per_ip"
                         : "max_login_connections_per_ip",
                     implicit_tls ? "imaps" : "imap", ip, "");
    static const char kBye[] = "* BYE Too many connections from your address\r\n";
    if (!implicit_tls) (void)!::write(fd, kBye, sizeof kBye - 1);
    ::close(fd);
    return;
  }
  ++per_ip_[ip];
  ++login_per_ip_[ip];
  auto session = std::make_shared<Session>(this, ip, implicit_tls);
  sessions_[session.get()] = session;
  session->Start(fd);
}

void Server::Remove(Session* s) {
  loop_->Post([this, s] {
    auto it = sessions_.find(s);
    if (it == sessions_.end()) return;
    if (--per_ip_[s->peer_ip()] == 0) per_ip_.erase(s->peer_ip());
    if (s->user().empty()) LeftLoginPhase(s->peer_ip());
    if (!s->user().empty() && --per_user_[s->user()] == 0) per_user_.erase(s->user());
    sessions_.erase(it);
  });
}

void Server::Watch(Session* s, const std::string& user, const std::string& mailbox) {
  Unwatch(s);
  std::string key = WatchKey(user, mailbox);
  watchers_.emplace(key, s);
  watching_[s] = key;
}

void Server::Unwatch(Session* s) {
  auto it = watching_.find(s);
  if (it == watching_.end()) return;
  auto range = watchers_.equal_range(it->second);
  for (auto w = range.first; w != range.second; ++w) {
    if (w->second == s) {
      watchers_.erase(w);
      break;
    }
  }
  watching_.erase(it);
}

void Server::Changed(const std::string& user, const std::string& mailbox, uint64_t seq) {
  auto range = watchers_.equal_range(WatchKey(user, mailbox));
  std::vector<Session*> targets;
  for (auto w = range.first; w != range.second; ++w) targets.push_back(w->second);
  for (Session* s : targets) s->MailboxChanged(seq);
}

void Server::LeftLoginPhase(const std::string& ip) {
  if (--login_per_ip_[ip] == 0) login_per_ip_.erase(ip);
}

bool Server::AddUserSession(const std::string& user) {
  size_t& n = per_user_[user];
  if (n >= config_.max_sessions_per_user) return false;
  ++n;
  return true;
}

}  // namespace slotmail::imapd
