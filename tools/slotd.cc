// slotd: serves one slot: IMAP and LMTP delivery (replication later).
//   slotd --config FILE [--set key=value ...]
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "common/config.h"
#include "imapd/server.h"
#include "imapd/server_config.h"
#include "lmtpd/server.h"

using namespace slotmail;

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: slotd --config FILE [--set KEY=VALUE]...\n"
               "Serves one slot: IMAP (plain with STARTTLS, and implicit TLS) and\n"
               "LMTP delivery (TCP and/or a Unix socket).\n"
               "On start it prints one line per listener, e.g. 'imap 127.0.0.1:1143',\n"
               "then 'ready'. SIGTERM or SIGINT stops it cleanly.\n\n%s",
               imapd::ConfigHelp());
}

int Fail(const Status& st) {
  std::fprintf(stderr, "slotd: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::vector<std::string> overrides;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      return 0;
    }
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a == "--set" && i + 1 < argc) {
      overrides.push_back(argv[++i]);
    } else {
      Usage(stderr);
      return 2;
    }
  }
  if (config_path.empty()) {
    Usage(stderr);
    return 2;
  }
  auto file = ConfigFile::Load(config_path);
  if (!file.ok()) return Fail(file.status());
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) return Fail(Status::InvalidArgument("--set needs KEY=VALUE"));
    file->Set(o.substr(0, eq), o.substr(eq + 1));
  }
  auto config = imapd::ServerConfigFrom(*file);
  if (!config.ok()) return Fail(config.status());
  std::signal(SIGPIPE, SIG_IGN);
  // Thousands of idle clients need thousands of descriptors: take what the
  // hard limit allows.
  struct rlimit fds;
  if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = fds.rlim_max;
    setrlimit(RLIMIT_NOFILE, &fds);
  }
  auto server = imapd::Server::Create(*config);
  if (!server.ok()) return Fail(server.status());
  Status st = (*server)->Listen();
  if (!st.ok()) return Fail(st);
  // LMTP shares the IMAP server's loop, store and pool; it is destroyed
  // first (below), while all three still exist. Its worker tasks do not
  // touch it: they finish when the IMAP server drains the pool.
  lmtpd::ServerOptions lmtp_options;
  lmtp_options.listen = config->lmtp_listen;
  lmtp_options.socket = config->lmtp_socket;
  lmtp_options.hostname = config->hostname;
  lmtp_options.max_message_bytes = config->store_options.max_message_bytes;
  lmtp_options.over_quota_permanent = config->lmtp_over_quota_permanent;
  auto lmtp = std::make_unique<lmtpd::Server>(lmtp_options, (*server)->loop(),
                                              &(*server)->store(), &(*server)->pool());
  st = lmtp->Listen();
  if (!st.ok()) return Fail(st);
  auto host_of = [](const std::string& hp) { return hp.substr(0, hp.rfind(':')); };
  if ((*server)->imap_port()) {
    std::printf("imap %s:%u\n", host_of(config->imap_listen).c_str(), (*server)->imap_port());
  }
  if ((*server)->imaps_port()) {
    std::printf("imaps %s:%u\n", host_of(config->imaps_listen).c_str(), (*server)->imaps_port());
  }
  if (lmtp->tcp_port()) {
    std::printf("lmtp %s:%u\n", host_of(config->lmtp_listen).c_str(), lmtp->tcp_port());
  }
  std::printf("ready\n");
  std::fflush(stdout);
  imapd::Server* raw = server->get();
  (*server)->loop()->OnSignal(SIGTERM, [raw] { raw->Stop(); });
  (*server)->loop()->OnSignal(SIGINT, [raw] { raw->Stop(); });
  (*server)->Run();
  lmtp.reset();
  std::printf("stopped\n");
  return 0;
}
