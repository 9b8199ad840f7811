#include "imapd/recent_claims.h"

#include <algorithm>

namespace slotmail::imapd {
namespace {

std::string Key(const std::string& user, const store::MailboxInfo& box) {
  return user + '\0' + box.id + '\0' + std::to_string(box.uidvalidity);
}

}  // namespace

uint32_t RecentClaims::Claim(const std::string& user, const store::MailboxInfo& box,
                             uint32_t up_to) {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t& claimed = claimed_.Use(Key(user, box));
  const uint32_t before = claimed;
  claimed = std::max(claimed, up_to);
  return before;
}

uint32_t RecentClaims::Claimed(const std::string& user, const store::MailboxInfo& box) const {
  std::lock_guard<std::mutex> lock(mu_);
  const uint32_t* claimed = claimed_.Peek(Key(user, box));
  return claimed ? *claimed : 0;
}

size_t RecentClaims::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return claimed_.size();
}

RecentClaim ClaimFor(RecentClaims* claims, const std::string& user, const store::MailboxInfo& box,
                     bool read_only) {
  if (read_only) {
    return [claims, user, box](uint32_t) { return claims->Claimed(user, box); };
  }
  return [claims, user, box](uint32_t up_to) { return claims->Claim(user, box, up_to); };
}

}  // namespace slotmail::imapd
