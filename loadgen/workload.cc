#include "loadgen/workload.h"

#include <cctype>

namespace slotmail::loadgen {
namespace {

constexpr const char* kNames[kOpCount] = {"LOGIN", "LIST",  "STATUS", "SELECT", "FETCH",
                                          "BODY",  "STORE", "EXPUNGE", "APPEND", "LOGOUT"};

}  // namespace

std::vector<std::string> OpNames() { return {std::begin(kNames), std::end(kNames)}; }

Weights::Weights() {
  // A mail client's mix: mostly reading, some flag changes, a steady trickle
  // of new and deleted mail (equal, so mailboxes keep their size), and a
  // session of about 20 commands between LOGIN and LOGOUT.
  w_[size_t(Op::kList)] = 5;
  w_[size_t(Op::kStatus)] = 5;
  w_[size_t(Op::kSelect)] = 10;
  w_[size_t(Op::kFetch)] = 20;
  w_[size_t(Op::kBody)] = 20;
  w_[size_t(Op::kStore)] = 15;
  w_[size_t(Op::kExpunge)] = 5;
  w_[size_t(Op::kAppend)] = 5;
  w_[size_t(Op::kLogout)] = 5;
}

Status Weights::Parse(std::string_view spec) {
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? "" : spec.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Status::InvalidArgument("weight without '='");
    std::string name(item.substr(0, eq));
    for (char& c : name) c = char(toupper(static_cast<unsigned char>(c)));
    std::string value(item.substr(eq + 1));
    size_t i = 0;
    while (i < kOpCount && name != kNames[i]) ++i;
    if (i == kOpCount || i == size_t(Op::kLogin)) {
      return Status::InvalidArgument("unknown operation in weights: " + name);
    }
    if (value.empty() || value.size() > 6 ||
        value.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("bad weight for " + name);
    }
    w_[i] = unsigned(std::stoul(value));
  }
  unsigned total = 0;
  for (unsigned w : w_) total += w;
  if (total == 0) return Status::InvalidArgument("all weights are zero");
  return Status::Ok();
}

Op Weights::Pick(Rng* rng) const {
  unsigned total = 0;
  for (unsigned w : w_) total += w;
  unsigned r = unsigned(rng->Next() % total);
  for (size_t i = 0; i < kOpCount; ++i) {
    if (r < w_[i]) return Op(i);
    r -= w_[i];
  }
  return Op::kSelect;  // unreachable: r < total
}

std::string Weights::ToString() const {
  std::string s;
  for (size_t i = 1; i < kOpCount; ++i) {
    if (!s.empty()) s += ",";
    s += std::string(kNames[i]) + "=" + std::to_string(w_[i]);
  }
  return s;
}

}  // namespace slotmail::loadgen
