// store_bench: the store's own figures, measured on a fresh slot in a
// temporary directory (removed at the end):
//   - durable 4 KB appends/s: 1 appender; 16 appenders on 16 users (the LMTP
//     shape); 16 appenders on one user (serialised by that user's lock);
//   - ReadMessage throughput of 1 MB messages, MB/s;
//   - FetchByUid over a whole 100,000-message mailbox, best of 3, ms.
// One line per figure, "name: value unit (details)", with the goal where one
// exists. Exits non-zero only when a store call fails, never on a missed goal.
// `--quick` shrinks every phase (a smoke test, not a measurement).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace slotmail::bench {
namespace {

using Clock = std::chrono::steady_clock;
using store::Store;

// Goals (from the store issue): the LMTP shape must sustain this many durable
// appends/s, and listing a 100k mailbox must stay interactive.
constexpr double kGoalAppendsPerSecond = 5000;
constexpr double kGoalListMillis = 200;
// A phase bounded by count only (a day, so the deadline cannot overflow).
constexpr double kNoTimeLimit = 86400;

struct Params {
  bool quick = false;
  double append_seconds = 3.0;    // per append phase
  double read_seconds = 2.0;
  size_t read_messages = 64;      // distinct 1 MB messages
  uint64_t list_messages = 100000;
  int threads = 16;
};

Params ParamsFor(bool quick) {
  Params p;
  if (quick) {
    p.quick = true;
    p.append_seconds = 0.3;
    p.read_seconds = 0.2;
    p.read_messages = 8;
    p.list_messages = 2000;
  }
  return p;
}

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A plausible RFC 5322 message of exactly `size` bytes (or its header alone if
// that is longer), distinct for every distinct `tag`: each append stores a new
// blob, as real deliveries do.
std::string MakeMessage(const std::string& tag, size_t size) {
  std::string m = "From: bench@example.org\r\nSubject: " + tag + "\r\nMessage-ID: <" + tag +
                  "@bench.example.org>\r\n\r\n";
  static const char kLine[] = "the quick brown fox jumps over the lazy dog 0123456789 abcdefgh\r\n";
  while (m.size() < size) m.append(kLine, std::min(sizeof(kLine) - 1, size - m.size()));
  return m;
}

// The first failure any worker saw; the phase stops at the next check.
class FirstError {
 public:
  void Set(const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = s;
    failed_.store(true);
  }
  bool failed() const { return failed_.load(); }
  Status Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  std::mutex mu_;
  Status status_;
  std::atomic<bool> failed_{false};
};

struct AppendRun {
  uint64_t count = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // sorted
  double Rate() const { return seconds > 0 ? count / seconds : 0; }
  double Percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    size_t i = std::min(latencies_ms.size() - 1, static_cast<size_t>(p * latencies_ms.size()));
    return latencies_ms[i];
  }
};

// One thread per entry of `users` appends `size`-byte messages to that user's
// INBOX until `seconds` have passed or `max_count` appends were started in
// all, whichever comes first. Every append is durable when it returns.
Result<AppendRun> RunAppenders(Store* st, const std::vector<std::string>& users,
                               const std::string& phase, size_t size, double seconds,
                               uint64_t max_count) {
  std::atomic<uint64_t> next{0};
  FirstError error;
  std::vector<std::vector<double>> latencies(users.size());
  const Clock::time_point t0 = Clock::now();
  const Clock::time_point deadline =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < users.size(); ++t) {
    threads.emplace_back([&, t] {
      while (!error.failed() && Clock::now() < deadline) {
        const uint64_t ticket = next.fetch_add(1);
        if (ticket >= max_count) break;
        const std::string bytes = MakeMessage(phase + "-" + std::to_string(ticket), size);
        const Clock::time_point a0 = Clock::now();
        auto r = st->Append(users[t], "INBOX", bytes, store::Flags{}, std::time(nullptr));
        if (!r.ok()) {
          error.Set(r.status());
          break;
        }
        latencies[t].push_back(SecondsSince(a0) * 1000);
      }
    });
  }
  for (auto& th : threads) th.join();
  if (error.failed()) return error.Take();
  AppendRun run;
  run.seconds = SecondsSince(t0);
  for (auto& l : latencies) run.latencies_ms.insert(run.latencies_ms.end(), l.begin(), l.end());
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  run.count = run.latencies_ms.size();
  return run;
}

const char* Verdict(bool met) { return met ? "(goal met)" : "(goal missed)"; }

Status CreateUsers(Store* st, const std::vector<std::string>& users) {
  for (const auto& u : users) {
    if (st->UserExists(u)) continue;
    RETURN_IF_ERROR(st->CreateUser(u, "bench-password"));
  }
  return Status::Ok();
}

// Appends 4 KB messages with `threads` appenders, on `threads` users or one.
Status BenchAppend(Store* st, const Params& p, int threads, bool one_user) {
  std::string name = "append_4k_" + std::to_string(threads) + "thread" + (threads > 1 ? "s" : "");
  if (threads > 1) name += one_user ? "_1user" : "_" + std::to_string(threads) + "users";
  std::vector<std::string> users;
  for (int t = 0; t < threads; ++t) {
    users.push_back(one_user ? name + "_u" : name + "_u" + std::to_string(t));
  }
  RETURN_IF_ERROR(CreateUsers(st, users));
  ASSIGN_OR_RETURN(AppendRun run,
                   RunAppenders(st, users, name, 4096, p.append_seconds, UINT64_MAX));
  std::printf("%s: %.0f appends/s (%" PRIu64 " in %.2f s; latency p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms)",
              name.c_str(), run.Rate(), run.count, run.seconds, run.Percentile(0.50),
              run.Percentile(0.99), run.Percentile(1.0));
  if (threads > 1 && !one_user) {
    std::printf(" goal: >= %.0f appends/s %s", kGoalAppendsPerSecond,
                Verdict(run.Rate() >= kGoalAppendsPerSecond));
  }
  std::printf("\n");
  std::fflush(stdout);
  return Status::Ok();
}

