// The master's view of one replica: request in, answer out. The sync logic
// (user_sync.h) is written against this and nothing else, so the same logic
// runs over TCP+TLS between slotds (tcp_channel.h) and over an in-process
// pipe in tests (DirectChannel).
#pragma once

#include <chrono>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::replication {

class ReplicaChannel {
 public:
  virtual ~ReplicaChannel() = default;
  // Sends one request (doc/replication.md "Requests"), followed by
  // `attachment` (the message files its "blobs" list names), and returns
  // the answer's fields when ok; an error answer becomes the Status it names.
  virtual Result<json::Value> Call(const json::Value& request, std::string_view attachment = {}) = 0;
  // The longest one Call may take from now on (a transport without
  // timeouts ignores it).
  virtual void SetCallTimeout(std::chrono::milliseconds timeout) { (void)timeout; }
};

// A replica in this process: every request and answer still goes through
// the JSON writer and parser, so tests exercise the wire format. Rejoin
// requests (rejoin_side.h) are answered as a new master would.
class DirectChannel : public ReplicaChannel {
 public:
  explicit DirectChannel(store::Store* replica) : replica_(replica) {}
  Result<json::Value> Call(const json::Value& request, std::string_view attachment = {}) override;

 private:
  store::Store* replica_;
};

}  // namespace slotmail::replication
