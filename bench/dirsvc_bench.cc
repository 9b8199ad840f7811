// The directory's in-memory work at 10,000 users (doc/directory.md
// "Figures"): building a map from the slots' answers, and answering
// socketmap and auth_http lookups from it. Prints, asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "dirsvc/answers.h"
#include "dirsvc/snapshot.h"

using namespace slotmail;
using Clock = std::chrono::steady_clock;

int main() {
  constexpr int kUsers = 10000, kLookups = 10000;
  std::vector<slots::Problem> problems;
  slots::Production prod = slots::ParseProduction(
      "slotmail-production 1 serial=1\nmachine m1 address=10.0.0.1 capacity=40G\n"
      "slot m1:1 size=1G\nslot m1:2 size=1G\n"
      "store s1 epoch=1 mode=async master=m1:1 replicas=m1:2\n", "bench", &problems);
  dirsvc::SlotReport r;
  r.slot = "m1:1";
  r.reachable = true;
  r.store = "s1";
  r.role = "master";
  r.epoch = 1;
  r.imap = "10.0.0.1:20143";
  r.lmtp = "10.0.0.1:20124";
  r.has_users = true;
  for (int i = 0; i < kUsers; ++i) r.users.push_back("user" + std::to_string(i));
  auto t0 = Clock::now();
  auto snap = dirsvc::BuildSnapshot(prod, {r}, nullptr, 1);
  double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::vector<double> lat;
  for (int i = 0; i < kLookups; ++i) {
    std::string key = "transport user" + std::to_string((i * 7919) % (kUsers + 100)) + "@x";
    auto t = Clock::now();
    std::string answer = dirsvc::SocketmapAnswer(snap.get(), key);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
    if (answer.empty()) return 1;
  }
  std::sort(lat.begin(), lat.end());
  double total = 0;
  for (double l : lat) total += l;
  std::printf("dirsvc: %d users, map built in %.2f ms; %d socketmap lookups: %.0f/s, "
              "p50 %.2f us, p99 %.2f us\n", kUsers, build_ms, kLookups, kLookups / total * 1e6,
              lat[kLookups / 2], lat[kLookups * 99 / 100]);
  return 0;
}
