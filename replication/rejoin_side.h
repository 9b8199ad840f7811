// The new master's side of a rejoin (doc/replication.md "Rejoin"): the
// requests a fenced old master sends, over a replication channel opened
// with "rejoin": true, to copy back what only it holds. Each is checked
// field by field; what it adds goes through the store's ordinary write
// operations (new UIDs, the change log), so the new master's replicas get
// it like any client's change.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::replication {

// True for the requests HandleRejoinRequest answers.
bool IsRejoinRequest(const json::Value& request);

// Answers one rejoin request on the new master's store: the answer's fields
// (without "ok"), or the error.
Result<json::Value> HandleRejoinRequest(store::Store* master, const json::Value& request,
                                        std::string_view attachment = {});

}  // namespace slotmail::replication
