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

// `text` with `add` appended to store `store`'s replicas and/or `remove`
// taken out of them (either may be ""), the serial + 1, the epoch as it
// is. InvalidArgument when the file has problems, `add` is a slot of the
// store already or the result fails a check (a slot in two stores, a
// store left without a replica, ...), or `remove` is not a replica.
Result<std::string> WithReplicaChange(const std::string& text, const std::string& origin,
                                      const std::string& store, const std::string& add,
                                      const std::string& remove);

}  // namespace slotmail::slots
