// Role changes written into production.dat (doc/production-dat.md): the text
// is edited in place, so comments and layout stay as the operator wrote
// them; the serial rises by one; the result must pass every check.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace slotmail::slots {

// `text` (the file `origin`) with store `store`'s master moved to
// `new_master`, one of its replicas, at epoch `epoch`: the old master takes
// the new master's place in the replica list. InvalidArgument when the
// file has problems, the store is unknown, `new_master` is not one of its
// replicas or `epoch` is not above the store's.
Result<std::string> WithNewMaster(const std::string& text, const std::string& origin,
                                  const std::string& store, const std::string& new_master,
                                  uint64_t epoch);

}  // namespace slotmail::slots
