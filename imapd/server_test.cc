#include "imapd/server.h"

#include <doctest/doctest.h>

#include "common/limits.h"
#include "t/unit/temp_dir.h"

using namespace slotmail;
using std::chrono::milliseconds;

namespace {

std::unique_ptr<imapd::Server> TestServer(const testing::TempDir& dir) {
  imapd::ServerConfig config;
  config.slot_dir = dir.path() + "/slot";
  config.store_options.kdf_iterations = 1000;
  config.workers = 1;
  auto s = imapd::Server::Create(config);
  REQUIRE(s.ok());
  return std::move(s).value();
}

}  // namespace

TEST_CASE("imapd server: failed logins are answered ever more slowly, per address and per user") {
  testing::TempDir dir;
  auto server = TestServer(dir);
  // The first few failures cost nothing extra.
  for (int i = 0; i < limits::kLoginFailuresBeforeDelay; ++i) {
    CHECK(server->LoginFailed("10.0.0.1", "alice") == milliseconds(0));
  }
  milliseconds last = server->LoginFailed("10.0.0.1", "alice");
  CHECK(last > milliseconds(0));
  for (int i = 0; i < 20; ++i) {
    milliseconds next = server->LoginFailed("10.0.0.1", "alice");
    CHECK(next >= last);
    CHECK(next <= limits::kMaxLoginDelay);
    last = next;
  }
  CHECK(last == limits::kMaxLoginDelay);
  // Another address guessing the same user's password is slowed too...
  CHECK(server->LoginFailed("10.0.0.2", "alice") > milliseconds(0));
  // ...and the first address is slow for other users as well.
  CHECK(server->LoginFailed("10.0.0.1", "bob") > milliseconds(0));
  // An unrelated address and user are not.
  CHECK(server->LoginFailed("10.0.0.3", "carol") == milliseconds(0));
  // A success clears that address and that user.
  server->LoginSucceeded("10.0.0.1", "alice");
  server->LoginSucceeded("10.0.0.2", "alice");
  CHECK(server->LoginFailed("10.0.0.1", "alice") == milliseconds(0));
}

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
