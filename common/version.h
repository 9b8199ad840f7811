// The version and build of the binaries (`slotd --version`, `mailctl
// --version`). Only version.cc sees the build's defines (the Makefile's
// SLOTMAIL_VERSION and SLOTMAIL_BUILD), so a new commit recompiles one file.
#pragma once

#include <string>

namespace slotmail {

// "slotmail-0.1.0"'s number: "0.1.0"; "unknown" if the build did not say.
const char* Version();
// "<program> <version> (build: <git describe or unknown>, <compiler>,
// <compile date>)", e.g. "slotd 0.1.0 (build: 9d57668-dirty, gcc 12.2.0,
// Dec  3 2026)".
std::string VersionLine(const std::string& program);

}  // namespace slotmail
