// What SORT (RFC 5256, RFC 5957) and THREAD (RFC 5256) need to know of a
// message, derived once from its header so that sorting never re-parses
// messages (the store keeps these per GUID; doc/store.md "sort_keys").
// Pure functions: no I/O, no state.
//
// String keys are prepared for the i;ascii-casemap collation (RFC 4790
// 9.2): ASCII letters are upper-cased, every other octet is kept, so two
// keys compare as the collation compares them by plain byte comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::mime {

struct SortKeys {
  // The "sent date" (RFC 5256 2.2): the Date: header as UTC seconds;
  // nullopt when absent or unparsable (the caller falls back to the
  // internal date, which is not a property of the bytes).
  std::optional<int64_t> sent_date;
  // String keys hold at most limits::kMaxSortKeyBytes; references at most
  // the last kMaxThreadDepth ids.
  std::string subject;          // base subject (RFC 5256 5.1), casemapped
  bool subject_is_reply = false;  // extraction removed Re:/Fwd:/(fwd)/[fwd:]
  std::string from, to, cc;     // addr-mailbox of the first address, casemapped
  std::string display_from, display_to;  // RFC 5957 3 sort values, casemapped
  std::string message_id;       // first msg-id of Message-ID ("<a@b>"), or ""
  std::string in_reply_to;      // first msg-id of In-Reply-To, or ""
  std::vector<std::string> references;  // msg-ids of References, in order
  bool operator==(const SortKeys&) const = default;
};

// The keys of a message (`message`: its bytes, or at least its header).
SortKeys ComputeSortKeys(std::string_view message);

// RFC 5256 5.1 base subject of a Subject: value (unfolded or not, encoded
// words allowed), casemapped. `is_reply` (may be null) is set when a
// subj-refwd, a "(fwd)" trailer or a "[fwd: ...]" wrapper was removed.
std::string BaseSubject(std::string_view value, bool* is_reply);

// The msg-ids ("<...>") of a Message-ID, In-Reply-To or References value,
// in order; comments and words outside angle brackets are skipped.
std::vector<std::string> MessageIds(std::string_view value);

// `s` with ASCII letters upper-cased (i;ascii-casemap).
std::string AsciiCasemap(std::string_view s);

}  // namespace slotmail::mime
