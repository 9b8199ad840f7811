#include "common/version.h"

// Set by the Makefile for this file only; a build without them (a tarball
// without .git, another build system) says "unknown".
#ifndef SLOTMAIL_VERSION
#define SLOTMAIL_VERSION "unknown"
#endif
#ifndef SLOTMAIL_BUILD
#define SLOTMAIL_BUILD "unknown"
#endif

#if defined(__clang__)
#define SLOTMAIL_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define SLOTMAIL_COMPILER "gcc " __VERSION__
#else
#define SLOTMAIL_COMPILER "unknown compiler"
#endif

namespace slotmail {

const char* Version() { return SLOTMAIL_VERSION; }

std::string VersionLine(const std::string& program) {
  return program + " " + SLOTMAIL_VERSION + " (build: " + SLOTMAIL_BUILD + ", " +
         SLOTMAIL_COMPILER + ", " + __DATE__ + ")";
}

}  // namespace slotmail
