#include "mime/lexer.h"

#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

bool IsFws(char c) { return IsWsp(c) || c == '\r' || c == '\n'; }

}  // namespace

Lexer::Token Lexer::Next() {
  if (peeked_) {
    peeked_ = false;
    pos_ = peek_end_;
    return std::move(peek_);
  }
  return Read();
}

const Lexer::Token& Lexer::Peek() {
  if (!peeked_) {
    size_t saved = pos_;
    peek_ = Read();
    peek_end_ = pos_;
    pos_ = saved;
    peeked_ = true;
  }
  return peek_;
}

std::string Lexer::TakeComment() {
  std::string out = std::move(comment_);
  comment_.clear();
  return out;
}

bool Lexer::SkipCfws() {
  size_t start = pos_;
  while (pos_ < in_.size()) {
    if (IsFws(in_[pos_])) {
      ++pos_;
    } else if (in_[pos_] == '(') {
      SkipComment();
    } else {
      break;
    }
  }
  return pos_ != start;
}

// REQUIRES: in_[pos_] == '('. Nesting is counted, so depth is bounded only by
// input length and costs no recursion.
void Lexer::SkipComment() {
  std::string text;
  int depth = 0;
  while (pos_ < in_.size()) {
    char c = in_[pos_++];
    if (c == '\\' && pos_ < in_.size()) {
      text += in_[pos_++];
      continue;
    }
    if (c == '(') {
      if (depth++ == 0) continue;
    } else if (c == ')') {
      if (--depth == 0) break;
    }
    if (c == '\r' || c == '\n') continue;
    text += c;
  }
  comment_ = std::string(TrimWhitespace(text));
}

Lexer::Token Lexer::Read() {
  Token t;
  t.space_before = SkipCfws();
  if (pos_ >= in_.size()) return t;
  char c = in_[pos_];
  if (c == '"') {
    t.kind = Kind::kQuoted;
    ++pos_;
    while (pos_ < in_.size() && in_[pos_] != '"') {
      char q = in_[pos_++];
      if (q == '\\' && pos_ < in_.size()) q = in_[pos_++];
      if (q == '\r' || q == '\n') continue;  // folding inside quotes
      t.text += q;
    }
    if (pos_ < in_.size()) ++pos_;  // closing quote
    return t;
  }
  if (c == '[' && IsSpecial('[')) {
    t.kind = Kind::kDomainLiteral;
    size_t close = in_.find(']', pos_);
    size_t end = close == std::string_view::npos ? in_.size() : close + 1;
    for (size_t i = pos_; i < end; ++i) {
      if (!IsFws(in_[i])) t.text += in_[i];
    }
    pos_ = end;
    return t;
  }
  if (IsSpecial(c)) {
    t.kind = Kind::kSpecial;
    t.text = std::string(1, c);
    ++pos_;
    return t;
  }
  t.kind = Kind::kAtom;
  size_t start = pos_;
  while (pos_ < in_.size() && !IsFws(in_[pos_]) && !IsSpecial(in_[pos_])) ++pos_;
  t.text = std::string(in_.substr(start, pos_ - start));
  return t;
}

}  // namespace slotmail::mime
