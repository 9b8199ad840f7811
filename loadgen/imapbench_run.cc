#include <csignal>
#include <cstdio>
#include <memory>

#include "loadgen/client.h"
#include "loadgen/imapbench.h"
#include "loadgen/preload.h"

namespace slotmail::loadgen {
namespace {

// How long clients get after the deadline to finish and log out.
constexpr std::chrono::seconds kStopGrace{30};

std::vector<std::string> UserNames(const BenchOptions& o) {
  std::vector<std::string> names;
  for (int i = 1; i <= o.users; ++i) names.push_back(o.user_prefix + std::to_string(i));
  return names;
}

int RunPreload(net::EventLoop* loop, const BenchOptions& o, const Corpus& corpus) {
  PreloadSpec spec{o.host, o.port, o.password, &corpus, UserNames(o), size_t(o.preload),
                   o.clients};
  PreloadResult r = Preload(loop, spec);
  printf("preload: %d users to %ld messages: %llu appended in %.1f s (%.1f appends/s), "
         "%llu errors\n",
         o.users, o.preload, (unsigned long long)r.appended, r.seconds,
         r.seconds > 0 ? r.appended / r.seconds : 0.0, (unsigned long long)r.errors);
  return r.errors == 0 ? 0 : 1;
}

int RunLoad(net::EventLoop* loop, const BenchOptions& o, const Corpus& corpus) {
  Run run;
  run.loop = loop;
  run.host = o.host;
  run.port = o.port;
  run.password = o.password;
  run.corpus = &corpus;
  run.weights = o.weights;
  std::vector<UserModel> users(size_t(o.users));
  std::vector<std::string> names = UserNames(o);
  for (size_t i = 0; i < users.size(); ++i) users[i].name = names[i];
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < o.clients; ++i) {
    UserModel* user = &users[size_t(i % o.users)];
    ++user->clients;
    clients.push_back(std::make_unique<Client>(&run, user, o.seed * 1000003 + uint64_t(i)));
  }
  int active = o.clients;
  run.on_client_done = [&] {
    if (--active == 0) ImapConn::StopLoopWhenAllGone(loop);
  };
  std::unique_ptr<net::EventLoop::Timer> grace;
  auto deadline = loop->After(std::chrono::milliseconds(long(o.duration * 1000)), [&] {
    run.counting = false;
    run.stopping = true;
    grace = loop->After(kStopGrace, [&] {
      fprintf(stderr, "imapbench: %d clients still busy %lld s after the deadline\n", active,
              (long long)kStopGrace.count());
      loop->Stop();
    });
  });
  loop->Post([&] {
    for (auto& c : clients) c->Start();
  });
  loop->Run();
  printf("imapbench: %s:%u clients %d users %d duration %.1f s seed %llu\n", o.host.c_str(),
         unsigned(o.port), o.clients, o.users, o.duration, (unsigned long long)o.seed);
  printf("weights: %s\n", o.weights.ToString().c_str());
  std::vector<std::string> op_names = OpNames();
  PrintReport(op_names, &run.stats, o.duration, stdout);
  for (const OpStats& s : run.stats) {
    if (s.errors() > 0) return 1;
  }
  return active == 0 ? 0 : 1;
}

}  // namespace

int RunImapbench(const BenchOptions& o) {
  signal(SIGPIPE, SIG_IGN);
  Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create();
  if (!loop.ok()) {
    fprintf(stderr, "imapbench: %s\n", loop.status().ToString().c_str());
    return 2;
  }
  Corpus corpus(o.seed, o.corpus);
  if (o.preload >= 0) return RunPreload(loop->get(), o, corpus);
  return RunLoad(loop->get(), o, corpus);
}

}  // namespace slotmail::loadgen
