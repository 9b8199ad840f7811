// The arguments RFC 7162 (CONDSTORE, QRESYNC) adds to SELECT/EXAMINE, FETCH
// and STORE, parsed from CommandParser Args. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "imap/parser.h"
#include "imap/sequence_set.h"

namespace slotmail::imap {

// RFC 7162 7: mod-sequence-value is 1..2^63-1. 0 is also accepted for
// QRESYNC's modseq and CHANGEDSINCE (a client with an empty cache sends it;
// it asks for everything), as for UNCHANGEDSINCE, where the RFC allows it.
inline constexpr uint64_t kMaxModSeqValue = INT64_MAX;

// QRESYNC (uidvalidity modseq [known-uids [(seq-match uid-match)]]).
struct QresyncParams {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;  // UIDs only, no "*" needed
  // Message sequence numbers and the UIDs the client had for them.
  std::optional<SequenceSet> seq_match, uid_match;
};

// SELECT/EXAMINE's optional parameter list.
struct SelectParams {
  bool condstore = false;  // (CONDSTORE)
  std::optional<QresyncParams> qresync;
};

// Parses SELECT's arguments after the mailbox name (none or one list).
// InvalidArgument for anything else, an unknown parameter, a value out of
// range or seq-match and uid-match of different sizes.
Result<SelectParams> ParseSelectParams(const std::vector<Arg>& after_mailbox);

// FETCH's modifier list: (CHANGEDSINCE n [VANISHED]) in any order.
struct FetchModifiers {
  std::optional<uint64_t> changed_since;
  bool vanished = false;  // REQUIRES changed_since (checked here)
};
Result<FetchModifiers> ParseFetchModifiers(const Arg& list);

// STORE's modifier list: (UNCHANGEDSINCE n).
struct StoreModifiers {
  std::optional<uint64_t> unchanged_since;
};
Result<StoreModifiers> ParseStoreModifiers(const Arg& list);

// A decimal number from 0 (or 1 if `nonzero`) to `max`; InvalidArgument
// otherwise.
Result<uint64_t> ParseDecimal(std::string_view text, uint64_t max, bool nonzero);

}  // namespace slotmail::imap
