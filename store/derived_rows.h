// What the index keeps per GUID that is derived from the message bytes: the
// sort keys (sort_key_rows.h) and the MIME structure (structure_rows.h),
// written with the message rows on every append and on a replica's apply
// (doc/store.md "sort_keys", "mime_structures").
// REQUIRES for the index calls: the caller holds the user's lock and, for
// the writing one, an open transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mime/sort_keys.h"
#include "store/user_index.h"

namespace slotmail::store {

struct DerivedRows {
  mime::SortKeys keys;
  std::string structure;  // mime::SerializeStructure of the parse
};

// Parses `bytes` (a whole message): no I/O, so callers run it outside the
// user's lock.
DerivedRows DeriveRows(std::string_view bytes);

// Inserts or replaces both rows of `guid`.
Status PutDerivedRows(UserIndex* ix, std::string_view guid, const DerivedRows& rows);

// Those of `guids` that lack a current sort_keys or mime_structures row.
Result<std::vector<std::string>> GuidsLackingDerivedRows(UserIndex* ix,
                                                         const std::vector<std::string>& guids);

}  // namespace slotmail::store
