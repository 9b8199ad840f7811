#include "slots/production_edit.h"

#include <doctest/doctest.h>

#include "slots/production.h"

namespace slotmail::slots {
namespace {

const char* kFile =
    "# the cluster\n"
    "slotmail-production 1 serial=7\n"
    "machine m1 address=127.0.0.11 capacity=40G\n"
    "machine m2 address=127.0.0.12 capacity=40G\n"
    "machine m3 address=127.0.0.13 capacity=40G\n"
    "slot m1:1 size=10G\n"
    "slot m2:1 size=10G\n"
    "slot m3:1 size=10G\n"
    "store s1  epoch=3  mode=sync  master=m1:1  replicas=m2:1,m3:1  # the big one\n";

TEST_CASE("production edit: a new master swaps places with the old one, epoch and serial rise") {
  auto out = WithNewMaster(kFile, "p.dat", "s1", "m3:1", 4);
  REQUIRE(out.ok());
  CHECK(*out ==
        "# the cluster\n"
        "slotmail-production 1 serial=8\n"
        "machine m1 address=127.0.0.11 capacity=40G\n"
        "machine m2 address=127.0.0.12 capacity=40G\n"
        "machine m3 address=127.0.0.13 capacity=40G\n"
        "slot m1:1 size=10G\n"
        "slot m2:1 size=10G\n"
        "slot m3:1 size=10G\n"
        "store s1  epoch=4  mode=sync  master=m3:1  replicas=m2:1,m1:1  # the big one\n");
  std::vector<Problem> problems;
  Production p = ParseProduction(*out, "p.dat", &problems);
  CheckProduction(p, &problems);
  CHECK(problems.empty());
}

TEST_CASE("production edit: refuses what would not be a valid role change") {
  CHECK(WithNewMaster(kFile, "p.dat", "s9", "m2:1", 4).status().code() == Code::kInvalidArgument);
  auto not_replica = WithNewMaster(kFile, "p.dat", "s1", "m1:1", 4);
  CHECK(not_replica.status().message().find("not a replica") != std::string::npos);
  auto old_epoch = WithNewMaster(kFile, "p.dat", "s1", "m2:1", 3);
  CHECK(old_epoch.status().message().find("not above") != std::string::npos);
  auto broken = WithNewMaster(std::string(kFile) + "slot m9:1 size=10G\n", "p.dat", "s1", "m2:1", 4);
  CHECK(broken.status().message().find("p.dat:10:") != std::string::npos);
}

}  // namespace
}  // namespace slotmail::slots
