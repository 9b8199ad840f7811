// slotd: serves one slot: IMAP, LMTP delivery and the control channel.
//   slotd --cluster FILE --slot MACHINE:N [--local FILE]   (a cluster slot)
//   slotd --config FILE [--set key=value ...]              (one slot, by hand)
//   slotd --version
#include <cstdio>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/log.h"
#include "common/version.h"
#include "imapd/server_config.h"
#include "slotd/run.h"
#include "slots/production.h"
#include "slots/slot_settings.h"

using namespace slotmail;

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: slotd --cluster FILE --slot MACHINE:N [--local FILE] [--set KEY=VALUE]...\n"
               "       slotd --config FILE [--set KEY=VALUE]...\n"
               "       slotd --version\n"
               "Serves one slot: IMAP (plain with STARTTLS, and implicit TLS), LMTP\n"
               "delivery and the control channel (doc/control.md).\n"
               "With --cluster, everything comes from production.dat plus the\n"
               "machine-local file (default /etc/slotmail/local.conf; see\n"
               "doc/production-dat.md); 'mailctl config SLOT' prints the result.\n"
               "On start it prints one line per listener, e.g. 'imap 127.0.0.1:1143',\n"
               "then 'ready'. SIGTERM or SIGINT stops it cleanly.\n\n"
               "Keys of a --config file:\n%s"
               "  control_socket = PATH     the control channel's Unix socket     []\n"
               "  control_listen = HOST:PORT  control over TCP with mutual TLS     []\n"
               "  cluster_ca = PATH         CA that control peers' certificates chain to []\n"
               "  metrics_listen = HOST:PORT  Prometheus GET /metrics (doc/metrics.md) []\n"
               "  log_target = stderr       where log lines go: stderr or syslog (LOG_MAIL;\n"
               "                            doc/logging.md)\n",
               imapd::ConfigHelp());
}

int Fail(const Status& st) {
  std::fprintf(stderr, "slotd: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  log::SetProgram("slotd");
  std::string config_path, cluster_path, slot, local_path = "/etc/slotmail/local.conf";
  std::vector<std::string> overrides;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("%s\n", VersionLine("slotd").c_str());
      return 0;
    }
    if (i + 1 >= argc) {
      Usage(stderr);
      return 2;
    }
    if (a == "--config") {
      config_path = argv[++i];
    } else if (a == "--cluster") {
      cluster_path = argv[++i];
    } else if (a == "--slot") {
      slot = argv[++i];
    } else if (a == "--local") {
      local_path = argv[++i];
    } else if (a == "--set") {
      overrides.push_back(argv[++i]);
    } else {
      Usage(stderr);
      return 2;
    }
  }
  if (config_path.empty() == cluster_path.empty() || cluster_path.empty() != slot.empty()) {
    Usage(stderr);
    return 2;
  }
  ConfigFile file;
  if (!config_path.empty()) {
    auto loaded = ConfigFile::Load(config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    file = std::move(*loaded);
  } else {
    auto prod = slots::LoadValidProduction(cluster_path);
    if (!prod.ok()) return Fail(prod.status());
    auto local = slots::LoadLocalSettings(local_path);
    if (!local.ok()) return Fail(local.status());
    auto derived = slots::DeriveSlotConfig(*prod, slot, *local);
    if (!derived.ok()) return Fail(derived.status());
    file = std::move(*derived);
  }
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) return Fail(Status::InvalidArgument("--set needs KEY=VALUE"));
    file.Set(o.substr(0, eq), o.substr(eq + 1));
  }
  Status st = slotd::RunSlot(file);
  return st.ok() ? 0 : Fail(st);
}
