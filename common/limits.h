// Every limit slotmail enforces, each with the reason it has that value.
// Change a limit here, never by a literal at the point of use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace slotmail::limits {

// ---- names
// A user name is an address-like login; 128 covers real addresses with room.
inline constexpr size_t kMaxUserNameBytes = 128;
// Whole mailbox name in UTF-8; generous for deep trees, small enough to index.
inline constexpr size_t kMaxMailboxNameBytes = 1024;
// One hierarchy component; matches common file-system and client limits.
inline constexpr size_t kMaxMailboxComponentBytes = 255;
// Hierarchy depth; deeper trees are abuse, not filing.
inline constexpr size_t kMaxMailboxDepth = 32;
// A keyword flag (RFC 3501 atom); clients use short ones.
inline constexpr size_t kMaxKeywordBytes = 128;
// Distinct keywords on one message; a client setting more is misbehaving.
inline constexpr size_t kMaxKeywordsPerMessage = 64;
// Passwords are hashed; bound the work an attacker can hand us.
inline constexpr size_t kMaxPasswordBytes = 1024;
// Mailboxes per user; listing and replication stay O(mailboxes).
inline constexpr size_t kMaxMailboxesPerUser = 10000;

// ---- store
// Default largest message (StoreOptions::max_message_bytes).
inline constexpr uint64_t kDefaultMaxMessageBytes = 64ull << 20;
// User indexes kept open at once; the rest are reopened on demand.
inline constexpr size_t kMaxOpenUserIndexes = 512;
// A change-log segment is rotated past this size; acked segments are deleted.
inline constexpr uint64_t kChangeLogSegmentBytes = 4ull << 20;
// Salt for password hashes, bytes.
inline constexpr size_t kPasswordSaltBytes = 16;
// Fewest PBKDF2 iterations a stored hash may claim; weaker ones are refused.
inline constexpr uint32_t kMinKdfIterations = 1000;

}  // namespace slotmail::limits
