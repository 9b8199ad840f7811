// Rejoin, the old master's side (doc/replication.md "Rejoin"): a fenced
// old master compares every user it holds with the store's new master and
// copies back, through the new master's ordinary writes, what only it has
// (reconcile.h decides what). Afterwards it can become the new master's
// replica without losing anything: the replica sync then makes it equal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "replication/channel.h"
#include "store/store.h"

namespace slotmail::replication {

struct RejoinedMessage {
  std::string user;
  std::string mailbox;  // on the new master
  uint32_t old_uid = 0;
  uint32_t new_uid = 0;
  std::string guid;
  std::string why;
};

struct RejoinReport {
  size_t users = 0;  // compared
  std::vector<RejoinedMessage> copied;
  std::vector<std::string> users_created;      // only the old master had them
  std::vector<std::string> mailboxes_created;  // "user/mailbox"
  size_t flags_restored = 0;
  size_t expunges_applied = 0;
  // Changes not made because the new master changed the message meanwhile,
  // and differences left as the new master has them ("user: what").
  std::vector<std::string> notes;
};

// Reconciles every user of `mine` into the new master behind `master` (a
// channel opened with "rejoin": true). `after_epoch`: the last epoch in
// which `mine` was master. `progress` is told each user done (may be
// empty). REQUIRES: `mine` takes no client writes (it is fenced). Stops at
// the first error: what was copied before it stays copied, and running it
// again copies nothing twice (a message is matched by GUID).
Result<RejoinReport> Rejoin(store::Store* mine, ReplicaChannel* master, uint64_t after_epoch,
                            const std::function<void(const std::string& user)>& progress = {});

}  // namespace slotmail::replication
