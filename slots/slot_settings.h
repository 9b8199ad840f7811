// What one slot derives from production.dat plus the machine-local file
// (doc/production-dat.md "The machine-local file", "What a slot derives").
// Path naming for slots lives here only: nobody else builds a slot directory
// or control socket path by concatenation.
#pragma once

#include <string>

#include "common/config.h"
#include "common/status.h"
#include "slots/production.h"

namespace slotmail::slots {

// The machine-local file, checked.
struct LocalSettings {
  std::string origin;      // the file name, for messages
  std::string data_dir;    // required; no trailing '/'
  std::string run_dir;     // defaults to data_dir; no trailing '/'
  std::string tls_cert, tls_key, cluster_ca;  // required
  ConfigFile passthrough;  // the tuning keys slotd reads as they are
};

// Loads the machine-local file. InvalidArgument naming the key for an unknown
// key, a key production.dat decides (slot_dir, listeners, store, role, ...)
// or a missing required one; the ReadFile status if it cannot be read.
Result<LocalSettings> LoadLocalSettings(const std::string& path);
Result<LocalSettings> ParseLocalSettings(const std::string& text, const std::string& origin);

// <data_dir>/<machine>-<N>
std::string SlotDirectory(const LocalSettings& local, const SlotDef& slot);
// <run_dir>/<machine>-<N>.sock
std::string ControlSocketPath(const LocalSettings& local, const SlotDef& slot);

// The slotd configuration `slot` ("m1:1") derives: the passthrough keys, the
// TLS files and the keys production.dat decides. NotFound for an unknown slot;
// InvalidArgument if its machine is not defined.
// REQUIRES: `p` passed CheckProduction (else a slot in two stores gets the first).
Result<ConfigFile> DeriveSlotConfig(const Production& p, const std::string& slot,
                                    const LocalSettings& local);

// "key = value" lines sorted by key ("key =" for an empty value), for
// `mailctl config`; ConfigFile::Parse reads them back.
std::string FormatConfig(const ConfigFile& config);

}  // namespace slotmail::slots
