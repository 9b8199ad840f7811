#include "common/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <vector>

using slotmail::WorkerPool;

TEST_CASE("worker pool: tasks of one key run one at a time, in order") {
  std::mutex mu;
  std::map<std::string, std::vector<int>> seen;
  std::map<std::string, int> inside;
  std::atomic<int> overlaps{0};
  {
    WorkerPool pool(4);
    for (int i = 0; i < 400; ++i) {
      std::string key = "user" + std::to_string(i % 5);
      pool.Submit(key, [&, key, i] {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (inside[key]++ != 0) ++overlaps;
        }
        std::lock_guard<std::mutex> lock(mu);
        --inside[key];
        seen[key].push_back(i);
      });
    }
  }  // the destructor drains
  CHECK(overlaps == 0);
  REQUIRE(seen.size() == 5);
  for (auto& [key, order] : seen) {
    CHECK(order.size() == 80);
    CHECK(std::is_sorted(order.begin(), order.end()));
  }
}

TEST_CASE("worker pool: different keys run in parallel") {
  // Two tasks that each wait for the other to start can only finish if
  // they run at the same time.
  std::atomic<int> started{0};
  std::atomic<bool> both{true};
  {
    WorkerPool pool(2);
    for (const char* key : {"a", "b"}) {
      pool.Submit(key, [&] {
        ++started;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (started < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        if (started < 2) both = false;
      });
    }
  }
  CHECK(both);
}
