#include "imap/date_time.h"

#include <doctest/doctest.h>

using slotmail::imap::FormatDateTime;
using slotmail::imap::ParseDateTime;

TEST_CASE("imap date-time: parses RFC 3501 forms with zones, formats in UTC") {
  auto t = ParseDateTime("17-Jul-1996 02:44:25 -0700");
  REQUIRE(t.ok());
  CHECK(*t == 837596665);  // 1996-07-17 09:44:25 UTC
  CHECK(FormatDateTime(*t) == "17-Jul-1996 09:44:25 +0000");
  CHECK(*ParseDateTime(" 5-Mar-2024 00:00:00 +0000") == *ParseDateTime("05-Mar-2024 00:00:00 +0000"));
  CHECK(*ParseDateTime("5-Mar-2024 00:00:00 +0000") == 1709596800);
  CHECK(*ParseDateTime("05-mar-2024 01:00:00 +0100") == 1709596800);
  CHECK(FormatDateTime(0) == "01-Jan-1970 00:00:00 +0000");
}

TEST_CASE("imap date-time: malformed values are refused") {
  for (const char* bad : {"", "17-Jul-1996", "17-Jux-1996 02:44:25 -0700", "32-Jul-1996 02:44:25 -0700",
                          "17-Jul-1996 24:44:25 -0700", "17-Jul-1996 02:44:25 0700",
                          "17-Jul-1996 02:44:25 -07000", "aa-Jul-1996 02:44:25 -0700"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDateTime(bad).ok());
  }
}
