// SM_CHECK(cond) << values: for impossible states only. Untrusted input and
// environment failures are Status values, never CHECKs.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace slotmail::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond) {
    os_ << file << ":" << line << ": CHECK failed: " << cond << " ";
  }
  [[noreturn]] ~CheckFailure() {
    std::fprintf(stderr, "%s\n", os_.str().c_str());
    std::fflush(stderr);
    std::abort();
  }
  template <typename T>
  CheckFailure& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  std::ostringstream os_;
};

}  // namespace slotmail::internal

#define SM_CHECK(cond) \
  if (cond) {       \
  } else            \
    ::slotmail::internal::CheckFailure(__FILE__, __LINE__, #cond)
