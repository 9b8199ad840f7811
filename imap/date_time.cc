#include "imap/date_time.h"

#include <ctime>

#include "mime/date.h"

namespace slotmail::imap {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<int64_t> ParseDateTime(std::string_view t) {
  const Status bad = Status::InvalidArgument("invalid date-time");
  // The day is two characters, space-padded (" 5-Mar-...") in RFC form;
  // clients also send "5-Mar-..." without padding.
  std::string s(t);
  if (s.size() == 25 && s[1] == '-') s.insert(0, 1, '0');
  if (s.size() == 26 && s[0] == ' ') s[0] = '0';
  if (s.size() != 26 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' ||
      s[17] != ':' || s[20] != ' ' || (s[21] != '+' && s[21] != '-')) {
    return bad;
  }
  int day, year, hh, mm, ss, zh, zm;
  if (!Digits(s, 0, 2, &day) || !Digits(s, 7, 4, &year) || !Digits(s, 12, 2, &hh) ||
      !Digits(s, 15, 2, &mm) || !Digits(s, 18, 2, &ss) || !Digits(s, 22, 2, &zh) ||
      !Digits(s, 24, 2, &zm)) {
    return bad;
  }
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (s.compare(3, 3, kMonths[i]) == 0 ||
        (std::toupper(s[3]) == std::toupper(kMonths[i][0]) &&
         std::tolower(s[4]) == kMonths[i][1] && std::tolower(s[5]) == kMonths[i][2])) {
      month = i + 1;
    }
  }
  if (month < 0 || day < 1 || day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 60 ||
      zh > 23 || zm > 59) {
    return bad;
  }
  int64_t days = mime::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t zone = (zh * 60 + zm) * 60 * (s[21] == '-' ? -1 : 1);
  return days * 86400 + hh * 3600 + mm * 60 + ss - zone;
}

std::string FormatDateTime(int64_t epoch_seconds) {
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace slotmail::imap