// Reads distinct 1 MB messages round-robin on one thread.
Status BenchRead(Store* st, const Params& p) {
  const std::string user = "read_1m";
  const size_t kSize = 1 << 20;
  RETURN_IF_ERROR(CreateUsers(st, {user}));
  std::vector<std::string> guids;
  for (size_t i = 0; i < p.read_messages; ++i) {
    const std::string bytes = MakeMessage("read_1m-" + std::to_string(i), kSize);
    ASSIGN_OR_RETURN(store::AppendResult a,
                     st->Append(user, "INBOX", bytes, store::Flags{}, std::time(nullptr)));
    ASSIGN_OR_RETURN(std::string back, st->ReadMessage(user, a.guid));
    if (back != bytes) return Status::Corruption("ReadMessage returned other bytes for " + a.guid);
    guids.push_back(a.guid);
  }
  uint64_t reads = 0;
  const Clock::time_point t0 = Clock::now();
  while (SecondsSince(t0) < p.read_seconds) {
    ASSIGN_OR_RETURN(std::string bytes, st->ReadMessage(user, guids[reads % guids.size()]));
    if (bytes.size() != kSize) return Status::Corruption("ReadMessage returned a short message");
    ++reads;
  }
  const double secs = SecondsSince(t0);
  std::printf("read_1m: %.0f MB/s (%" PRIu64 " reads of %zu distinct 1 MB messages in %.2f s, "
              "1 thread, warm cache)\n",
              reads * (kSize / 1048576.0) / secs, reads, guids.size(), secs);
  std::fflush(stdout);
  return Status::Ok();
}

// Fills one INBOX with small messages from p.threads appenders, then times
// listing its metadata.
Status BenchList(Store* st, const Params& p) {
  const std::string user = "list_big";
  const std::string label = "list_" + std::to_string(p.list_messages) + "_msgs";
  RETURN_IF_ERROR(CreateUsers(st, {user}));
  std::vector<std::string> users(p.threads, user);
  ASSIGN_OR_RETURN(AppendRun fill,
                   RunAppenders(st, users, label, 200, kNoTimeLimit, p.list_messages));
  std::printf("%s_fill: %.2f s (%" PRIu64 " 200-byte appends, %d threads on 1 user, "
              "%.0f appends/s)\n",
              label.c_str(), fill.seconds, fill.count, p.threads, fill.Rate());
  std::fflush(stdout);
  double best_ms = 1e300;
  for (int i = 0; i < 3; ++i) {
    const Clock::time_point t0 = Clock::now();
    ASSIGN_OR_RETURN(std::vector<store::MessageInfo> msgs,
                     st->FetchByUid(user, "INBOX", {{1, UINT32_MAX}}));
    best_ms = std::min(best_ms, SecondsSince(t0) * 1000);
    if (msgs.size() != p.list_messages) {
      return Status::Corruption("FetchByUid listed " + std::to_string(msgs.size()) +
                                " messages, expected " + std::to_string(p.list_messages));
    }
  }
  std::printf("%s: %.1f ms (FetchByUid 1:*, best of 3)", label.c_str(), best_ms);
  if (p.quick) {
    std::printf(" goal: < %.0f ms for 100000 (not judged in --quick)\n", kGoalListMillis);
  } else {
    std::printf(" goal: < %.0f ms %s\n", kGoalListMillis, Verdict(best_ms < kGoalListMillis));
  }
  std::fflush(stdout);
  return Status::Ok();
}

Status RunAll(const std::string& root, const Params& p) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> st,
                   Store::Open(root, store::StoreOptions{.kdf_iterations = 1000}));
  RETURN_IF_ERROR(BenchAppend(st.get(), p, 1, false));
  RETURN_IF_ERROR(BenchAppend(st.get(), p, p.threads, false));
  RETURN_IF_ERROR(BenchAppend(st.get(), p, p.threads, true));
  RETURN_IF_ERROR(BenchRead(st.get(), p));
  RETURN_IF_ERROR(BenchList(st.get(), p));
  return Status::Ok();
}

int Main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
      return 2;
    }
  }
  const Params p = ParamsFor(quick);
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/slotmail-bench.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    std::fprintf(stderr, "store_bench: mkdtemp %s: %s\n", dir.c_str(), std::strerror(errno));
    return 1;
  }
  std::printf("# store_bench%s: slot %s/slot, %u CPUs\n", quick ? " --quick" : "", dir.c_str(),
              std::thread::hardware_concurrency());
  std::fflush(stdout);
  const Status s = RunAll(dir + "/slot", p);  // the Store is closed when this returns
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!s.ok()) {
    std::fprintf(stderr, "store_bench: store call failed: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace slotmail::bench

int main(int argc, char** argv) { return slotmail::bench::Main(argc, argv); }
