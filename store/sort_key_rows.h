// The sort_keys table of a user's index (doc/store.md "sort_keys"): what
// SORT and THREAD need of each message, keyed by GUID, so sorting reads
// one index query and never the message files.
// REQUIRES for all: the caller holds the user's lock (inside Store::Impl
// Read/Write) and, for the writing one, an open transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mime/sort_keys.h"
#include "store/store.h"
#include "store/user_index.h"

namespace slotmail::store {

// Version of the derivation in mime/sort_keys.cc. Rows of another version
// are recomputed as if absent; raise it when the derivation changes.
inline constexpr int64_t kSortKeysVersion = 2;  // 2: comments in an addr-spec are not names

// Inserts or replaces the keys of `guid`.
Status PutSortKeys(UserIndex* ix, std::string_view guid, const mime::SortKeys& keys);

// True if `guid` has a row of the current version.
Result<bool> HasSortKeys(UserIndex* ix, std::string_view guid);

// The live messages of `box` with lo <= uid <= hi, ascending, with their
// keys, in one query. `missing` gets the positions of those without a
// current row (their keys are left empty).
Result<std::vector<SortRecord>> SortRecordsInRange(UserIndex* ix, int64_t box, uint32_t lo,
                                                   uint32_t hi, std::vector<size_t>* missing);

}  // namespace slotmail::store
