#include "imapd/login_checks.h"

#include <doctest/doctest.h>

#include <future>

namespace slotmail::imapd {
namespace {

TEST_CASE("login checks: a check whose client has gone before a thread is free is skipped") {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<bool> second_gone{false};
  std::atomic<int> ran{0};
  {
    LoginChecks checks(1);
    // The one thread is busy with a first check...
    checks.Submit("s1", [] { return true; }, [&] {
      started.set_value();
      released.wait();
      ++ran;
    });
    started.get_future().wait();
    // ...while a second waits; its client hangs up meanwhile.
    checks.Submit("s2", [&] { return !second_gone.load(); }, [&] { ran += 10; });
    checks.Submit("s3", [] { return true; }, [&] { ran += 100; });
    second_gone = true;
    release.set_value();
  }  // the destructor runs or skips everything queued
  CHECK(ran == 101);
}

TEST_CASE("login checks: skipped checks are counted") {
  LoginChecks checks(2);
  std::promise<void> done;
  checks.Submit("a", [] { return false; }, [] {});
  checks.Submit("a", [] { return true; }, [&] { done.set_value(); });
  done.get_future().wait();  // same key: in order, so the first was decided
  CHECK(checks.skipped() == 1);
}

TEST_CASE("login checks: a quarter of the CPUs by default, at least one thread") {
  CHECK(LoginChecks::DefaultThreads(1) == 1);
  CHECK(LoginChecks::DefaultThreads(2) == 1);
  CHECK(LoginChecks::DefaultThreads(16) == 4);
}

}  // namespace
}  // namespace slotmail::imapd
