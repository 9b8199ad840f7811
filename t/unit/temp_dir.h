// A temporary directory for one test, removed with everything in it.
#pragma once

#include <cstdlib>
#include <string>

#include "common/fs.h"

namespace slotmail::testing {

class TempDir {
 public:
  TempDir() : TempDir(std::string()) {}
  // In `base` ("" for $TMPDIR, else /tmp).
  explicit TempDir(std::string base) {
    const char* env = std::getenv("TMPDIR");
    if (base.empty()) base = env ? env : "/tmp";
    std::string tmpl = base + "/slotmail-t.XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    if (!path_.empty()) (void)fs::RemoveTree(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace slotmail::testing
