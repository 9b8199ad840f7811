// Process metrics for a Prometheus scrape (doc/metrics.md): counters,
// gauges and histograms with fixed buckets, each optionally with labels,
// rendered in the text exposition format 0.0.4.
//
// Threading: every method of every class here is thread-safe. Updating a
// metric is a few relaxed atomic operations; looking one up (Registry::Get*)
// takes the registry's mutex, so hot paths look up once and keep the
// reference, which stays valid for the registry's lifetime.
//
// Cardinality is the caller's contract: label values come from closed sets
// (command names of the command table, outcomes, protocols), never from the
// network as they are.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotmail::metrics {

// Only goes up (events, bytes).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Goes up and down, or is set (connections open, queue depth, lag).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is
// implied), with their sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  // Cumulative counts, one per bound and a last one for +Inf (= the count);
  // consistent with each other even while observations race.
  std::vector<uint64_t> Cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Label name -> value, in the order given (rendered in that order).
using Labels = std::vector<std::pair<std::string, std::string>>;

// Bucket bounds for durations in seconds, 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

class Registry {
 public:
  Registry();
  ~Registry();

  // The metric `name` with `labels`, created at first use. A name keeps the
  // type (and help, and bounds) it was first registered with.
  // REQUIRES: name and label names match [a-zA-Z_][a-zA-Z0-9_]*; a name is
  // not reused for another type (SM_CHECK).
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds, const Labels& labels = {});

  // Every metric in the text format 0.0.4: families sorted by name, each
  // with "# HELP" and "# TYPE", its series sorted by their label text.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family;
  Family& FamilyOf(std::string_view name, std::string_view help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // under mu_
};

// The process's registry: what slotd's /metrics endpoint serves and what
// the servers, the store and the worker pool count into. Never destroyed
// (threads may count while the process exits).
Registry& Global();

}  // namespace slotmail::metrics
