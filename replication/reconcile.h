// Rejoin's decision (doc/replication.md "Rejoin"): what a fenced old
// master holds that the store's new master lacks, for one user, from both
// sides' complete images and the new master's split point (its state when
// it first wrote in its epoch). Pure: no I/O, so every rule is unit-tested.
//
// The rules (Cyrus's split-brain repair, REPLICATION-NOTES.md, adapted):
// - a UID below the split point's UIDNEXT names the same message on both
//   sides (both had it when the new master took over); at or above it, each
//   side minted its own, so the old master's are new mail;
// - new mail of the old master is appended to the new master with a new
//   UID (never at a UID the new master may have used), unless the same
//   message (GUID) is already live in that mailbox there;
// - a message the new master deleted (a tombstone) stays deleted; one the
//   new master has neither live nor as a tombstone is copied back;
// - flags the old master changed after the split point win unless the new
//   master changed them too with an equal or higher modseq;
// - the old master's expunges after the split point are applied only to
//   messages the new master has not touched since;
// - a mailbox only the old master has is created (it was made during the
//   split) or, if the new master had it at the split and deleted it, only
//   the old master's new mail goes back, into a mailbox of that name;
// - renames, subscriptions, metadata, quota and passwords stay as the new
//   master has them; differences are noted, never silently dropped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/replica.h"

namespace slotmail::replication {

// A message to append to the new master: `msg` as the old master has it
// (GUID, flags, internal date, size; its UID there is `msg.uid`).
struct CopyBack {
  std::string mailbox;  // name on the new master
  store::MessageInfo msg;
  std::string why;
};

// Flags to set on the new master's message, if it is still at `modseq`.
struct FlagRestore {
  std::string mailbox;
  uint32_t uid = 0;
  store::Flags flags;
  uint64_t modseq = 0;
};

// A message of the new master the old master expunged after the split.
struct ExpungeRestore {
  std::string mailbox;
  uint32_t uid = 0;
  uint64_t modseq = 0;  // the new master's, as for FlagRestore
};

struct MailboxCreate {
  std::string name;
  std::string special_use;
};

struct UserPlan {
  // The new master has no such user: the old master's whole image goes.
  bool create_user = false;
  std::vector<MailboxCreate> creates;
  std::vector<CopyBack> copies;
  std::vector<FlagRestore> flags;
  std::vector<ExpungeRestore> expunges;
  std::vector<std::string> notes;  // differences seen and left as they are
  bool empty() const {
    return !create_user && creates.empty() && copies.empty() && flags.empty() && expunges.empty();
  }
};

// REQUIRES: both images complete (ReadUserImage with no since). `theirs`
// null: the new master lacks the user. `split` nullopt: the new master has
// not written to the user in its epoch (its state now is the split point).
UserPlan PlanRejoin(const store::UserImage& mine, const store::UserImage* theirs,
                    const std::optional<store::SplitPoint>& split);

}  // namespace slotmail::replication
