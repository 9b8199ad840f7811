#include "slotd/run.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "common/fs.h"
#include "common/log.h"
#include "common/metrics_endpoint.h"
#include "imapd/server.h"
#include "lmtpd/server.h"
#include "pop3d/server.h"
#include "replication/tcp_channel.h"
#include "slotd/config.h"
#include "slotd/replication_service.h"
#include "slotd/service.h"
#include "slotd/slot_metrics.h"
#include "common/limits.h"
#include "slots/control_server.h"
#include "store/paths.h"

namespace slotmail::slotd {
namespace {

// Thousands of idle clients need thousands of descriptors: take what the
// hard limit allows.
void RaiseFileLimit() {
  struct rlimit fds;
  if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = fds.rlim_max;
    setrlimit(RLIMIT_NOFILE, &fds);
  }
}

// The role to start in, made durable before anything is served.
Result<slots::RoleRecord> SettleRole(const SlotdConfig& config) {
  ASSIGN_OR_RETURN(auto seen, slots::ReadRoleFile(config.server.slot_dir));
  slots::RoleRecord role = slots::StartingRole(config.identity.wanted, seen);
  if (role.role == slots::Role::kFenced) {
    log::Warning("slot " + config.identity.slot + " is fenced: production.dat names it master of " +
                 role.store + " at epoch " + std::to_string(config.identity.wanted.epoch) +
                 ", but it has seen epoch " + std::to_string(role.epoch));
  }
  if (!seen || seen->epoch != role.epoch || seen->role != role.role || seen->store != role.store ||
      seen->master_epoch != role.master_epoch) {
    RETURN_IF_ERROR(slots::WriteRoleFile(config.server.slot_dir, role));
  }
  return role;
}

std::string HostOf(const std::string& hostport) { return hostport.substr(0, hostport.rfind(':')); }

}  // namespace

