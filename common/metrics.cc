#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/check.h"

namespace slotmail::metrics {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A sample value: the shortest text that reads back as `v`, or the format's
// spellings of infinity and NaN.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// The format's escapes: \\ and \n in help; \\, \" and \n in label values.
std::string Escape(std::string_view s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} plus `extra` (a histogram's le="..."); "" when both are empty.
std::string LabelText(const Labels& labels, std::string_view extra = {}) {
  std::string out;
  for (const auto& [name, value] : labels) {
    out += out.empty() ? "{" : ",";
    out += name + "=\"" + Escape(value, true) + "\"";
  }
  if (!extra.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra;
  }
  if (!out.empty()) out += "}";
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  SM_CHECK(std::is_sorted(bounds_.begin(), bounds_.end())) << "bucket bounds must ascend";
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

struct Registry::Family {
  std::string name, help;
  Type type;
  std::vector<double> bounds;  // histograms
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  std::map<std::string, Series> series;  // by LabelText(labels)

  Series& Get(const Labels& labels) {
    for (const auto& l : labels) SM_CHECK(ValidName(l.first)) << name << ": label " << l.first;
    Series& s = series[LabelText(labels)];
    if (s.counter || s.gauge || s.histogram) return s;
    s.labels = labels;
    switch (type) {
      case Type::kCounter: s.counter = std::make_unique<Counter>(); break;
      case Type::kGauge: s.gauge = std::make_unique<Gauge>(); break;
      case Type::kHistogram: s.histogram = std::make_unique<Histogram>(bounds); break;
    }
    return s;
  }
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::FamilyOf(std::string_view name, std::string_view help, Type type) {
  SM_CHECK(ValidName(name)) << "metric name " << name;
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->name = name;
    f->help = help;
    f->type = type;
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  SM_CHECK(it->second->type == type) << "metric " << name << " registered with another type";
  return *it->second;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return *FamilyOf(name, help, Type::kCounter).Get(labels).counter;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return *FamilyOf(name, help, Type::kGauge).Get(labels).gauge;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = FamilyOf(name, help, Type::kHistogram);
  if (f.series.empty()) f.bounds = bounds;
  return *f.Get(labels).histogram;
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    static const char* const kTypeNames[] = {"counter", "gauge", "histogram"};
    out += "# HELP " + name + " " + Escape(f->help, false) + "\n";
    out += "# TYPE " + name + " " + kTypeNames[static_cast<int>(f->type)] + "\n";
    for (const auto& [labels, s] : f->series) {
      if (s.counter) out += name + labels + " " + std::to_string(s.counter->value()) + "\n";
      if (s.gauge) out += name + labels + " " + FormatValue(s.gauge->value()) + "\n";
      if (!s.histogram) continue;
      const std::vector<uint64_t> cumulative = s.histogram->Cumulative();
      const std::vector<double>& bounds = s.histogram->bounds();
      for (size_t i = 0; i < cumulative.size(); ++i) {
        const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
        out += name + "_bucket" + LabelText(s.labels, "le=\"" + le + "\"") + " " +
               std::to_string(cumulative[i]) + "\n";
      }
      out += name + "_sum" + labels + " " + FormatValue(s.histogram->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(cumulative.back()) + "\n";
    }
  }
  return out;
}

Registry& Global() {
  static Registry* const kGlobal = new Registry;  // never destroyed: see the header
  return *kGlobal;
}

}  // namespace slotmail::metrics
