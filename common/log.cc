#include "common/log.h"

#include <unistd.h>

#include <ctime>
#include <mutex>
#include <string>

namespace slotmail::log {
namespace {

std::mutex program_mu;
std::string program = "slotmail";

const char* LevelName(Level level) {
  switch (level) {
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}

}  // namespace

void SetProgram(std::string_view name) {
  std::lock_guard<std::mutex> lock(program_mu);
  program = name;
}

void Write(Level level, std::string_view message) {
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

}  // namespace slotmail::log
