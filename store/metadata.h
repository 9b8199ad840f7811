// Mailbox and server annotations (IMAP METADATA, RFC 5464) as the store
// keeps them: entry names and the value type. Pure functions, no I/O.
// Disk format: doc/store.md "Index" (table metadata).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::store {

struct MetadataEntry {
  std::string entry;  // canonical name, e.g. "/private/comment"
  std::string value;  // any bytes, NUL included
  bool operator==(const MetadataEntry&) const = default;
};

// One change of Store::SetMetadata: a new value, or nullopt to remove.
struct MetadataChange {
  std::string entry;
  std::optional<std::string> value;
};

// Checks an entry name (RFC 5464 3.2) and returns it canonical (lower
// case: entry names are case-insensitive). Rules: printable US-ASCII, no
// '*' or '%', starts with "/private/" or "/shared/" followed by at least one
// component, no empty component ("//" or a trailing '/'), at most
// kMaxMetadataEntryNameBytes. With `allow_root`, "/private" and "/shared"
// alone pass too (a GETMETADATA with DEPTH may start there).
// InvalidArgument otherwise, TooBig when too long.
Result<std::string> CanonicalMetadataEntry(std::string_view entry, bool allow_root = false);

// True if `entry` is `base` or below it at most `depth` levels
// ("/a/b" is 1 below "/a"). REQUIRES: both canonical.
bool MetadataEntryWithin(std::string_view entry, std::string_view base, size_t depth);

}  // namespace slotmail::store
