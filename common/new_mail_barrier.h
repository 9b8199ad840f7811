// What a store's sync replication mode asks of the servers that take new
// mail (IMAP APPEND/COPY/MOVE, LMTP): ask before storing, wait after. The
// servers know only this interface; slotd implements it with the
// replicator (doc/replication.md "Sync mode"). Called on worker threads.
#pragma once

#include <string>

#include "common/status.h"

namespace slotmail {

// The messages of the barrier's errors (IOError), which the servers map to
// their temporary refusals (IMAP NO [UNAVAILABLE], LMTP 451 4.3.0).
inline constexpr char kReplicaUnreachable[] = "a replica of this store is unreachable";
inline constexpr char kReplicasDidNotConfirm[] = "the replicas of this store did not confirm the message";

class NewMailBarrier {
 public:
  virtual ~NewMailBarrier() = default;
  // Before new mail for `user` is stored: an error refuses it, and nothing
  // is stored (a replica is known to be unreachable and the store's policy
  // is to fail writes then).
  virtual Status Admit(const std::string& user) = 0;
  // After it is durable here: returns once every replica has it durably,
  // or the error the client gets instead of OK (temporary: try again).
  virtual Status Confirm(const std::string& user) = 0;
};

}  // namespace slotmail
