#include "common/log.h"

#include <doctest/doctest.h>

#include <string>

#include "common/limits.h"

namespace log = slotmail::log;

TEST_CASE("log: event values are bare when safe, quoted and escaped otherwise") {
  CHECK(log::QuoteValue("alice@example.com") == "alice@example.com");
  CHECK(log::QuoteValue("") == "\"\"");
  CHECK(log::QuoteValue("two words") == "\"two words\"");
  CHECK(log::QuoteValue("a=b") == "\"a=b\"");
  CHECK(log::QuoteValue("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(log::QuoteValue("x\r\ny\t\x01\xc3\xa9") == "\"x\\r\\ny\\t\\x01\\xc3\\xa9\"");
}

TEST_CASE("log: a value cannot forge another key or a second line") {
  const std::string line = log::Event("login")
                               .Add("result", "fail")
                               .Add("peer", "192.0.2.1")
                               .Add("user", "x peer=203.0.113.9\nevent=login")
                               .text();
  CHECK(line ==
        "event=login result=fail peer=192.0.2.1 user=\"x peer=203.0.113.9\\nevent=login\"");
}

TEST_CASE("log: long values are cut at kMaxLogValueBytes") {
  const std::string v(slotmail::limits::kMaxLogValueBytes + 10, 'a');
  const std::string q = log::QuoteValue(v);
  CHECK(q == "\"" + v.substr(0, slotmail::limits::kMaxLogValueBytes) + "...\"");
  CHECK(log::Event("e").Add("n", uint64_t{42}).Add("tls", true).AddSeconds("d", 1.5).text() ==
        "event=e n=42 tls=yes d=1.500");
}
