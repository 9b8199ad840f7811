// One line per event (doc/logging.md). On stderr:
//   "2026-12-03T14:02:11Z slotd[1234] warning event=login result=fail peer=..."
// or, with SetTarget(kSyslog), the part after the level through syslog(3)
// with facility LOG_MAIL (syslog adds its own time, name and pid).
// Thread-safe (one write(2) or syslog(3) call per line). Operators read
// these; say what happened, to whom, and what follows, never a secret.
//
// Events are key=value lines built with Event; Info/Warning/Error take a
// free-text notice (replication, roles, control) for a human to read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace slotmail::log {

enum class Level { kInfo, kWarning, kError };
enum class Target { kStderr, kSyslog };

// The program name in every line ("slotd"); set once at start.
void SetProgram(std::string_view name);
// Where lines go from now on (default kStderr). kSyslog opens syslog with
// the program name, LOG_PID and LOG_MAIL.
void SetTarget(Target target);
void Write(Level level, std::string_view message);

inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warning(std::string_view m) { Write(Level::kWarning, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

// A value as it appears in an event line: bare if it is non-empty printable
// ASCII without space, double quote, backslash or '='; else in double
// quotes, escaping the quote, the backslash, newline, CR and tab C-style,
// and other bytes outside printable ASCII as \xHH. Values longer than
// limits::kMaxLogValueBytes are cut there and end in "..." (doc/logging.md).
std::string QuoteValue(std::string_view value);

// "event=NAME key=value ...", keys in the order added. Keys are fixed
// words of the code, never input. Usage:
//   log::Event("login").Add("result", "fail").Add("peer", ip).Warning();
class Event {
 public:
  explicit Event(std::string_view name);
  Event& Add(std::string_view key, std::string_view value);
  Event& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
  Event& Add(std::string_view key, const std::string& value) {
    return Add(key, std::string_view(value));
  }
  Event& Add(std::string_view key, uint64_t value);
  Event& Add(std::string_view key, bool value) { return Add(key, value ? "yes" : "no"); }
  // Seconds with millisecond precision ("12.345").
  Event& AddSeconds(std::string_view key, double seconds);

  const std::string& text() const { return text_; }
  void Info() const { Write(Level::kInfo, text_); }
  void Warning() const { Write(Level::kWarning, text_); }
  void Error() const { Write(Level::kError, text_); }

 private:
  std::string text_;
};

}  // namespace slotmail::log
