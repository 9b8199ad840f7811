// IMAP sequence sets (RFC 3501 / RFC 9051 "sequence-set"): "1:3,5,7:*" and
// SEARCHRES's "$" (RFC 5182). The same syntax names message sequence numbers
// or UIDs; which one is the caller's business.
//
// "*" is kept symbolic until Resolve(max), where max is "the largest number
// in use": the number of messages for sequence numbers, the highest UID for
// UIDs. A range is unordered ("4:2" == "2:4", RFC 3501 9), so "n:*" with
// n > max still covers max: RFC 9051 6.4.9 says a UID range with "*"
// "indicates at least one message ... unless the mailbox is empty".
// Numbers above max name nothing and are dropped. Pure values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slotmail::imap {

// A closed interval of concrete numbers, lo <= hi.
struct SeqRange {
  uint32_t lo;
  uint32_t hi;
  bool operator==(const SeqRange&) const = default;
};

class SequenceSet {
 public:
  // One element as written: a number, "*", a range, or "$".
  struct Element {
    uint32_t first;  // kStar for "*"
    uint32_t last;   // == first for a single number
    bool saved;      // "$": the saved search result
    bool operator==(const Element&) const = default;
  };
  static constexpr uint32_t kStar = 0;  // never a valid nz-number

  // Parses the text of one sequence-set argument. InvalidArgument for "",
  // 0, leading zeros, numbers above 4294967295, stray ',' or ':'.
  static Result<SequenceSet> Parse(std::string_view text);

  // The concrete ranges, sorted, merged (overlapping or adjacent), clipped to
  // [1, max]; empty when max == 0. "$" elements contribute nothing: call
  // ReplaceSaved first.
  std::vector<SeqRange> Resolve(uint32_t max) const;
  // Same answer as searching Resolve(max), without allocating.
  bool Contains(uint32_t n, uint32_t max) const;
  // False if an explicit number exceeds max, or "*" is used while max == 0.
  // RFC 3501 9: a message sequence number beyond the mailbox is a BAD
  // command; UID sets may name absent UIDs, so callers check this for
  // sequence numbers only.
  bool FitsWithin(uint32_t max) const;

  bool uses_saved() const;  // contains "$"
  // This set with every "$" replaced by the elements of `saved`.
  SequenceSet ReplaceSaved(const SequenceSet& saved) const;
  // A set of concrete ranges (e.g. a search result to save).
  static SequenceSet FromRanges(const std::vector<SeqRange>& ranges);

  const std::vector<Element>& elements() const { return elements_; }
  // As written but normalised: "5:3" stays "5:3", "*" and "$" kept.
  std::string ToString() const;

 private:
  std::vector<Element> elements_;
};

// Compact IMAP form of a set of numbers, in ascending order with runs as
// ranges: {5, 1, 2, 3, 3} -> "1:3,5". Empty input gives "".
std::string FormatNumbers(std::vector<uint32_t> numbers);
// Same for ranges already resolved (any order, may overlap).
std::string FormatRanges(std::vector<SeqRange> ranges);

}  // namespace slotmail::imap
