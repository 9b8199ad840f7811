// The replica's side of the replication requests (doc/replication.md
// "Requests"), on its store, whatever the transport. Every request is
// checked field by field; a malformed one changes nothing.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::replication {

// The user a request is about ("" for requests about none), for callers
// that serialise per user. InvalidArgument if "user" is there but invalid.
Result<std::string> RequestUser(const json::Value& request);

// Answers one request: the answer's fields (without "ok"), or the error.
// `attachment`: the bytes sent after the request's line (the message files
// its "blobs" list names, in order); empty for requests without.
Result<json::Value> HandleReplicaRequest(store::Store* replica, const json::Value& request,
                                         std::string_view attachment = {});

}  // namespace slotmail::replication
