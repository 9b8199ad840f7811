// Password hashes: PBKDF2-HMAC-SHA256 with a random salt, stored as
//   pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>
// and verified in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::store {

// REQUIRES: iterations >= limits::kMinKdfIterations.
std::string HashPassword(std::string_view password, uint32_t iterations);

// Ok if `password` matches `stored`; Permission if not; Corruption if
// `stored` is not a hash this module wrote.
Status VerifyPasswordHash(std::string_view password, std::string_view stored);

// Spends the time a verification with `iterations` would, for answers about
// unknown users that must not be faster than those about known ones.
void BurnPasswordTime(std::string_view password, uint32_t iterations);

}  // namespace slotmail::store
