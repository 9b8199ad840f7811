#include "imapd/login_throttle.h"

#include <algorithm>
#include <cmath>

#include "common/limits.h"

namespace slotmail::imapd {
namespace {

std::string IpKey(const std::string& ip) { return "ip:" + ip; }

// Names longer than any valid one (they always fail) share one count per
// prefix, so the table's memory stays bounded by key length too.
std::string UserKey(const std::string& user) {
  return "user:" + user.substr(0, limits::kMaxUserNameBytes);
}

}  // namespace

LoginThrottle::LoginThrottle(size_t max_entries, Clock clock)
    : clock_(std::move(clock)), counts_(max_entries) {}

std::chrono::milliseconds LoginThrottle::DelayFor(double failures) {
  // Rounded, not truncated: a count just below a whole number has only
  // decayed a little since the last failure.
  const long over = std::lround(failures) - limits::kLoginFailuresBeforeDelay;
  if (over <= 0) return std::chrono::milliseconds(0);
  const long doublings = std::min<long>(over - 1, 20);
  return std::min<std::chrono::milliseconds>(limits::kFirstLoginDelay * (1L << doublings),
                                             limits::kMaxLoginDelay);
}

double LoginThrottle::Current(const std::string& key,
                              std::chrono::steady_clock::time_point now) const {
  const Count* c = counts_.Peek(key);
  if (c == nullptr) return 0;
  const double half_lives = std::chrono::duration<double>(now - c->at).count() /
                            std::chrono::duration<double>(limits::kLoginFailureHalfLife).count();
  return c->failures * std::exp2(-std::max(0.0, half_lives));
}

LoginThrottle::Decision LoginThrottle::Before(const std::string& ip, const std::string& user) {
  const auto now = clock_();
  Decision d;
  d.failures = std::max(Current(IpKey(ip), now), Current(UserKey(user), now));
  d.delay = DelayFor(d.failures);
  return d;
}

void LoginThrottle::Add(const std::string& key, std::chrono::steady_clock::time_point now) {
  const double decayed = Current(key, now);
  Count& c = counts_.Use(key);
  c.failures = decayed + 1;
  c.at = now;
}

void LoginThrottle::Failed(const std::string& ip, const std::string& user) {
  const auto now = clock_();
  Add(IpKey(ip), now);
  Add(UserKey(user), now);
}

}  // namespace slotmail::imapd
