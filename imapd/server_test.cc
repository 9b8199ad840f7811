#include "imapd/server.h"

#include <doctest/doctest.h>

#include "common/limits.h"
#include "t/unit/temp_dir.h"

using namespace slotmail;
TEST_CASE("imapd server: a user's sessions are limited by max_sessions_per_user") {
  testing::TempDir dir;
  imapd::ServerConfig config;
  config.slot_dir = dir.path() + "/slot";
  config.max_sessions_per_user = 2;
  auto s = imapd::Server::Create(config);
  REQUIRE(s.ok());
  CHECK((*s)->AddUserSession("alice"));
  CHECK((*s)->AddUserSession("alice"));
  CHECK_FALSE((*s)->AddUserSession("alice"));
  CHECK((*s)->AddUserSession("bob"));
}

TEST_CASE("imapd server: the default per-IP connection limit leaves descriptors for many "
          "addresses") {
  using slotmail::imapd::DefaultConnectionsPerIp;
  using slotmail::limits::kMinAddressesToFillDescriptors;
  for (uint64_t fds : {uint64_t{64}, uint64_t{1024}, uint64_t{20000}, uint64_t{1} << 20}) {
    CAPTURE(fds);
    const size_t per_ip = DefaultConnectionsPerIp(fds);
    CHECK(per_ip >= 1);
    CHECK(per_ip <= slotmail::limits::kMaxConnectionsPerIp);
    // Fewer addresses than kMinAddressesToFillDescriptors cannot hold them all.
    CHECK(per_ip * (kMinAddressesToFillDescriptors - 1) < fds);
  }
  CHECK(DefaultConnectionsPerIp(1024) == 1024 / kMinAddressesToFillDescriptors);
}
