// Evaluating a parsed SEARCH program (imap/search_parse.h) over messages of
// the selected mailbox. Pure: no Session and no Store; message bytes come
// from a caller-supplied loader, asked at most once per message and only
// when a key needs them (HEADER, BODY, TEXT, SENT*).
//
// Matching rules:
// - Strings (HEADER, BODY, TEXT) match as a case-insensitive substring of
//   UTF-8 text. Header values are unfolded and RFC 2047-decoded; every
//   occurrence of the field counts. BODY searches mime::SearchableBody
//   (text/* parts, transfer-decoded, converted to UTF-8). TEXT searches the
//   decoded header fields ("Name: value" lines) and the body. Gap: the
//   headers of MIME parts and of attached message/rfc822 parts are in
//   neither (their text/* bodies are in BODY).
// - Case-insensitivity is Unicode *simple* case folding (one code point to
//   one code point: CaseFolding.txt status C and S), from a table in
//   search_eval.cc covering ASCII, Latin-1, Latin Extended-A/B/Additional,
//   Greek and Greek Extended, Cyrillic and Cyrillic Extended-B, Armenian,
//   Georgian, Glagolitic, Coptic, letterlike symbols, Roman numerals,
//   circled and fullwidth Latin letters; other scripts compare exactly. Full
//   folding is not done, so "straße" does not match "STRASSE" (nor "ǰ" its
//   two-code-point folding); text is not normalised either, so a precomposed
//   "ü" does not match "u" + U+0308. No locale is consulted (Turkish dotless
//   i is not special).
// - BEFORE/ON/SINCE compare the internal date's UTC calendar day; the SENT*
//   keys compare the calendar day of the Date: header in its own zone, or
//   the internal date's UTC day if there is no parsable Date:.
// - YOUNGER n: internal date within the last n seconds (now - n <= date);
//   OLDER n is its complement. LARGER/SMALLER are strict. MODSEQ is
//   ">= value" against the message's modseq whatever the entry name (the
//   store keeps no per-flag modseq, which RFC 7162 3.1.5 allows).
// - A message whose bytes the loader reports NotFound (expunged and
//   collected meanwhile) never matches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "imap/search_parse.h"
#include "store/types.h"

namespace slotmail::imapd {

class MimeCache;
struct SearchNode;  // a compiled key; search_eval.cc

// One message as the session sees it.
struct SearchMessage {
  store::MessageInfo info;
  uint32_t seq = 0;     // message sequence number in the view
  bool recent = false;  // \Recent in this session
};

// What "*" and relative dates resolve against.
struct SearchContext {
  uint32_t exists = 0;   // messages in the view: "*" of a sequence set
  uint32_t max_uid = 0;  // highest UID in the view: "*" of a UID set
  int64_t now = 0;       // seconds since the epoch, for OLDER/YOUNGER
};

// The bytes of a message (whose SHA-256 is info.guid).
using SearchLoader = std::function<Result<std::string>(const store::MessageInfo& info)>;

class SearchEvaluator {
 public:
  // Compiles `key` (needles folded once, dates as day numbers, children of
  // AND/OR reordered cheapest first). The evaluator keeps no reference to
  // `key`. `cache` (may be null: parse each time) serves the MIME parses.
  SearchEvaluator(const imap::SearchKey& key, const SearchContext& ctx, MimeCache* cache);
  ~SearchEvaluator();
  SearchEvaluator(const SearchEvaluator&) = delete;
  SearchEvaluator& operator=(const SearchEvaluator&) = delete;

  // True if some key needs the message bytes (so the caller may budget by size).
  bool needs_bytes() const;

  // Whether `m` matches. Calls `load` at most once, and only if metadata
  // alone cannot decide. A loader error other than NotFound is returned.
  // Const and re-entrant: one evaluator may serve several threads.
  Result<bool> Matches(const SearchMessage& m, const SearchLoader& load) const;

 private:
  SearchContext ctx_;
  MimeCache* cache_;
  std::unique_ptr<SearchNode> root_;
};

// Positions (indices into `messages`, ascending) of the messages matching `key`.
Result<std::vector<size_t>> EvaluateSearch(const imap::SearchKey& key, const SearchContext& ctx,
                                           const std::vector<SearchMessage>& messages,
                                           const SearchLoader& load, MimeCache* cache);

// True if `key` uses the saved result "$" (RFC 5182) anywhere.
bool UsesSavedResult(const imap::SearchKey& key);
// `key` with every "$" replaced by the saved result `saved` (UIDs): in a UID
// set the UIDs take its place; a sequence set becomes "UID <saved>", or
// "OR <the rest of the set> UID <saved>" if it had other elements.
imap::SearchKey WithSavedResult(const imap::SearchKey& key, const store::UidSet& saved);

// `utf8` with every code point replaced by its simple case folding (see the
// file comment for the ranges covered); bytes that are not UTF-8 are copied
// unchanged. Two strings match case-insensitively when their folds match.
std::string SearchFold(std::string_view utf8);

}  // namespace slotmail::imapd
