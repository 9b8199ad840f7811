#include "replication/sync_gate.h"

#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

namespace slotmail::replication {
namespace {

using Clock = SyncGate::Clock;

// Polls `cond` until it holds or 10 s pass.
template <typename Cond>
bool Eventually(Cond cond) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!cond()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST_CASE("sync gate: callers that come while a sync runs share the next one") {
  SyncGate gate;
  constexpr int kCallers = 8;
  std::atomic<int> runs{0};
  std::atomic<bool> all_in{false};
  SyncGate::Fn fn = [&]() -> Result<SyncStats> {
    const int n = ++runs;
    // The first run holds on until every caller is in the gate: they all
    // came after it started, so none may take its outcome.
    if (n == 1) all_in = Eventually([&] { return gate.callers("alice") == kCallers; });
    SyncStats s;
    s.blobs = static_cast<uint64_t>(n);  // which run answered
    return s;
  };
  std::vector<uint64_t> answered_by(kCallers, 0);
  std::thread first([&] { answered_by[0] = gate.Run("alice", fn)->blobs; });
  REQUIRE(Eventually([&] { return runs.load() == 1; }));
  std::vector<std::thread> rest;
  for (int i = 1; i < kCallers; ++i) {
    rest.emplace_back([&, i] { answered_by[i] = gate.Run("alice", fn)->blobs; });
  }
  first.join();
  for (auto& t : rest) t.join();
  CHECK(all_in.load());
  CHECK(runs.load() == 2);  // not one per caller
  CHECK(answered_by[0] == 1);
  for (int i = 1; i < kCallers; ++i) CHECK(answered_by[i] == 2);
  CHECK(gate.callers("alice") == 0);
}

TEST_CASE("sync gate: different users do not wait for each other; a deadline ends a wait") {
  SyncGate gate;
  std::atomic<bool> release{false};
  SyncGate::Fn slow = [&]() -> Result<SyncStats> {
    Eventually([&] { return release.load(); });
    return SyncStats{};
  };
  std::thread holder([&] { (void)gate.Run("alice", slow); });
  REQUIRE(Eventually([&] { return gate.callers("alice") == 1; }));
  // bob's sync runs at once although alice's has not finished.
  int bob_runs = 0;
  auto bob = gate.Run("bob", [&]() -> Result<SyncStats> {
    ++bob_runs;
    return SyncStats{};
  });
  CHECK(bob.ok());
  CHECK(bob_runs == 1);
  // A second caller for alice with a deadline already past: timed out,
  // not the outcome of the run that started before it came.
  auto late = gate.Run("alice", slow, Clock::now());
  CHECK(late.status().code() == Code::kIOError);
  CHECK(late.status().message().find("timed out") != std::string::npos);
  release = true;
  holder.join();
  // A failed run's outcome reaches its callers as it is.
  auto failed = gate.Run("alice", []() -> Result<SyncStats> { return Status::Corruption("differs"); });
  CHECK(failed.status().code() == Code::kCorruption);
}

}  // namespace
}  // namespace slotmail::replication
