#include "mime/date.h"

#include <optional>
#include <string>
#include <vector>

#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::string_view kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

struct NamedZone {
  std::string_view name;
  int minutes;
};
constexpr NamedZone kZones[] = {{"ut", 0},      {"utc", 0},     {"gmt", 0},     {"z", 0},
                                {"est", -300},  {"edt", -240},  {"cst", -360},  {"cdt", -300},
                                {"mst", -420},  {"mdt", -360},  {"pst", -480},  {"pdt", -420}};

// Month 1..12 from a name or its 3-letter prefix ("jul", "July"), or 0.
unsigned MonthOf(std::string_view word) {
  if (word.size() < 3) return 0;
  std::string w = LowerAscii(word);
  for (unsigned i = 0; i < 12; ++i) {
    if (w.compare(0, 3, kMonths[i]) == 0) return i + 1;
  }
  return 0;
}

bool IsWeekday(std::string_view word) {
  if (word.size() < 3) return false;
  std::string w = LowerAscii(word.substr(0, 3));
  for (std::string_view d : kWeekdays) {
    if (w == d) return true;
  }
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// REQUIRES: AllDigits(s); s has at most 9 digits.
int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Words of the value: comments removed, split at whitespace and ','; a word
// like "1-Jul-2003" is split at '-'.
std::vector<std::string_view> Words(std::string_view v) {
  std::vector<std::string_view> words;
  int depth = 0;
  size_t start = std::string_view::npos;
  auto end_word = [&](size_t i) {
    if (start != std::string_view::npos) words.push_back(v.substr(start, i - start));
    start = std::string_view::npos;
  };
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '(') {
      end_word(i);
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0 && (IsWsp(c) || c == ',' || c == '\r' || c == '\n')) {
      end_word(i);
    } else if (depth == 0 && start == std::string_view::npos) {
      start = i;
    }
  }
  end_word(v.size());
  std::vector<std::string_view> out;
  for (std::string_view w : words) {
    bool has_alpha = false;
    for (char c : w) has_alpha |= IsAlpha(c);
    size_t dash = w.find('-');
    if (has_alpha && dash != std::string_view::npos && dash > 0) {
      while (!w.empty()) {
        size_t d = w.find('-');
        if (d != 0) out.push_back(w.substr(0, d));
        if (d == std::string_view::npos) break;
        w.remove_prefix(d + 1);
      }
    } else {
      out.push_back(w);
    }
  }
  return out;
}

// "hh:mm[:ss]" (or with '.'); false if it is not a time.
bool ParseTime(std::string_view w, int* h, int* m, int* s) {
  int parts[3] = {0, 0, 0};
  int n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= w.size(); ++i) {
    if (i == w.size() || w[i] == ':' || w[i] == '.') {
      std::string_view p = w.substr(start, i - start);
      if (n >= 3 || !AllDigits(p) || p.size() > 2) return false;
      parts[n++] = ToInt(p);
      start = i + 1;
    }
  }
  if (n < 2) return false;
  *h = parts[0];
  *m = parts[1];
  *s = parts[2];
  return true;
}

// "+hhmm" / "-hhmm" or a zone name; nullopt if the word is not a zone.
std::optional<int> ParseZone(std::string_view w) {
  if ((w[0] == '+' || w[0] == '-') && w.size() == 5 && AllDigits(w.substr(1))) {
    int hh = ToInt(w.substr(1, 2)), mm = ToInt(w.substr(3, 2));
    if (mm > 59) return std::nullopt;
    return (w[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  }
  std::string lw = LowerAscii(w);
  for (const NamedZone& z : kZones) {
    if (lw == z.name) return z.minutes;
  }
  if (w.size() == 1 && IsAlpha(w[0])) return 0;  // military zones: RFC 5322 4.3 says treat as -0000
  return std::nullopt;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<DateTime> ParseDate(std::string_view value) {
  int day = -1, year = -1, hour = 0, minute = 0, second = 0;
  unsigned month = 0;
  bool have_time = false;
  std::optional<int> zone;
  for (std::string_view w : Words(value)) {
    int h, m, s;
    if (month == 0 && MonthOf(w) != 0 && !IsWeekday(w)) {
      month = MonthOf(w);
    } else if (IsWeekday(w) && !AllDigits(w)) {
      continue;
    } else if (!have_time && ParseTime(w, &h, &m, &s)) {
      hour = h, minute = m, second = s;
      have_time = true;
    } else if (AllDigits(w) && w.size() <= 4) {
      int n = ToInt(w);
      if (day < 0 && w.size() <= 2 && n >= 1 && n <= 31) {
        day = n;
      } else if (year < 0) {
        year = w.size() <= 2 ? (n < 50 ? 2000 + n : 1900 + n) : w.size() == 3 ? 1900 + n : n;
      }
    } else if (!zone && (zone = ParseZone(w))) {
      continue;
    }
  }
  if (day < 0 || month == 0 || year < 0) {
    return Status::InvalidArgument("date has no day, month and year");
  }
  if (static_cast<unsigned>(day) > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 60) {
    return Status::InvalidArgument("date has a field out of range");
  }
  DateTime dt;
  dt.zone_minutes = zone.value_or(0);
  dt.epoch_seconds = DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 +
                     hour * 3600 + minute * 60 + second - dt.zone_minutes * 60;
  return dt;
}

}  // namespace slotmail::mime