Status RunSlot(const ConfigFile& file) {
  ASSIGN_OR_RETURN(SlotdConfig config, SlotdConfigFrom(file));
  if (config.log_to_syslog) log::SetTarget(log::Target::kSyslog);
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();
  RETURN_IF_ERROR(fs::MakeDirs(config.server.slot_dir));
  auto lock = fs::LockFile(store::SlotPaths(config.server.slot_dir).LockPath());
  if (!lock.ok() && lock.status().code() == Code::kInUse) {
    return Status::InUse(config.server.slot_dir + " is already served by another process");
  }
  if (!lock.ok()) return lock.status();
  ASSIGN_OR_RETURN(slots::RoleRecord role, SettleRole(config));

  ServingGate gate;
  config.server.gate = &gate;
  SyncBarrier barrier(config.identity.sync_mode, config.identity.degrade_when_replica_down);
  config.server.new_mail = &barrier;
  ASSIGN_OR_RETURN(auto server, imapd::Server::Create(config.server));
  RETURN_IF_ERROR(server->Listen());
  // LMTP and the control channel share the IMAP server's loop, store and
  // pool; they are destroyed first (below), while all three still exist.
  // Their worker tasks do not touch them: they finish when the IMAP server
  // drains the pool.
  lmtpd::ServerOptions lmtp_options;
  lmtp_options.listen = config.server.lmtp_listen;
  lmtp_options.socket = config.server.lmtp_socket;
  lmtp_options.hostname = config.server.hostname;
  lmtp_options.max_message_bytes = config.server.store_options.max_message_bytes;
  lmtp_options.over_quota_permanent = config.server.lmtp_over_quota_permanent;
  lmtp_options.timeout = config.server.lmtp_timeout;
  lmtp_options.gate = &gate;
  lmtp_options.new_mail = &barrier;
  auto lmtp = std::make_unique<lmtpd::Server>(lmtp_options, server->loop(), &server->store(),
                                              &server->pool());
  RETURN_IF_ERROR(lmtp->Listen());
  // POP3 too (doc/pop3.md); the same lifetime as LMTP.
  auto pop3 = std::make_unique<pop3d::Server>(
      pop3d::ServerOptions{.listen = config.pop3_listen, .tls_listen = config.pop3s_listen},
      server.get());
  RETURN_IF_ERROR(pop3->Listen());

  auto service = std::make_unique<SlotService>(config, role, &gate, &barrier, server.get(),
                                               lmtp.get());
  service->ApplyRole();
  slots::ControlOptions control_options;
  control_options.unix_path = config.control_socket;
  control_options.tcp_listen = config.control_listen;
  if (!config.control_listen.empty() || !config.replication_listen.empty()) {
    ASSIGN_OR_RETURN(control_options.tls,
                     TlsContext::LoadServerMutual(config.server.tls_cert, config.server.tls_key,
                                                  config.cluster_ca));
  }
  auto control = std::make_unique<slots::ControlServer>(control_options, server->loop(),
                                                        service.get());
  RETURN_IF_ERROR(control->Listen());
  service->set_control(control.get());

  // The replication channel: the same framing as control, its own hello,
  // lines big enough for a message (doc/replication.md).
  ReplicationService replication_service(service.get(), server.get());
  std::unique_ptr<slots::ControlServer> replication;
  if (!config.replication_listen.empty()) {
    slots::ControlOptions options;
    options.protocol = "slotmail-replication";
    options.log_name = "replication";
    options.version = replication::kReplicationVersion;
    options.max_line_bytes = limits::kMaxReplicationLineBytes;
    options.max_attach_bytes = limits::kMaxReplicationAttachBytes;
    options.allow_compression = true;
    options.tcp_listen = config.replication_listen;
    options.tls = control_options.tls;
    replication = std::make_unique<slots::ControlServer>(options, server->loop(),
                                                         &replication_service);
    RETURN_IF_ERROR(replication->Listen());
  }

  std::unique_ptr<net::MetricsEndpoint> metrics;
  if (!config.metrics_listen.empty()) {
    std::string host;
    uint16_t port = 0;
    RETURN_IF_ERROR(SplitHostPort(config.metrics_listen, &host, &port));
    imapd::Server* imap = server.get();
    const SlotService* svc = service.get();
    ASSIGN_OR_RETURN(metrics, net::MetricsEndpoint::Listen(server->loop(), host, port, [imap, svc] {
                       return RenderSlotMetrics(imap, svc);
                     }));
  }

  if (!config.identity.slot.empty()) {
    std::printf("slot %s\n", config.identity.slot.c_str());
    std::printf("role %s store %s epoch %llu\n", slots::RoleName(role.role),
                role.store.empty() ? "-" : role.store.c_str(),
                static_cast<unsigned long long>(role.epoch));
  }
  if (server->imap_port()) {
    std::printf("imap %s:%u\n", HostOf(config.server.imap_listen).c_str(), server->imap_port());
  }
  if (server->imaps_port()) {
    std::printf("imaps %s:%u\n", HostOf(config.server.imaps_listen).c_str(), server->imaps_port());
  }
  if (lmtp->tcp_port()) {
    std::printf("lmtp %s:%u\n", HostOf(config.server.lmtp_listen).c_str(), lmtp->tcp_port());
  }
  if (pop3->port()) {
    std::printf("pop3 %s:%u\n", HostOf(config.pop3_listen).c_str(), pop3->port());
  }
  if (pop3->tls_port()) {
    std::printf("pop3s %s:%u\n", HostOf(config.pop3s_listen).c_str(), pop3->tls_port());
  }
  if (control->tcp_port()) {
    std::printf("control %s:%u\n", HostOf(config.control_listen).c_str(), control->tcp_port());
  }
  if (replication && replication->tcp_port()) {
    std::printf("replication %s:%u\n", HostOf(config.replication_listen).c_str(),
                replication->tcp_port());
  }
  if (metrics) {
    std::printf("metrics %s:%u\n", HostOf(config.metrics_listen).c_str(), metrics->port());
  }
  std::printf("ready\n");
  std::fflush(stdout);
  imapd::Server* raw = server.get();
  server->loop()->OnSignal(SIGTERM, [raw] { raw->Stop(); });
  server->loop()->OnSignal(SIGINT, [raw] { raw->Stop(); });
  server->Run();
  // A repeated SIGTERM while shutting down must not cut the shutdown short.
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  service->Shutdown();  // the replicator thread, before the store goes
  metrics.reset();
  replication.reset();
  control.reset();
  pop3.reset();
  lmtp.reset();
  std::printf("stopped\n");
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace slotmail::slotd
