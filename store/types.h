// Value types shared by the store's public API. No behaviour here.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slotmail::store {

// IMAP system flags as bits. \Recent is a session notion and is not stored.
enum SystemFlag : uint32_t {
  kFlagSeen = 1u << 0,
  kFlagAnswered = 1u << 1,
  kFlagFlagged = 1u << 2,
  kFlagDeleted = 1u << 3,
  kFlagDraft = 1u << 4,
};
inline constexpr uint32_t kAllSystemFlags = 0x1f;

// A message's flags. `keywords` is kept sorted and without case-insensitive
// duplicates by the store (see flags.h: NormalizeFlags).
struct Flags {
  uint32_t system = 0;
  std::vector<std::string> keywords;
  bool operator==(const Flags&) const = default;
};

// An inclusive UID range; hi may be UINT32_MAX to mean "*".
struct UidRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
};
using UidSet = std::vector<UidRange>;  // unordered, may overlap

struct MailboxInfo {
  std::string name;        // UTF-8, '/'-separated, INBOX spelled "INBOX"
  std::string id;          // 32 hex chars, random at creation, survives rename
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highestmodseq = 1;
  uint64_t crc = 0;        // XOR of RecordHash over live messages (checksum.h)
  uint32_t messages = 0;   // live message count
  uint32_t unseen = 0;     // live messages without \Seen
  uint64_t bytes = 0;      // sum of live message sizes
  std::string special_use; // "" or one of \Drafts \Sent \Trash \Junk \Archive \All \Flagged
  bool subscribed = false;
  bool has_children = false;
};

struct MessageInfo {
  uint32_t uid = 0;
  std::string guid;        // 64 hex chars: SHA-256 of the message bytes
  uint64_t size = 0;
  int64_t internal_date = 0;  // seconds since the epoch (UTC)
  Flags flags;
  uint64_t modseq = 0;
  bool operator==(const MessageInfo&) const = default;
};

struct QuotaInfo {
  uint64_t limit_bytes = 0;     // 0: unlimited
  uint64_t limit_messages = 0;  // 0: unlimited
  uint64_t used_bytes = 0;
  uint64_t used_messages = 0;
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
  std::string guid;
  uint64_t modseq = 0;
};

// UIDPLUS-style mapping for COPY and MOVE.
struct CopyResult {
  uint32_t dst_uidvalidity = 0;
  std::vector<uint32_t> src_uids;  // ascending
  std::vector<uint32_t> dst_uids;  // dst_uids[i] is the copy of src_uids[i]
};

enum class FlagOp { kAdd, kRemove, kReplace };

struct StoreFlagsResult {
  std::vector<MessageInfo> changed;  // messages whose flags changed, new state
  std::vector<uint32_t> failed;      // UNCHANGEDSINCE failures (RFC 7162 MODIFIED)
  uint64_t highestmodseq = 0;        // of the mailbox after the call
};

struct ExpungeResult {
  std::vector<uint32_t> uids;  // expunged, ascending
  uint64_t highestmodseq = 0;
};

// A position in the change log; opaque to consumers apart from ordering.
struct ChangeLogPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  auto operator<=>(const ChangeLogPosition&) const = default;
};

struct ChangeBatch {
  std::vector<std::string> users;  // in log order, may repeat
  ChangeLogPosition end;           // pass to AckChanges once handled
};

}  // namespace slotmail::store
