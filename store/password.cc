#include "store/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <charconv>
#include <vector>

#include "common/check.h"
#include "common/hash.h"
#include "common/limits.h"

namespace slotmail::store {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kHashBytes = 32;

std::string Derive(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(kHashBytes, '\0');
  SM_CHECK(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), static_cast<int>(iterations),
                          EVP_sha256(), static_cast<int>(out.size()),
                          reinterpret_cast<unsigned char*>(out.data())) == 1);
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != hex.data() + i + 2) return false;
    out->push_back(static_cast<char>(v));
  }
  return true;
}

}  // namespace

std::string HashPassword(std::string_view password, uint32_t iterations) {
  SM_CHECK(iterations >= limits::kMinKdfIterations) << iterations;
  std::string salt = RandomBytes(limits::kPasswordSaltBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + HexEncode(salt) + "$" +
         HexEncode(Derive(password, salt, iterations));
}

Status VerifyPasswordHash(std::string_view password, std::string_view stored) {
  auto parts = Split(stored, '$');
  uint32_t iterations = 0;
  std::string salt, expected;
  if (parts.size() != 4 || parts[0] != kScheme ||
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations).ec !=
          std::errc() ||
      iterations < limits::kMinKdfIterations || !HexDecode(parts[2], &salt) ||
      !HexDecode(parts[3], &expected) || expected.size() != kHashBytes) {
    return Status::Corruption("stored password hash is malformed");
  }
  std::string actual = Derive(password, salt, iterations);
  if (CRYPTO_memcmp(actual.data(), expected.data(), kHashBytes) != 0) {
    return Status::Permission("wrong password");
  }
  return Status::Ok();
}

void BurnPasswordTime(std::string_view password, uint32_t iterations) {
  (void)Derive(password, "slotmail-no-such-user", iterations);
}

}  // namespace slotmail::store
