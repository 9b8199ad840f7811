// SHA-256, hex and randomness: the only OpenSSL users outside the TLS wrapper.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace slotmail {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
// 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);
std::string HexEncode(std::string_view bytes);
// True if `s` is exactly `len` lowercase hex characters.
bool IsLowerHex(std::string_view s, size_t len);
// `n` bytes from the OpenSSL CSPRNG. CHECKs on failure (no entropy is an
// impossible state on a running Linux system).
std::string RandomBytes(size_t n);
// 2*n lowercase hex characters of randomness.
std::string RandomHex(size_t n);

// Incremental SHA-256 for data that arrives in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  std::string FinishHex();

 private:
  void* ctx_;  // EVP_MD_CTX*; kept opaque so OpenSSL types stay out of headers
};

}  // namespace slotmail
