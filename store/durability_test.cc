#include "store/durability.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using slotmail::Status;
using slotmail::store::Durability;

TEST_CASE("durability: a sync that started before the call does not count") {
  // The injected sync records how many writes were "issued" when it started.
  std::atomic<int> writes{0};
  std::vector<int> covered;
  std::mutex mu;
  Durability d([&]() -> Status {
    std::lock_guard<std::mutex> lock(mu);
    covered.push_back(writes.load());
    return Status::Ok();
  });
  writes = 1;
  CHECK(d.Sync().ok());
  writes = 2;
  CHECK(d.Sync().ok());
  REQUIRE(covered.size() == 2);
  CHECK(covered[0] >= 1);
  CHECK(covered[1] >= 2);
}

TEST_CASE("durability: concurrent callers share syncs and each is covered") {
  std::atomic<uint64_t> issued{0};
  std::atomic<uint64_t> durable{0};  // highest write number covered so far
  Durability d([&]() -> Status {
    uint64_t upto = issued.load();
    std::this_thread::yield();
    durable = std::max<uint64_t>(durable.load(), upto);
    return Status::Ok();
  });
  constexpr int kThreads = 16, kPerThread = 200;
  std::atomic<int> uncovered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t mine = ++issued;
        if (!d.Sync().ok() || durable.load() < mine) ++uncovered;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(uncovered == 0);
  // Sharing is the point: far fewer syncs than calls.
  CHECK(d.syncs_done() < static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_CASE("durability: a failed sync fails its waiters and later ones recover") {
  std::atomic<bool> fail{true};
  Durability d([&]() -> Status {
    return fail ? Status::IOError("injected fsync failure") : Status::Ok();
  });
  Status st = d.Sync();
  CHECK(st.code() == slotmail::Code::kIOError);
  fail = false;
  CHECK(d.Sync().ok());
}

TEST_CASE("durability: syncfs on a real directory succeeds") {
  auto d = Durability::Open("/tmp");
  REQUIRE(d.ok());
  CHECK((*d)->Sync().ok());
  CHECK(Durability::Open("/nonexistent/slotmail").status().code() == slotmail::Code::kNotFound);
}
