// SEARCH / UID SEARCH arguments (RFC 3501 6.4.4, RFC 4731 ESEARCH RETURN,
// RFC 5182 SAVE and "$", RFC 7162 MODSEQ, RFC 5032 YOUNGER/OLDER) parsed into
// a tree of keys. The tree is already simplified for evaluation: the
// UN- keys become NOT, NEW/OLD are spelled with \Recent and \Seen, SUBJECT
// is a HEADER key and BCC CC FROM TO are ADDRESS keys. Nesting (groups, NOT, OR chains) is
// bounded by limits::kMaxImapSearchDepth. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "imap/parser.h"
#include "imap/sequence_set.h"

namespace slotmail::imap {

// RFC 3501 "date": d-Mon-yyyy (day of one or two digits), quoted or not.
struct SearchDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // valid for the month
  bool operator==(const SearchDate&) const = default;
};

struct SearchKey {
  enum class Kind {
    kAll,
    kAnd,          // children, all must match (a group or the top level)
    kOr,           // children[0] or children[1]
    kNot,          // !children[0]
    kSequenceSet,  // set (message sequence numbers)
    kUid,          // set (UIDs)
    kFlag,         // has flag `text`: \Answered \Deleted \Draft \Flagged \Seen
                   // \Recent, or a keyword (KEYWORD)
    kHeader,       // header `field` (uppercased) contains `text`; SUBJECT
                   // arrives here; empty text: the header exists
    kAddress,      // BCC CC FROM TO: the address list of header `field`,
                   // parsed and normalized (mime::AddressSearchText),
                   // contains `text`; empty text: the header exists
    kBody,         // body contains `text`
    kText,         // header or body contains `text`
    kBefore, kOn, kSince,              // internal date vs `date`
    kSentBefore, kSentOn, kSentSince,  // Date: header vs `date`
    kLarger, kSmaller,                 // RFC822.SIZE vs `number`
    kModSeq,       // modseq >= `number`; `field` is an entry name or ""
    kOlder, kYounger,                  // internal date vs now - `number` seconds
    kEmailId, kThreadId,  // RFC 8474: the message's EMAILID / THREADID is `text`
  };
  enum class EntryType { kAll, kPriv, kShared };  // MODSEQ entry-type-req

  Kind kind = Kind::kAll;
  std::vector<SearchKey> children;
  std::string field;
  std::string text;
  SequenceSet set;
  uint64_t number = 0;
  SearchDate date;
  EntryType entry_type = EntryType::kAll;

  // IMAP-like rendering for logs and tests: (FLAG \Seen) style, e.g.
  // "OR (FLAG \Seen) (NOT (HEADER FROM \"x\"))".
  std::string ToString() const;
};

// RETURN (...) of ESEARCH (RFC 4731) and SAVE (RFC 5182).
struct SearchReturn {
  bool esearch = false;  // RETURN was given: answer with ESEARCH
  bool min = false, max = false, all = false, count = false, save = false;
};

struct SearchProgram {
  SearchReturn ret;
  std::string charset;  // "" if not given, else "US-ASCII" or "UTF-8"
  SearchKey key;
};

// Parses the arguments after the command name (SEARCH) or after "UID
// SEARCH". InvalidArgument on bad syntax; an unsupported CHARSET gives a
// message starting with the response code, see IsBadCharset.
Result<SearchProgram> ParseSearch(const std::vector<Arg>& args);

// True for ParseSearch's unsupported-charset error: answer
// "tag NO <message>" (the message starts "[BADCHARSET (US-ASCII UTF-8)]").
bool IsBadCharset(const Status& status);

Result<SearchDate> ParseSearchDate(std::string_view text);

}  // namespace slotmail::imap
