// RFC 3501 2.3.2 \Recent: a message is recent in the first session told of
// it, and in no other. Per mailbox the table keeps the highest UID some
// session has claimed; a read-write session that learns of UIDs above it
// (at SELECT, or as new mail arrives) claims them, and they are \Recent
// there only. A read-only one (EXAMINE) looks without claiming (RFC 3501
// 6.3.2: EXAMINE must not make messages lose \Recent).
//
// Every session of a slot runs in this process, so the claims live in
// memory: after a restart, or for a mailbox forgotten to keep the table
// within `max_mailboxes`, the next session sees every message as \Recent
// again (RFC 3501: a message that may or may not have been seen "SHOULD be
// considered recent"). Thread-safe: sessions claim on the loop, STATUS
// reads on the workers.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/lru_map.h"
#include "store/types.h"

namespace slotmail::imapd {

class RecentClaims {
 public:
  explicit RecentClaims(size_t max_mailboxes) : claimed_(max_mailboxes) {}

  // Claims `box`'s UIDs up to `up_to` for the caller and returns the highest
  // UID claimed before: those above it, up to `up_to`, are the caller's to
  // show as \Recent. (The mailbox is named by its id, which survives
  // RENAME, and its UIDVALIDITY.)
  uint32_t Claim(const std::string& user, const store::MailboxInfo& box, uint32_t up_to);
  // The highest UID of `box` claimed; 0 if none was (or it was forgotten).
  uint32_t Claimed(const std::string& user, const store::MailboxInfo& box) const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  LruMap<uint32_t> claimed_;  // Key() -> highest UID claimed
};

// How a session's view of one mailbox learns which of its messages are
// \Recent: called with the highest UID the view holds, it returns the
// highest UID claimed before (see RecentClaims::Claim).
using RecentClaim = std::function<uint32_t(uint32_t up_to)>;

// The RecentClaim of a session with `box` of `user` selected: it claims, or
// only looks when `read_only` (EXAMINE). `claims` must outlive it.
RecentClaim ClaimFor(RecentClaims* claims, const std::string& user, const store::MailboxInfo& box,
                     bool read_only);

}  // namespace slotmail::imapd
