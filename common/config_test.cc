#include "common/config.h"

#include <doctest/doctest.h>

using slotmail::ConfigFile;

TEST_CASE("config: keys, comments, overrides, typed getters and unknown keys") {
  auto cfg = ConfigFile::Parse(
      "# a slot\nslot_dir = /srv/slot1  # trailing comment\n\nworkers=8\nworkers = 12\n"
      "tls = yes\n",
      "test.conf");
  REQUIRE(cfg.ok());
  CHECK(cfg->Get("slot_dir", "") == "/srv/slot1");
  CHECK(*cfg->GetUint("workers", 1, 1, 64) == 12);
  CHECK(cfg->GetUint("workers", 1, 1, 10).status().code() == slotmail::Code::kInvalidArgument);
  CHECK(*cfg->GetUint("absent", 7, 1, 10) == 7);
  CHECK(*cfg->GetBool("tls", false));
  CHECK(cfg->CheckKnown({"slot_dir", "workers", "tls"}).ok());
  CHECK_FALSE(cfg->CheckKnown({"slot_dir", "workers"}).ok());
  CHECK_FALSE(ConfigFile::Parse("just words\n", "x").ok());
  CHECK_FALSE(ConfigFile::Parse("= value\n", "x").ok());
}

TEST_CASE("config: host:port splitting") {
  std::string host;
  uint16_t port = 0;
  REQUIRE(slotmail::SplitHostPort("127.0.0.2:1143", &host, &port).ok());
  CHECK(host == "127.0.0.2");
  CHECK(port == 1143);
  REQUIRE(slotmail::SplitHostPort("[::1]:993", &host, &port).ok());
  CHECK(host == "::1");
  CHECK_FALSE(slotmail::SplitHostPort("127.0.0.1", &host, &port).ok());
  CHECK_FALSE(slotmail::SplitHostPort("127.0.0.1:99999", &host, &port).ok());
  CHECK_FALSE(slotmail::SplitHostPort("127.0.0.1:12x", &host, &port).ok());
}
