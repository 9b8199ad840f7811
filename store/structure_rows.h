// The mime_structures table of a user's index (doc/store.md
// "mime_structures"): each message's parsed MIME structure in the compact
// form of mime/serialize.h, keyed by GUID, so FETCH of ENVELOPE, BODY and
// BODYSTRUCTURE reads one index query and never the message files.
// REQUIRES for all: the caller holds the user's lock (inside Store::Impl
// Read/Write) and, for the writing one, an open transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/user_index.h"

namespace slotmail::store {

// Version of the derivation (mime::ParseMessage, then SerializeStructure).
// Rows of another version are recomputed as if absent; raise it when the
// parser's results or the serialized form change.
inline constexpr int64_t kStructureVersion = 2;  // 2: comments in an addr-spec are not names

// Inserts or replaces the serialized structure of `guid`.
Status PutStructure(UserIndex* ix, std::string_view guid, std::string_view serialized);

// For each of `guids` (in order), its serialized structure of the current
// version, or "" if the index has none. One query, whatever the count.
Result<std::vector<std::string>> GetStructures(UserIndex* ix,
                                               const std::vector<std::string>& guids);

}  // namespace slotmail::store
