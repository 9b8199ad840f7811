// Login throttling. Failed logins are counted per client address and per
// user name, and each count halves every kLoginFailureHalfLife. Once either
// count of an attempt is above kLoginFailuresBeforeDelay, the attempt waits
// (kFirstLoginDelay, doubling per further failure, at most kMaxLoginDelay)
// before its password is checked and answered, right password or wrong:
// the wait is decided before the check, so neither it nor the answer's
// timing tells a guesser which password was right.
//
// A success resets no count: not its address's (one valid account must not
// buy a guesser fresh tries at other accounts), not another user's, and not
// its own user's (the name may be under attack from other addresses); the
// counts only decay.
//
// The table holds at most `max_entries` counts; the least recently failed
// are forgotten first. Not thread-safe (the loop thread owns it).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/lru_map.h"

namespace slotmail::imapd {

class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit LoginThrottle(size_t max_entries, Clock clock = std::chrono::steady_clock::now);

  struct Decision {
    std::chrono::milliseconds delay{0};  // wait this long, then check and answer
    double failures = 0;                 // the larger count, for the log
  };
  // What an attempt by `user` from `ip` must wait. Call before checking its
  // password; the verdict does not change it.
  Decision Before(const std::string& ip, const std::string& user);
  // Counts a failed attempt (wrong password, unknown or invalid name)
  // against `ip` and against `user`.
  void Failed(const std::string& ip, const std::string& user);
  size_t size() const { return counts_.size(); }

  // The wait for `failures` counted (unit tests and docs).
  static std::chrono::milliseconds DelayFor(double failures);

 private:
  struct Count {
    double failures = 0;
    std::chrono::steady_clock::time_point at;  // when `failures` was exact
  };
  // `key`'s count decayed to now, 0 if it has none. Does not mark it used.
  double Current(const std::string& key, std::chrono::steady_clock::time_point now) const;
  void Add(const std::string& key, std::chrono::steady_clock::time_point now);

  Clock clock_;
  LruMap<Count> counts_;  // "ip:<address>" / "user:<name>"
};

}  // namespace slotmail::imapd
