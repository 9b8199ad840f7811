// Tokenizer for structured header fields (RFC 5322 3.2, RFC 2045 5.1):
// skips folding whitespace and (nested) comments, yields atoms, quoted
// strings with quoting removed, and single special characters. Which
// characters are special is the caller's choice (MIME tspecials differ from
// RFC 5322 specials). Never fails: unterminated quotes and comments end at
// the end of input. No I/O, no allocation beyond the tokens it returns.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::mime {

// RFC 2045 tspecials.
inline constexpr std::string_view kMimeSpecials = "()<>@,;:\\\"/[]?=";
// RFC 5322 specials, except '.', which atoms keep (dot-atom and obs-phrase).
inline constexpr std::string_view kAddressSpecials = "()<>[]:;@\\,\"";

class Lexer {
 public:
  enum class Kind { kEnd, kAtom, kQuoted, kSpecial, kDomainLiteral };
  struct Token {
    Kind kind = Kind::kEnd;
    std::string text;  // atom, unquoted string content, the special char, or "[...]"
    bool space_before = false;  // whitespace or a comment preceded it
    bool Is(char special) const { return kind == Kind::kSpecial && text[0] == special; }
    bool IsWord() const { return kind == Kind::kAtom || kind == Kind::kQuoted; }
  };

  // `specials` must include '(' and '"'; if it includes '[', "[...]" is read
  // as one kDomainLiteral token.
  Lexer(std::string_view input, std::string_view specials) : in_(input), specials_(specials) {}

  Token Next();
  const Token& Peek();
  // The most recent comment skipped since the last call (content without the
  // outer parentheses, quoted-pairs undone), then forgets it.
  std::string TakeComment();
  // Offset of the next unread byte (past a peeked token).
  size_t position() const { return peeked_ ? peek_end_ : pos_; }
  std::string_view input() const { return in_; }

 private:
  bool IsSpecial(char c) const { return specials_.find(c) != std::string_view::npos; }
  bool SkipCfws();  // true if anything was skipped
  void SkipComment();
  Token Read();

  std::string_view in_;
  std::string_view specials_;
  size_t pos_ = 0;
  bool peeked_ = false;
  Token peek_;
  size_t peek_end_ = 0;
  std::string comment_;
};

}  // namespace slotmail::mime
