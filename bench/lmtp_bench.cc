// lmtp_bench: LMTP deliveries/s against one server (slotd or any other), for
// one message size and recipient count, over N concurrent connections for a
// fixed time. Every reply is checked (250 per recipient after DATA); errors
// are counted and the first few printed. Driven by bench/compare-lmtp.
//
// Output (one line, parsed by the driver):
//   lmtp_bench: size S recipients R connections C duration D s:
//   deliveries N (X/s) accepted A (Y rcpt/s) p50 P ms p99 Q ms errors E stored T
// where T counts every 250 after DATA, also for transactions that ended
// after the deadline (those are not in N or A), so the driver can check
// that the server holds exactly T more messages.
// Exit code: 0, 1 with errors, 2 on bad usage.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/corpus.h"
#include "loadgen/lmtp_client.h"
#include "loadgen/stats.h"

namespace slotmail::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 24;
  int connections = 16;
  double duration = 5;
  size_t size = 4096;
  int recipients = 1;
  int users = 100;
  std::string user_prefix = "bench";
  uint64_t seed = 1;
};

struct Shared {
  const Options* o;
  std::string body;   // the message without its Message-ID field
  std::string nonce;  // this run's part of every Message-ID
  std::atomic<bool> stop{false};
  std::mutex mu;
  OpStats stats;  // one sample per transaction, guarded by mu
  uint64_t deliveries = 0, accepted = 0, stored = 0, errors = 0, printed = 0;
};

void Worker(Shared* sh, int id) {
  const Options& o = *sh->o;
  LmtpClient client;
  bool open = false;
  std::vector<bool> accepted;
  for (uint64_t t = 0; !sh->stop.load(); ++t) {
    Status st = Status::Ok();
    if (!open) {
      st = client.Open(o.host, o.port);
      open = st.ok();
    }
    std::vector<std::string> rcpts;
    uint64_t first = (uint64_t(id) * 7 + t * uint64_t(o.recipients)) % uint64_t(o.users);
    for (int k = 0; k < o.recipients; ++k) {
      rcpts.push_back(o.user_prefix + std::to_string(1 + (first + k) % o.users) + "@localhost");
    }
    // Unique across runs too: slotd suppresses redelivery of a Message-ID
    // it has just stored (doc/lmtp.md), which would count as a loss here.
    std::string message = "Message-ID: <lmtp." + sh->nonce + "." + std::to_string(id) + "." +
                          std::to_string(t) + "@bench.example>\r\n" + sh->body;
    auto t0 = Clock::now();
    if (open) st = client.Deliver("sender@example.com", rcpts, message, &accepted);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(sh->mu);
    uint64_t ok = 0;
    for (bool a : accepted) ok += a ? 1 : 0;
    sh->stored += ok;  // 250s after the deadline too: the driver counts messages
    if (!st.ok()) {
      ++sh->errors;
      if (sh->printed++ < 10) fprintf(stderr, "lmtp_bench: error: %s\n", st.ToString().c_str());
      open = false;
      continue;
    }
    if (sh->stop.load()) break;
    ++sh->deliveries;
    sh->accepted += ok;
    sh->stats.Record(uint32_t(us));
  }
  if (open) client.Quit();
}

const char* kUsage =
    "usage: lmtp_bench [--host H] [--port P] [--connections N] [--duration S]\n"
    "                  [--size BYTES] [--recipients R] [--users U] [--user-prefix S]\n"
    "                  [--seed N]\n"
    "Delivers SIZE-byte messages to R of the users PREFIX1..PREFIXU per\n"
    "transaction over N connections for S seconds; prints deliveries/s.\n";

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    double n = atof(v.c_str());
    if (a == "--host") o->host = v;
    else if (a == "--user-prefix") o->user_prefix = v;
    else if (a == "--port" && n >= 1 && n <= 65535) o->port = uint16_t(n);
    else if (a == "--connections" && n >= 1) o->connections = int(n);
    else if (a == "--duration" && n > 0) o->duration = n;
    else if (a == "--size" && n >= 1024) o->size = size_t(n);
    else if (a == "--recipients" && n >= 1) o->recipients = int(n);
    else if (a == "--users" && n >= 1) o->users = int(n);
    else if (a == "--seed" && n >= 0) o->seed = uint64_t(n);
    else return false;
  }
  return o->recipients <= o->users;
}

int Main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    fputs(kUsage, stderr);
    return 2;
  }
  Shared sh;
  sh.o = &o;
  std::string full = GenerateSized(o.seed, o.size);
  size_t mid = full.find("Message-ID:");
  sh.nonce = std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "." +
             std::to_string(getpid());
  sh.body = full.erase(mid, full.find("\r\n", mid) + 2 - mid);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(Worker, &sh, i);
  std::this_thread::sleep_for(std::chrono::milliseconds(long(o.duration * 1000)));
  sh.stop.store(true);
  for (std::thread& t : threads) t.join();
  printf("lmtp_bench: size %zu recipients %d connections %d duration %.1f s: deliveries %llu "
         "(%.1f/s) accepted %llu (%.1f rcpt/s) p50 %.2f ms p99 %.2f ms errors %llu stored %llu\n",
         o.size, o.recipients, o.connections, o.duration, (unsigned long long)sh.deliveries,
         sh.deliveries / o.duration, (unsigned long long)sh.accepted,
         sh.accepted / o.duration, sh.stats.QuantileMs(0.5), sh.stats.QuantileMs(0.99),
         (unsigned long long)sh.errors, (unsigned long long)sh.stored);
  return sh.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace slotmail::loadgen

int main(int argc, char** argv) { return slotmail::loadgen::Main(argc, argv); }
