#include "common/metrics.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using slotmail::metrics::Registry;

TEST_CASE("metrics: a tiny registry renders the exact exposition text") {
  Registry r;
  r.GetCounter("t_logins_total", "Logins by result", {{"result", "ok"}}).Inc(2);
  r.GetCounter("t_logins_total", "Logins by result", {{"result", "fail"}}).Inc();
  r.GetGauge("t_open", "Open now\nsecond line").Set(3.5);
  auto& h = r.GetHistogram("t_seconds", "Latency", {0.1, 1}, {{"command", "SELECT"}});
  h.Observe(0.05);
  h.Observe(0.1);  // on a bound: counts in that bucket (le is <=)
  h.Observe(7);
  CHECK(r.Render() ==
        "# HELP t_logins_total Logins by result\n"
        "# TYPE t_logins_total counter\n"
        "t_logins_total{result=\"fail\"} 1\n"
        "t_logins_total{result=\"ok\"} 2\n"
        "# HELP t_open Open now\\nsecond line\n"
        "# TYPE t_open gauge\n"
        "t_open 3.5\n"
        "# HELP t_seconds Latency\n"
        "# TYPE t_seconds histogram\n"
        "t_seconds_bucket{command=\"SELECT\",le=\"0.1\"} 2\n"
        "t_seconds_bucket{command=\"SELECT\",le=\"1\"} 2\n"
        "t_seconds_bucket{command=\"SELECT\",le=\"+Inf\"} 3\n"
        "t_seconds_sum{command=\"SELECT\"} 7.15\n"
        "t_seconds_count{command=\"SELECT\"} 3\n");
}

TEST_CASE("metrics: label values are escaped and the same labels give the same series") {
  Registry r;
  auto& a = r.GetCounter("t_total", "x", {{"name", "a\"b\\c\nd"}});
  auto& b = r.GetCounter("t_total", "x", {{"name", "a\"b\\c\nd"}});
  CHECK(&a == &b);
  a.Inc();
  CHECK(r.Render() ==
        "# HELP t_total x\n# TYPE t_total counter\nt_total{name=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("metrics: counts from several threads all arrive") {
  Registry r;
  auto& c = r.GetCounter("t_total", "x");
  auto& h = r.GetHistogram("t_h", "x", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.value() == 40000);
  CHECK(h.Cumulative() == std::vector<uint64_t>{40000, 40000});
  CHECK(h.sum() == 20000);
}
