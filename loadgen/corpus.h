// A deterministic corpus of realistic RFC 5322 messages for the load
// generators (imapbench, lmtp_bench). The same seed gives byte-identical
// messages, so two servers can be filled with exactly the same mail.
//
// Size mix (mostly small, a long tail): about 60% plain text of 1-8 KB,
// 20% multipart/alternative (text + HTML) of 8-40 KB, 15% multipart/mixed
// with a base64 attachment of 40-300 KB, 5% the same of 300 KB-1 MB.
// Every message carries "X-Bench-Id: SEED-INDEX" so a client that fetches
// one back can tell which corpus entry it must equal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::loadgen {

// Corpus entry `index` of the corpus generated from `seed`.
std::string GenerateMessage(uint64_t seed, uint64_t index);

// A plain-text message of exactly `bytes` bytes (REQUIRES: bytes >= 1024),
// the body filled from `seed`. For fixed-size delivery benchmarks.
std::string GenerateSized(uint64_t seed, size_t bytes);

class Corpus {
 public:
  // Generates entries 0..count-1 of the corpus of `seed` up front.
  Corpus(uint64_t seed, size_t count);
  uint64_t seed() const { return seed_; }
  size_t size() const { return messages_.size(); }
  // REQUIRES: i < size().
  const std::string& Message(size_t i) const { return messages_[i]; }
  // The index named by `message`'s X-Bench-Id field if it belongs to this
  // corpus (same seed, index < size()), else -1.
  long IndexOf(std::string_view message) const;

 private:
  uint64_t seed_;
  std::vector<std::string> messages_;
};

}  // namespace slotmail::loadgen
