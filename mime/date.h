// RFC 5322 3.3 Date header values (and the obsolete and broken forms real
// mail carries) to a point in time, for SORT DATE and SEARCH SENT*.
// Pure functions: no I/O, no state, no dependence on the local time zone.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace slotmail::mime {

struct DateTime {
  int64_t epoch_seconds = 0;  // UTC seconds since 1970-01-01T00:00:00Z
  int zone_minutes = 0;       // the written zone's offset east of UTC (+0100 -> 60)
  bool operator==(const DateTime&) const = default;
};

// Parses e.g. "Tue, 1 Jul 2003 10:52:37 +0200 (CEST)". Tolerated: no
// day-of-week, any case, full month names, "1-Jul-2003", asctime order
// ("Tue Jul  1 10:52:37 2003"), 2-digit years (< 50 -> 20xx, else 19xx) and
// 3-digit years (+1900) per RFC 5322 4.3, no seconds, "." for ":", no time
// (midnight), comments, obsolete zone names (UT, GMT, EST...; military
// letters and unknown names count as +0000 per 4.3), a missing zone (+0000).
// InvalidArgument if no day, month and year can be found or a field is out
// of range (day 31 of a 30-day month, hour 24, zone beyond +-99:59...).
Result<DateTime> ParseDate(std::string_view value);

// Days since 1970-01-01 of a proleptic Gregorian date. REQUIRES: month 1..12.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace slotmail::mime
