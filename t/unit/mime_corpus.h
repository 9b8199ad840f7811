// The MIME corpus (t/mime_corpus) for tests that run over its messages.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace slotmail::testing {

// The source tree: $SLOTMAIL_SOURCE_DIR, else derived from this file's path,
// else the current directory.
inline std::filesystem::path SourceDir() {
  if (const char* d = std::getenv("SLOTMAIL_SOURCE_DIR"); d && *d) return d;
  std::string here = __FILE__;
  std::string suffix = "t/unit/mime_corpus.h";
  if (here.size() > suffix.size() && here.ends_with("/" + suffix)) {
    std::filesystem::path root = here.substr(0, here.size() - suffix.size() - 1);
    if (std::filesystem::exists(root / "t/mime_corpus")) return root;
  }
  return ".";
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace slotmail::testing
