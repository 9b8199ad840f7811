#include "dirsvc/slotdir.h"

#include <csignal>
#include <cstdio>

#include "common/log.h"
#include "common/net.h"
#include "common/version.h"
#include "dirsvc/poller.h"
#include "dirsvc/server.h"
#include "slots/slot_settings.h"

namespace slotmail::dirsvc {
namespace {

// Poll rounds: a role change is seen within one round plus a call's timeout,
// well inside the 2 s a failover may take to reach new lookups.
inline constexpr std::chrono::milliseconds kDefaultInterval{500};
// One control call; a stopped slot costs a round this much.
inline constexpr std::chrono::milliseconds kCallTimeout{400};

struct Options {
  std::string cluster = "/etc/slotmail/production.dat";
  std::string local = "/etc/slotmail/local.conf";
  std::string http = "127.0.0.1:9143";
  std::string socketmap = "127.0.0.1:9124";
  int interval_ms = static_cast<int>(kDefaultInterval.count());
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: slotdir [--cluster FILE] [--local FILE] [--http HOST:PORT]\n"
               "               [--socketmap HOST:PORT] [--interval-ms N] | --version\n"
               "Answers nginx auth_http (--http, default 127.0.0.1:9143) and Postfix\n"
               "socketmap lookups (--socketmap, default 127.0.0.1:9124) from a map of\n"
               "users to their store's master, built from the slots' control channels\n"
               "(doc/directory.md). Prints the ports, then \"ready\" once the first\n"
               "map is built.\n");
}

bool ParseOptions(const std::vector<std::string>& args, Options* o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i + 1 >= args.size()) return false;
    const std::string& v = args[++i];
    if (a == "--cluster") o->cluster = v;
    else if (a == "--local") o->local = v;
    else if (a == "--http") o->http = v;
    else if (a == "--socketmap") o->socketmap = v;
    else if (a == "--interval-ms") o->interval_ms = std::atoi(v.c_str());
    else return false;
  }
  return o->interval_ms > 0;
}

}  // namespace

int RunSlotdir(const std::vector<std::string>& args) {
  log::SetProgram("slotdir");
  if (args.size() == 1 && args[0] == "--version") {
    std::printf("%s\n", VersionLine("slotdir").c_str());
    return 0;
  }
  Options o;
  if (!ParseOptions(args, &o)) {
    Usage(stderr);
    return 2;
  }
  auto local = slots::LoadLocalSettings(o.local);
  if (!local.ok()) {
    std::fprintf(stderr, "slotdir: %s\n", local.status().message().c_str());
    return 1;
  }
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) {
    std::fprintf(stderr, "slotdir: %s\n", loop.status().message().c_str());
    return 1;
  }
  net::EventLoop* lp = loop->get();
  Server server(lp);
  if (Status s = server.Listen(o.http, o.socketmap); !s.ok()) {
    std::fprintf(stderr, "slotdir: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("http %u\nsocketmap %u\n", server.http_port(), server.socketmap_port());
  std::fflush(stdout);
  bool ready = false;  // loop thread
  Poller poller(o.cluster, std::move(*local), std::chrono::milliseconds(o.interval_ms),
                kCallTimeout, [&](std::shared_ptr<const Snapshot> snap) {
                  lp->Post([&, snap] {
                    server.Install(snap);
                    if (!ready) {
                      ready = true;
                      log::Info("directory: first map built: " +
                                std::to_string(snap->user_store.size()) + " users");
                      std::printf("ready\n");
                      std::fflush(stdout);
                    }
                  });
                });
  if (Status s = poller.Start(); !s.ok()) {
    std::fprintf(stderr, "slotdir: %s\n", s.message().c_str());
    return 1;
  }
  lp->OnSignal(SIGTERM, [lp] { lp->Stop(); });
  lp->OnSignal(SIGINT, [lp] { lp->Stop(); });
  std::signal(SIGPIPE, SIG_IGN);
  lp->Run();
  poller.Stop();  // before the loop goes: its last Post may still come
  return 0;
}

}  // namespace slotmail::dirsvc
