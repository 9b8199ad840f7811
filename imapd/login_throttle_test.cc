#include "imapd/login_throttle.h"

#include <doctest/doctest.h>

#include "common/limits.h"

namespace slotmail::imapd {
namespace {

using std::chrono::milliseconds;
using Time = std::chrono::steady_clock::time_point;

// A throttle on a clock the test moves.
struct Fixture {
  Time now{std::chrono::hours(1)};
  LoginThrottle throttle{1000, [this] { return now; }};
  milliseconds Delay(const std::string& ip, const std::string& user) {
    return throttle.Before(ip, user).delay;
  }
};

TEST_CASE("login throttle: after a few free failures each attempt waits longer, up to a "
          "ceiling") {
  Fixture f;
  for (int i = 0; i < limits::kLoginFailuresBeforeDelay; ++i) {
    CHECK(f.Delay("10.0.0.1", "alice") == milliseconds(0));
    f.throttle.Failed("10.0.0.1", "alice");
  }
  CHECK(f.Delay("10.0.0.1", "alice") == milliseconds(0));
  f.throttle.Failed("10.0.0.1", "alice");
  milliseconds last = f.Delay("10.0.0.1", "alice");
  CHECK(last == limits::kFirstLoginDelay);
  for (int i = 0; i < 20; ++i) {
    f.throttle.Failed("10.0.0.1", "alice");
    const milliseconds next = f.Delay("10.0.0.1", "alice");
    CHECK(next >= last);
    CHECK(next <= limits::kMaxLoginDelay);
    last = next;
  }
  CHECK(last == limits::kMaxLoginDelay);
}

// The regression of issue 14 point 11: the wait was applied only to wrong
// passwords, after the check, so a fast answer revealed the right one; and
// any success from an address cleared that address's failures.
TEST_CASE("login throttle: the wait is decided before the check, for every name from a guessed "
          "address and every address guessing a name") {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.throttle.Failed("10.0.0.1", "alice");
  const milliseconds guessed = f.Delay("10.0.0.1", "alice");
  CHECK(guessed > milliseconds(0));
  // Whatever the next attempt's password, it waits the same: nothing but
  // failures changes the decision, and a success records nothing.
  CHECK(f.Delay("10.0.0.1", "alice") == guessed);
  // The address waits for any name (bob's right password included)...
  CHECK(f.Delay("10.0.0.1", "bob") == guessed);
  // ...and the name from any address.
  CHECK(f.Delay("10.0.0.2", "alice") == guessed);
  // An unrelated address and name do not.
  CHECK(f.Delay("10.0.0.3", "carol") == milliseconds(0));
  // The larger of the two counts decides.
  for (int i = 0; i < 4; ++i) f.throttle.Failed("10.0.0.9", "dave");
  CHECK(f.Delay("10.0.0.9", "alice") == guessed);
}

TEST_CASE("login throttle: failures decay with time") {
  Fixture f;
  for (int i = 0; i < 8; ++i) f.throttle.Failed("10.0.0.1", "alice");
  const LoginThrottle::Decision before = f.throttle.Before("10.0.0.1", "alice");
  CHECK(before.failures == doctest::Approx(8));
  f.now += limits::kLoginFailureHalfLife;
  const LoginThrottle::Decision later = f.throttle.Before("10.0.0.1", "alice");
  CHECK(later.failures == doctest::Approx(4));
  CHECK(later.delay < before.delay);
  CHECK(later.delay > milliseconds(0));
  f.now += 2 * limits::kLoginFailureHalfLife;
  CHECK(f.Delay("10.0.0.1", "alice") == milliseconds(0));
  // A failure now adds to what is left, not to the old count.
  f.throttle.Failed("10.0.0.1", "alice");
  CHECK(f.throttle.Before("10.0.0.1", "alice").failures == doctest::Approx(2));
}

TEST_CASE("login throttle: the table is bounded; the least recently failed are forgotten") {
  Time now{std::chrono::hours(1)};
  LoginThrottle throttle(10, [&now] { return now; });
  for (int i = 0; i < 5; ++i) throttle.Failed("10.0.0.1", "alice");
  // A spray of fresh names from other addresses: two entries per failure.
  for (int i = 0; i < 100; ++i) {
    throttle.Failed("10.1.0." + std::to_string(i), "user" + std::to_string(i));
    CHECK(throttle.size() <= 10);
  }
  CHECK(throttle.Before("10.0.0.1", "alice").failures == 0);
  // Over-long names share a count instead of growing the table's keys.
  const std::string huge(4000, 'x');
  for (int i = 0; i < 5; ++i) throttle.Failed("10.2.0.1", huge + std::to_string(i));
  CHECK(throttle.Before("10.2.0.2", huge).failures == doctest::Approx(5));
}

TEST_CASE("login throttle: the delay for a count doubles from kFirstLoginDelay") {
  const int free = limits::kLoginFailuresBeforeDelay;
  CHECK(LoginThrottle::DelayFor(0) == milliseconds(0));
  CHECK(LoginThrottle::DelayFor(free) == milliseconds(0));
  CHECK(LoginThrottle::DelayFor(free + 0.7) == limits::kFirstLoginDelay);  // decayed a little
  CHECK(LoginThrottle::DelayFor(free + 2) == 2 * limits::kFirstLoginDelay);
  CHECK(LoginThrottle::DelayFor(1e9) == limits::kMaxLoginDelay);
}

}  // namespace
}  // namespace slotmail::imapd
