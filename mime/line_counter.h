// Counting line feeds in ranges of one message. The parser needs the line
// count of every part, and parts nest (up to limits::kMaxMimeDepth), so
// counting each range afresh would read the deepest bytes once per level.
// One pass builds per-block counts; a range then costs
// O(range / kBlock + kBlock). Holds a view: the bytes must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace slotmail::mime {

class LineCounter {
 public:
  explicit LineCounter(std::string_view bytes);

  // LF bytes in [begin, end). REQUIRES: begin <= end <= bytes.size().
  uint64_t Count(size_t begin, size_t end) const;
  // The IMAP line count of [begin, end): LFs, plus one for a partial last line.
  uint64_t Lines(size_t begin, size_t end) const;

 private:
  static constexpr size_t kBlock = 4096;
  uint64_t Scan(size_t begin, size_t end) const;

  std::string_view bytes_;
  std::vector<uint64_t> prefix_;  // prefix_[i]: LFs in [0, i * kBlock)
};

}  // namespace slotmail::mime
