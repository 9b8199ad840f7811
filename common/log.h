// One line per event on stderr: "2026-12-03T14:02:11Z slotd[1234] LEVEL what".
// Thread-safe (one write(2) per line). Operators read these; say what
// happened, to whom, and what follows, never a secret.
#pragma once

#include <string_view>

namespace slotmail::log {

enum class Level { kInfo, kWarning, kError };

// The program name in every line ("slotd"); set once at start.
void SetProgram(std::string_view name);
void Write(Level level, std::string_view message);

inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warning(std::string_view m) { Write(Level::kWarning, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

}  // namespace slotmail::log
