#include "loadgen/stats.h"

#include <algorithm>

namespace slotmail::loadgen {

double OpStats::QuantileMs(double q) {
  if (samples_.empty()) return 0;
  if (sorted_ != samples_.size()) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = samples_.size();
  }
  size_t i = std::min(samples_.size() - 1, size_t(q * double(samples_.size())));
  return samples_[i] / 1000.0;
}

void PrintReport(const std::vector<std::string>& names, std::vector<OpStats>* stats,
                 double seconds, FILE* out) {
  fprintf(out, "%-10s %9s %10s %9s %9s %7s\n", "op", "ops", "ops/s", "p50_ms", "p99_ms",
          "errors");
  uint64_t total = 0, errors = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    OpStats& s = (*stats)[i];
    if (s.count() == 0 && s.errors() == 0) continue;
    fprintf(out, "%-10s %9llu %10.1f %9.2f %9.2f %7llu\n", names[i].c_str(),
            (unsigned long long)s.count(), s.count() / seconds, s.QuantileMs(0.5),
            s.QuantileMs(0.99), (unsigned long long)s.errors());
    total += s.count();
    errors += s.errors();
  }
  fprintf(out, "%-10s %9llu %10.1f %9s %9s %7llu\n", "TOTAL", (unsigned long long)total,
          total / seconds, "-", "-", (unsigned long long)errors);
}

}  // namespace slotmail::loadgen
