// Client-side IMAP response framing and the few parsers the load generator
// checks answers with. No I/O: the reader is fed bytes and hands back whole
// responses (a line plus the literals it announces, in place).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::loadgen {

class ResponseReader {
 public:
  // Consumes `data`; appends every response completed by it to *out, each
  // as its text with CRLFs between line parts and literal bytes in place,
  // without the final CRLF.
  void Feed(std::string_view data, std::vector<std::string>* out);

 private:
  std::string current_;    // the response being assembled
  std::string line_;       // a line part not yet ended by CRLF
  size_t literal_left_ = 0;
};

// If `line` ends with a literal announcement "{N}" or "{N+}", N.
std::optional<size_t> TrailingLiteral(std::string_view line);

// "* N WORD ..." -> N, if the untagged response is a number followed by
// `word` (EXISTS, EXPUNGE, FETCH, RECENT; case-insensitive).
std::optional<uint64_t> UntaggedNumber(std::string_view response, std::string_view word);

// The value after `name` in a parenthesized list ("MESSAGES 12", "UID 7",
// "RFC822.SIZE 3456", "APPENDUID 1 5" -> 1), if present.
std::optional<uint64_t> NumberAfter(std::string_view text, std::string_view name);

// The literal introduced by `item` (e.g. "BODY[]"): the N bytes after
// "ITEM {N}\r\n", if present.
std::optional<std::string_view> LiteralAfter(std::string_view response, std::string_view item);

// Case-insensitive prefix test.
bool StartsWithNoCase(std::string_view s, std::string_view prefix);

}  // namespace slotmail::loadgen
