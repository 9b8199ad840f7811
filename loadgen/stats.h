// Per-operation counters and latency samples for a load run, and the report
// printed at the end. Single-threaded (the load generator's loop thread).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace slotmail::loadgen {

class OpStats {
 public:
  void Record(uint32_t micros) { samples_.push_back(micros); }
  void Error() { ++errors_; }
  uint64_t count() const { return samples_.size(); }
  uint64_t errors() const { return errors_; }
  // The q-quantile (0..1) of the recorded latencies in ms; 0 with none.
  // Sorts the samples the first time after new ones came in.
  double QuantileMs(double q);

 private:
  std::vector<uint32_t> samples_;
  size_t sorted_ = 0;
  uint64_t errors_ = 0;
};

// Prints one row per named operation and a TOTAL row:
//   op  ops  ops/s  p50_ms  p99_ms  errors
// Rows are whitespace-separated so scripts can parse them.
void PrintReport(const std::vector<std::string>& names, std::vector<OpStats>* stats,
                 double seconds, FILE* out);

}  // namespace slotmail::loadgen
