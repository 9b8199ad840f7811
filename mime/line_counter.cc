#include "mime/line_counter.h"

namespace slotmail::mime {

LineCounter::LineCounter(std::string_view bytes) : bytes_(bytes) {
  size_t blocks = bytes.size() / kBlock;
  prefix_.resize(blocks + 1);
  for (size_t i = 0; i < blocks; ++i) prefix_[i + 1] = prefix_[i] + Scan(i * kBlock, (i + 1) * kBlock);
}

uint64_t LineCounter::Scan(size_t begin, size_t end) const {
  uint64_t n = 0;
  for (size_t i = begin; i < end; ++i) n += bytes_[i] == '\n';
  return n;
}

uint64_t LineCounter::Count(size_t begin, size_t end) const {
  size_t first = (begin + kBlock - 1) / kBlock;  // first whole block
  size_t last = end / kBlock;                    // one past the last whole block
  if (first >= last) return Scan(begin, end);
  return Scan(begin, first * kBlock) + (prefix_[last] - prefix_[first]) + Scan(last * kBlock, end);
}

uint64_t LineCounter::Lines(size_t begin, size_t end) const {
  return Count(begin, end) + (end > begin && bytes_[end - 1] != '\n');
}

}  // namespace slotmail::mime
