// Reading a slot's configuration file into ServerConfig. The file format
// and every key are documented in doc/slotd.md and by `slotd --help`.
#pragma once

#include <string>

#include "common/config.h"
#include "imapd/server.h"

namespace slotmail::imapd {

// The help text listing every key with its default.
const char* ConfigHelp();

// Builds the server configuration from `file`; InvalidArgument naming the
// key for an unknown key or a bad value.
Result<ServerConfig> ServerConfigFrom(const ConfigFile& file);

}  // namespace slotmail::imapd
