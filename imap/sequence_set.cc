#include "imap/sequence_set.h"

#include <algorithm>
#include <utility>

namespace slotmail::imap {

namespace {

// nz-number (RFC 3501: digit-nz *DIGIT, fits in 32 bits) or "*".
Result<uint32_t> ParseSeqNumber(std::string_view text) {
  if (text == "*") return SequenceSet::kStar;
  if (text.empty()) return Status::InvalidArgument("empty number in sequence set");
  if (text[0] == '0') return Status::InvalidArgument("sequence numbers start at 1");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("invalid sequence set");
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > UINT32_MAX) return Status::InvalidArgument("sequence number too big");
  }
  return static_cast<uint32_t>(value);
}

// Sorts and merges overlapping or adjacent ranges in place.
void Normalise(std::vector<SeqRange>* ranges) {
  std::sort(ranges->begin(), ranges->end(),
            [](const SeqRange& a, const SeqRange& b) { return a.lo < b.lo; });
  std::vector<SeqRange> out;
  for (const SeqRange& r : *ranges) {
    if (!out.empty() && static_cast<uint64_t>(out.back().hi) + 1 >= r.lo) {
      out.back().hi = std::max(out.back().hi, r.hi);
    } else {
      out.push_back(r);
    }
  }
  *ranges = std::move(out);
}

// An element as a concrete range within [1, max]; false if it names nothing.
bool Clip(const SequenceSet::Element& e, uint32_t max, SeqRange* out) {
  if (e.saved || max == 0) return false;
  uint32_t a = e.first == SequenceSet::kStar ? max : e.first;
  uint32_t b = e.last == SequenceSet::kStar ? max : e.last;
  if (a > b) std::swap(a, b);
  if (a > max) return false;
  *out = {a, std::min(b, max)};
  return true;
}

std::string FormatElementNumber(uint32_t n) {
  return n == SequenceSet::kStar ? "*" : std::to_string(n);
}

}  // namespace

Result<SequenceSet> SequenceSet::Parse(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty sequence set");
  SequenceSet set;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    if (item == "$") {
      set.elements_.push_back({kStar, kStar, true});
    } else {
      const size_t colon = item.find(':');
      ASSIGN_OR_RETURN(uint32_t first, ParseSeqNumber(item.substr(0, colon)));
      uint32_t last = first;
      if (colon != std::string_view::npos) {
        ASSIGN_OR_RETURN(last, ParseSeqNumber(item.substr(colon + 1)));
      }
      set.elements_.push_back({first, last, false});
    }
    start = comma + 1;
  }
  return set;
}

std::vector<SeqRange> SequenceSet::Resolve(uint32_t max) const {
  std::vector<SeqRange> out;
  for (const Element& e : elements_) {
    SeqRange r;
    if (Clip(e, max, &r)) out.push_back(r);
  }
  Normalise(&out);
  return out;
}

bool SequenceSet::Contains(uint32_t n, uint32_t max) const {
  for (const Element& e : elements_) {
    SeqRange r;
    if (Clip(e, max, &r) && r.lo <= n && n <= r.hi) return true;
  }
  return false;
}

bool SequenceSet::FitsWithin(uint32_t max) const {
  for (const Element& e : elements_) {
    if (e.saved) continue;
    for (uint32_t n : {e.first, e.last}) {
      if (n == kStar ? max == 0 : n > max) return false;
    }
  }
  return true;
}

bool SequenceSet::uses_saved() const {
  return std::any_of(elements_.begin(), elements_.end(),
                     [](const Element& e) { return e.saved; });
}

SequenceSet SequenceSet::ReplaceSaved(const SequenceSet& saved) const {
  SequenceSet out;
  for (const Element& e : elements_) {
    if (!e.saved) {
      out.elements_.push_back(e);
      continue;
    }
    for (const Element& s : saved.elements_) {
      if (!s.saved) out.elements_.push_back(s);
    }
  }
  return out;
}

SequenceSet SequenceSet::FromRanges(const std::vector<SeqRange>& ranges) {
  SequenceSet out;
  for (const SeqRange& r : ranges) out.elements_.push_back({r.lo, r.hi, false});
  return out;
}

std::string SequenceSet::ToString() const {
  std::string out;
  for (const Element& e : elements_) {
    if (!out.empty()) out += ',';
    if (e.saved) {
      out += '$';
      continue;
    }
    out += FormatElementNumber(e.first);
    if (e.last != e.first) out += ":" + FormatElementNumber(e.last);
  }
  return out;
}

std::string FormatRanges(std::vector<SeqRange> ranges) {
  for (SeqRange& r : ranges) {
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
  }
  Normalise(&ranges);
  std::string out;
  for (const SeqRange& r : ranges) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.lo);
    if (r.hi != r.lo) out += ":" + std::to_string(r.hi);
  }
  return out;
}

std::string FormatNumbers(std::vector<uint32_t> numbers) {
  std::vector<SeqRange> ranges;
  ranges.reserve(numbers.size());
  for (uint32_t n : numbers) ranges.push_back({n, n});
  return FormatRanges(std::move(ranges));
}

}  // namespace slotmail::imap
