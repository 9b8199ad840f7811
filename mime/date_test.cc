#include "mime/date.h"

#include <doctest/doctest.h>

#include <string>

namespace slotmail::mime {
namespace {

// Epoch seconds, or -1 if the value is refused.
int64_t Epoch(std::string_view v) {
  Result<DateTime> r = ParseDate(v);
  return r.ok() ? r->epoch_seconds : -1;
}

int Zone(std::string_view v) {
  Result<DateTime> r = ParseDate(v);
  REQUIRE(r.ok());
  return r->zone_minutes;
}

TEST_CASE("mime: civil days match known dates") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
  CHECK(DaysFromCivil(2024, 2, 29) == 19782);
}

TEST_CASE("mime: RFC 5322 dates with numeric zones") {
  CHECK(Epoch("Fri, 21 Nov 1997 09:55:06 -0600") == 880127706);
  CHECK(Epoch("Tue, 1 Jul 2003 10:52:37 +0200") == 1057049557);
  CHECK(Epoch("Thu, 1 Jan 1970 00:00:00 +0000") == 0);
  CHECK(Zone("Fri, 21 Nov 1997 09:55:06 -0600") == -360);
  CHECK(Zone("Tue, 1 Jul 2003 10:52:37 +0530") == 330);
}

TEST_CASE("mime: dates without day of week or seconds, with comments and folding") {
  CHECK(Epoch("21 Nov 1997 09:55:06 -0600") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 09:55 -0600") == 880127700);
  CHECK(Epoch("Fri, 21 Nov 1997 09:55:06 -0600 (CST)") == 880127706);
  CHECK(Epoch("Fri,\r\n 21 Nov 1997\r\n 09:55:06\r\n -0600") == 880127706);
  CHECK(Epoch("(comment) Fri, 21 Nov 1997 09:55:06 -0600") == 880127706);
}

TEST_CASE("mime: obsolete zone names and military letters") {
  CHECK(Epoch("Fri, 21 Nov 1997 09:55:06 CST") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06 GMT") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06 UT") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 07:55:06 PST") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06 Z") == 880127706);
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06 A") == 880127706);  // RFC 5322 4.3: as -0000
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06") == 880127706);    // no zone: UTC
  CHECK(Epoch("Fri, 21 Nov 1997 15:55:06 XYZT") == 880127706);
}

TEST_CASE("mime: two- and three-digit years per RFC 5322 4.3") {
  CHECK(Epoch("21 Nov 97 15:55:06 +0000") == 880127706);
  CHECK(Epoch("21 Nov 097 15:55:06 +0000") == 880127706);
  CHECK(Epoch("1 Jan 03 00:00:00 +0000") == Epoch("1 Jan 2003 00:00:00 +0000"));
  CHECK(Epoch("1 Jan 49 00:00:00 +0000") == Epoch("1 Jan 2049 00:00:00 +0000"));
  CHECK(Epoch("1 Jan 50 00:00:00 +0000") == Epoch("1 Jan 1950 00:00:00 +0000"));
}

TEST_CASE("mime: other orders and spellings real mail uses") {
  int64_t want = 880127706;
  CHECK(Epoch("Fri Nov 21 15:55:06 1997") == want);                 // asctime
  CHECK(Epoch("friday, 21 november 1997 15:55:06 +0000") == want);  // full names, any case
  CHECK(Epoch("21-Nov-1997 15:55:06 +0000") == want);               // IMAP-style
  CHECK(Epoch("Fri, 21 Nov 1997 15.55.06 +0000") == want);
  CHECK(Epoch("1997 Nov 21 15:55:06") == want);
  CHECK(Epoch("Fri, 21 Nov 1997") == 880070400);                     // no time: midnight
}

TEST_CASE("mime: leap days and the last second") {
  CHECK(Epoch("29 Feb 2024 00:00:00 +0000") == 19782LL * 86400);
  CHECK(Epoch("29 Feb 2023 00:00:00 +0000") == -1);
  CHECK(Epoch("29 Feb 2000 00:00:00 +0000") > 0);
  CHECK(Epoch("29 Feb 1900 00:00:00 +0000") == -1);
  CHECK(Epoch("31 Dec 1998 23:59:60 +0000") == Epoch("1 Jan 1999 00:00:00 +0000"));
}

TEST_CASE("mime: dates that cannot be read are refused") {
  for (const char* v : {"", "yesterday", "Fri, 21 1997 09:55:06", "Nov 1997", "32 Nov 1997",
                        "31 Nov 1997 10:00:00", "21 Nov 1997 24:00:00", "21 Nov 1997 10:60:00",
                        "21 Nov 10:00:00", "\xff\xfe\x00garbage"}) {
    CAPTURE(v);
    CHECK_FALSE(ParseDate(v).ok());
  }
  CHECK(ParseDate("yesterday").status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace slotmail::mime
