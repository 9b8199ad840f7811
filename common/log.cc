#include "common/log.h"

#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "common/limits.h"

namespace slotmail::log {
namespace {

std::mutex program_mu;
std::string program = "slotmail";  // under program_mu; syslog keeps a pointer to it
std::atomic<Target> target{Target::kStderr};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}

int SyslogPriority(Level level) {
  switch (level) {
    case Level::kInfo: return LOG_INFO;
    case Level::kWarning: return LOG_WARNING;
    case Level::kError: return LOG_ERR;
  }
  return LOG_ERR;
}

bool Bare(unsigned char c) { return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '='; }

}  // namespace

void SetProgram(std::string_view name) {
  std::lock_guard<std::mutex> lock(program_mu);
  program = name;
}

void SetTarget(Target t) {
  if (t == Target::kSyslog) {
    std::lock_guard<std::mutex> lock(program_mu);
    // openlog keeps the pointer: `program` must not change after this.
    ::openlog(program.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
  }
  target.store(t);
}

void Write(Level level, std::string_view message) {
  if (target.load() == Target::kSyslog) {
    ::syslog(SyslogPriority(level), "%.*s", static_cast<int>(message.size()), message.data());
    return;
  }
  char stamp[32];
  std::time_t now = std::time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = stamp;
  {
    std::lock_guard<std::mutex> lock(program_mu);
    line += " " + program;
  }
  line += "[" + std::to_string(::getpid()) + "] " + LevelName(level) + " ";
  line += message;
  line += '\n';
  // One write: lines from several threads never interleave.
  ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  (void)n;
}

std::string QuoteValue(std::string_view value) {
  const bool cut = value.size() > limits::kMaxLogValueBytes;
  if (cut) value = value.substr(0, limits::kMaxLogValueBytes);
  bool bare = !value.empty() && !cut;
  for (unsigned char c : value) bare = bare && Bare(c);
  if (bare) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c >= ' ' && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

Event::Event(std::string_view name) : text_("event=") { text_ += QuoteValue(name); }

Event& Event::Add(std::string_view key, std::string_view value) {
  text_ += ' ';
  text_ += key;
  text_ += '=';
  text_ += QuoteValue(value);
  return *this;
}

Event& Event::Add(std::string_view key, uint64_t value) { return Add(key, std::to_string(value)); }

Event& Event::AddSeconds(std::string_view key, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  return Add(key, std::string_view(buf));
}

}  // namespace slotmail::log
