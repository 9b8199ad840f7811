// The FETCH attribute argument (RFC 3501 6.4.5 / 9, RFC 3516 BINARY,
// RFC 7162 MODSEQ) parsed into items, each knowing the name its answer
// carries. Works on Args from CommandParser, which hands a BODY[...]<...>
// item over as one atom. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "imap/parser.h"

namespace slotmail::imap {

// section-spec (RFC 3501 9): "" (whole message), or part numbers "1.2.3"
// followed by nothing (the part), HEADER, HEADER.FIELDS (..),
// HEADER.FIELDS.NOT (..), TEXT or MIME (MIME only after part numbers).
struct FetchSection {
  enum class Text { kNone, kHeader, kHeaderFields, kHeaderFieldsNot, kText, kMime };
  std::vector<uint32_t> part;       // empty: the message itself
  Text text = Text::kNone;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT], uppercased
  bool operator==(const FetchSection&) const = default;
};

// <offset.length>
struct FetchPartial {
  uint32_t offset;
  uint32_t length;  // >= 1
  bool operator==(const FetchPartial&) const = default;
};

struct FetchItem {
  enum class Kind {
    kFlags, kInternalDate, kRfc822Size, kEnvelope,
    kBody,           // BODY without a section: BODYSTRUCTURE without extensions
    kBodyStructure, kUid, kModSeq,
    kRfc822, kRfc822Header, kRfc822Text,
    kBodySection,    // BODY[...] / BODY.PEEK[...]
    kBinary,         // BINARY[...] / BINARY.PEEK[...]
    kBinarySize,     // BINARY.SIZE[...]
    kEmailId, kThreadId,  // RFC 8474 OBJECTID
  };
  Kind kind = Kind::kFlags;
  bool peek = false;                    // .PEEK: do not set \Seen
  FetchSection section;                 // kBodySection, kBinary, kBinarySize
  std::optional<FetchPartial> partial;  // kBodySection, kBinary

  // True if fetching this sets \Seen (RFC 3501 6.4.5): RFC822, RFC822.TEXT,
  // BODY[...] and BINARY[...] without .PEEK.
  bool SetsSeen() const;
  // The name the FETCH response carries: .PEEK dropped, keywords uppercased,
  // a partial reduced to its origin: BODY.PEEK[header.fields (from)]<0.100>
  // answers as BODY[HEADER.FIELDS (FROM)]<0>.
  std::string ResponseName() const;
  bool operator==(const FetchItem&) const = default;
};

// Parses FETCH's item argument: a macro ALL / FAST / FULL, one item, or a
// parenthesised list of items (macros not allowed inside). Keywords are
// case-insensitive. InvalidArgument naming the bad item otherwise.
Result<std::vector<FetchItem>> ParseFetchItems(const Arg& arg);

// One item from its atom text, e.g. "BODY.PEEK[1.2.MIME]<0.10>".
Result<FetchItem> ParseFetchItem(std::string_view text);

}  // namespace slotmail::imap
