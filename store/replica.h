// What replication reads from a master's store and applies to a replica's
// (replication/, doc/replication.md): a user's whole replicable state as a
// value, or the part of it changed since given modseqs. Mailboxes are
// matched by their unique id (MailboxInfo::id), never by name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/metadata.h"
#include "store/types.h"

namespace slotmail::store {

struct Tombstone {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  bool operator==(const Tombstone&) const = default;
};

struct MailboxImage {
  std::string id;  // the mailbox's unique id (32 hex), survives rename
  std::string name;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highestmodseq = 1;
  uint64_t crc = 0;        // as MailboxInfo::crc
  uint32_t messages = 0;   // live messages
  std::string special_use;
  // complete: `records` holds every live message and `tombstones` every
  // tombstone of the mailbox. Otherwise only those with modseq above
  // `since_modseq` (a delta), or none at all in a summary.
  bool complete = false;
  uint64_t since_modseq = 0;
  std::vector<MessageInfo> records;     // by uid
  std::vector<Tombstone> tombstones;    // by uid
  std::vector<MetadataEntry> metadata;  // always all of the mailbox's, by entry
  bool operator==(const MailboxImage&) const = default;
};

struct UserImage {
  std::string password_hash;  // as stored (hash.h format), never a password
  uint64_t quota_bytes = 0;
  uint64_t quota_messages = 0;
  std::vector<std::string> subscriptions;      // sorted
  std::vector<MetadataEntry> server_metadata;  // mailbox "" entries, by entry
  std::vector<MailboxImage> mailboxes;         // every mailbox, by id
  bool operator==(const UserImage&) const = default;
};

// Mailbox id -> modseq: "send me what changed above this".
using SinceMap = std::map<std::string, uint64_t>;

// A user's state when a new master first wrote to it in its epoch (the
// point where it split from the old master's history; doc/store.md "Split
// points"): per mailbox id, UIDNEXT and HIGHESTMODSEQ then.
struct SplitMailbox {
  uint32_t uidnext = 1;
  uint64_t highestmodseq = 0;
  bool operator==(const SplitMailbox&) const = default;
};
struct SplitPoint {
  uint64_t epoch = 0;
  std::map<std::string, SplitMailbox> mailboxes;
  bool operator==(const SplitPoint&) const = default;
};

}  // namespace slotmail::store
