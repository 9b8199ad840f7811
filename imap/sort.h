// SORT (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO) and THREAD (RFC 5256 4)
// arguments, and sorting messages by their keys (mime/sort_keys.h). Pure
// functions: no I/O; thread-safe.
//
// Strings compare as i;ascii-casemap: the keys are stored casemapped, so a
// plain octet comparison is the collation. Messages equal under every
// criterion stay in sequence-number order; REVERSE reverses only the
// criterion it precedes, never that tie-break (RFC 5256 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "imap/parser.h"
#include "imap/search_parse.h"
#include "mime/sort_keys.h"

namespace slotmail::imap {

struct SortCriterion {
  enum class Key { kArrival, kCc, kDate, kFrom, kSize, kSubject, kTo, kDisplayFrom, kDisplayTo };
  Key key = Key::kArrival;
  bool reverse = false;
  bool operator==(const SortCriterion&) const = default;
};

// SORT arguments: [RETURN (...)] (criteria) charset search-key... The
// program's ret.esearch is set when RETURN was given (RFC 5267 ESORT).
struct SortRequest {
  std::vector<SortCriterion> criteria;
  SearchProgram program;
};

enum class ThreadAlgorithm { kOrderedSubject, kReferences };

// THREAD arguments: algorithm charset search-key...
struct ThreadRequest {
  ThreadAlgorithm algorithm = ThreadAlgorithm::kReferences;
  SearchProgram program;
};

// InvalidArgument on bad syntax; an unsupported charset as ParseSearch
// reports it (see IsBadCharset).
Result<SortRequest> ParseSort(const std::vector<Arg>& args);
Result<ThreadRequest> ParseThread(const std::vector<Arg>& args);

// One message to sort or thread. `keys` must outlive the call.
struct SortItem {
  uint32_t seq = 0;  // sequence number: the final tie-break
  int64_t internal_date = 0;
  uint64_t size = 0;
  const mime::SortKeys* keys = nullptr;
};

// RFC 5256 2.2: the Date: header in UTC, else the internal date.
int64_t SentDate(const SortItem& item);

// Positions of `items` in the order the criteria give.
std::vector<size_t> SortOrder(const std::vector<SortCriterion>& criteria,
                              const std::vector<SortItem>& items);

// True if item a is before item b by sent date, then sequence number.
bool SentBefore(const SortItem& a, const SortItem& b);

// "3:5,1,7": numbers in the given order, consecutive ascending runs as
// ranges (RFC 5267 4.2: an ESORT ALL sequence-set keeps the sort order).
std::string FormatOrderedNumbers(const std::vector<uint32_t>& numbers);

}  // namespace slotmail::imap
