#include "imap/parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/check.h"
#include "common/limits.h"
#include "imap/mutf7.h"

namespace slotmail::imap {

// Where the parser is in the current command (or between commands).
enum class CommandParser::State {
  kLineStart,      // before a tag; empty lines are skipped here
  kTag,
  kName,
  kArgStart,       // an argument, ')', a space or the end of line may come
  kAfterToken,     // a space, ')' or the end of line must come
  kAtom,
  kBracket,        // inside [...] of an atom
  kQuoted,
  kTilde,          // '~' at a token start: literal8 or an atom
  kLiteralHeader,  // after '{'
  kLiteralData,
  kSkipLine,       // discarding after an error
  kSkipLiteral,    // discarding a literal's bytes after an error
  kPlainLine,      // NextLine is reading a line
  kFailed,         // a fatal error was reported
};

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A byte of a bare token outside [...]: printable, not SP, not ( ) { ".
bool IsTokenChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;  // also catches 8-bit (char is signed)
  return c != '(' && c != ')' && c != '{' && c != '"';
}

// RFC 3501 tag: ASTRING-CHAR (ATOM-CHAR / "]") except "+".
bool IsTagChar(char c) { return (IsAtomChar(c) || c == ']') && c != '+'; }

bool IsPrintable(char c) { return c >= 0x20 && c < 0x7f; }

bool IsEightBit(char c) { return (c & 0x80) != 0; }

// The error for an 8-bit byte where the grammar has no room for one.
constexpr char kEightBitOutsideString[] =
    "8-bit characters need a literal, or a quoted string after ENABLE UTF8=ACCEPT";

// value * 10 + digit, sticking at UINT64_MAX instead of wrapping.
uint64_t AppendDigit(uint64_t value, char digit) {
  if (value > (UINT64_MAX - 9) / 10) return UINT64_MAX;
  return value * 10 + static_cast<uint64_t>(digit - '0');
}

// Literal bytes reserved up front; the rest grows as data arrives, so a
// client cannot make us allocate by announcing and then not sending.
constexpr uint64_t kLiteralReserveBytes = 64 << 10;

}  // namespace

bool IsAtomChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::strchr("(){%*\"\\]", c) == nullptr;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

ParserLimits ParserLimits::PreAuth() {
  return {limits::kMaxImapLineBytesPreAuth,
          limits::kMaxImapLiteralBytesPreAuth,
          limits::kMaxImapLiteralBytesPreAuth,  // APPEND is refused before login
          limits::kMaxImapNonSyncLiteralBytes,
          limits::kMaxImapCommandLiteralBytesPreAuth,
          limits::kMaxImapListDepthPreAuth,
          limits::kMaxImapArgsPreAuth};
}

ParserLimits ParserLimits::Authenticated() {
  return {limits::kMaxImapLineBytes,          limits::kMaxImapLiteralBytes,
          limits::kMaxImapAppendLiteralBytes, limits::kMaxImapNonSyncLiteralBytes,
          limits::kMaxImapCommandLiteralBytes, limits::kMaxImapListDepth,
          limits::kMaxImapArgs};
}

bool Arg::IsAtom() const {
  if ((kind != kAtom && kind != kNil) || value.empty()) return false;
  return std::all_of(value.begin(), value.end(), IsAtomChar);
}

std::string Arg::ToString() const {
  switch (kind) {
    case kAtom:
      return value;
    case kNil:
      return "NIL";
    case kList: {
      std::string out = "(";
      for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += ' ';
        out += list[i].ToString();
      }
      return out + ")";
    }
    case kString:
      break;
  }
  if (literal) {
    return (literal8 ? "~{" : "{") + std::to_string(value.size()) + "}" + value;
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

CommandParser::CommandParser(const ParserLimits& limits)
    : limits_(limits), state_(State::kLineStart) {
  ResetCommand();
}

void CommandParser::SetLimits(const ParserLimits& limits) { limits_ = limits; }

bool CommandParser::AtCommandStart() const { return state_ == State::kLineStart && !cr_; }

void CommandParser::ResetCommand() {
  cmd_ = Command();
  open_lists_.clear();
  token_.clear();
  line_bytes_ = 0;
  args_ = 0;
  literal_total_ = 0;
  cr_ = false;
  quoted_in_bracket_ = false;
  escape_ = false;
  StartLiteralHeader(false);
  literal_left_ = 0;
  literal_dst_ = nullptr;
}

void CommandParser::StartLiteralHeader(bool literal8) {
  literal_size_ = 0;
  literal_digits_ = literal_plus_ = literal_closed_ = false;
  literal8_ = literal8;
}

void CommandParser::ResetSkip() {
  skip_brace_ = skip_digits_ = skip_plus_ = skip_closed_ = false;
  skip_size_ = 0;
}

CommandParser::Step CommandParser::Fail(std::string message, Event* event, bool fatal,
                                        bool too_big) {
  error_.tag = cmd_.tag;
  error_.message = std::move(message);
  error_.fatal = fatal;
  error_.too_big = too_big;
  ResetCommand();
  ResetSkip();
  state_ = fatal ? State::kFailed : State::kSkipLine;
  *event = Event::kError;
  // The byte that failed is looked at again while discarding: it may be the
  // LF that ends the line.
  return Step::kEventKeep;
}

std::vector<Arg>& CommandParser::Innermost() {
  return open_lists_.empty() ? cmd_.args : *open_lists_.back();
}

bool CommandParser::PushArg(Arg arg) {
  if (++args_ > limits_.max_args) return false;
  Innermost().push_back(std::move(arg));
  return true;
}

uint64_t CommandParser::LiteralLimitHere() const {
  const bool is_mailbox_arg = open_lists_.empty() && cmd_.args.empty();
  return cmd_.name == "APPEND" && !is_mailbox_arg ? limits_.max_append_literal_bytes
                                                   : limits_.max_literal_bytes;
}

size_t CommandParser::LineLimitHere() const {
  if (cmd_.name == "ID") return std::max(limits_.max_line_bytes, limits::kMaxImapIdLineBytes);
  return limits_.max_line_bytes;
}

uint64_t CommandParser::CommandLiteralLimitHere() const {
  if (cmd_.name == "ID") {
    return std::max(limits_.max_command_literal_bytes, limits::kMaxImapIdLiteralBytes);
  }
  return limits_.max_command_literal_bytes;
}

CommandParser::Event CommandParser::Next(std::string_view* input, Command* out,
                                         ParseError* err) {
  SM_CHECK(state_ != State::kPlainLine) << "Next() while NextLine() holds a partial line";
  if (state_ == State::kFailed) {
    *err = error_;
    return Event::kError;
  }
  for (;;) {
    Event event = Event::kNeedMore;
    if (state_ == State::kLiteralData) {
      ReadLiteralData(input, &event);
      if (event == Event::kError) *err = error_;
      if (event != Event::kNeedMore) return event;
      if (state_ == State::kLiteralData) return Event::kNeedMore;
      continue;
    }
    if (state_ == State::kSkipLiteral) {
      SkipLiteralData(input);
      if (state_ == State::kSkipLiteral) return Event::kNeedMore;
      continue;
    }
    if (input->empty()) return Event::kNeedMore;

    const bool counted = state_ != State::kSkipLine;
    if (counted && line_bytes_ >= LineLimitHere()) {
      Fail("Command line too long", &event, /*fatal=*/true, /*too_big=*/true);
      *err = error_;
      return event;
    }
    const Step step = Feed(input->front(), &event);
    if (step == Step::kConsume || step == Step::kEvent) {
      input->remove_prefix(1);
      if (counted) ++line_bytes_;
    }
    if (step == Step::kEvent || step == Step::kEventKeep) {
      if (event == Event::kCommand) {
        *out = std::move(cmd_);
        ResetCommand();
      } else if (event == Event::kError) {
        *err = error_;
      }
      return event;
    }
  }
}

CommandParser::Step CommandParser::Feed(char c, Event* event) {
  if (state_ == State::kSkipLine) return FeedSkip(c);
  // CR is only ever the first half of a line end.
  if (c == '\r') {
    if (cr_) return Fail("CR not followed by LF", event);
    cr_ = true;
    return Step::kConsume;
  }
  if (cr_ && c != '\n') return Fail("CR not followed by LF", event);
  cr_ = false;

  switch (state_) {
    case State::kLineStart:
      line_bytes_ = 0;
      if (c == '\n') return Step::kConsume;  // an empty line is ignored
      state_ = State::kTag;
      return Step::kReprocess;
    case State::kTag:
      return FeedTag(c, event);
    case State::kName:
      return FeedName(c, event);
    case State::kArgStart:
      return FeedArgStart(c, event);
    case State::kAfterToken:
      return FeedAfterToken(c, event);
    case State::kAtom:
      return FeedAtom(c, event);
    case State::kBracket:
      return FeedBracket(c, event);
    case State::kQuoted:
      return FeedQuoted(c, event);
    case State::kTilde:
      if (c == '{') {
        StartLiteralHeader(true);
        state_ = State::kLiteralHeader;
        return Step::kConsume;
      }
      token_ = "~";
      state_ = State::kAtom;
      return Step::kReprocess;
    case State::kLiteralHeader:
      return FeedLiteralHeader(c, event);
    case State::kLiteralData:
    case State::kSkipLine:
    case State::kSkipLiteral:
    case State::kPlainLine:
    case State::kFailed:
      break;
  }
  SM_CHECK(false) << "Feed in state " << static_cast<int>(state_);
  return Step::kConsume;
}

CommandParser::Step CommandParser::FeedTag(char c, Event* event) {
  if (IsTagChar(c)) {
    token_ += c;
    return Step::kConsume;
  }
  if (c == ' ' && !token_.empty()) {
    cmd_.tag = std::move(token_);
    token_.clear();
    state_ = State::kName;
    return Step::kConsume;
  }
  if (c == '\n' && !token_.empty()) {
    cmd_.tag = std::move(token_);
    token_.clear();
    return Fail("Missing command name", event);
  }
  return Fail(token_.empty() ? "Missing tag" : "Invalid character in tag", event);
}

CommandParser::Step CommandParser::FeedName(char c, Event* event) {
  if (IsAtomChar(c)) {
    token_ += c;
    return Step::kConsume;
  }
  if (c != ' ' && c != '\n') return Fail("Invalid character in command name", event);
  if (token_.empty()) return Fail("Missing command name", event);
  cmd_.name = AsciiUpper(token_);
  token_.clear();
  if (c == '\n') return EndOfLine(event);
  state_ = State::kArgStart;
  return Step::kConsume;
}

CommandParser::Step CommandParser::FeedArgStart(char c, Event* event) {
  switch (c) {
    case ' ':
      return Step::kConsume;
    case '\n':
      return EndOfLine(event);
    case '(':
      return OpenList(event);
    case ')':
      return CloseList(event);
    case '"':
      token_.clear();
      escape_ = false;
      state_ = State::kQuoted;
      return Step::kConsume;
    case '{':
      StartLiteralHeader(false);
      state_ = State::kLiteralHeader;
      return Step::kConsume;
    case '~':
      state_ = State::kTilde;
      return Step::kConsume;
    default:
      break;
  }
  if (IsEightBit(c)) return Fail(kEightBitOutsideString, event);
  if (!IsTokenChar(c)) return Fail("Invalid character in command", event);
  token_.clear();
  state_ = State::kAtom;
  return Step::kReprocess;
}

CommandParser::Step CommandParser::FeedAfterToken(char c, Event* event) {
  if (c == ' ') {
    state_ = State::kArgStart;
    return Step::kConsume;
  }
  if (c == ')') return CloseList(event);
  if (c == '\n') return EndOfLine(event);
  if (IsEightBit(c)) return Fail(kEightBitOutsideString, event);
  return Fail("Missing space between arguments", event);
}

CommandParser::Step CommandParser::OpenList(Event* event) {
  if (open_lists_.size() >= limits_.max_list_depth) {
    return Fail("Lists nested too deeply", event, false, /*too_big=*/true);
  }
  Arg list;
  list.kind = Arg::kList;
  if (!PushArg(std::move(list))) return Fail("Too many arguments", event, false, true);
  open_lists_.push_back(&Innermost().back().list);
  state_ = State::kArgStart;
  return Step::kConsume;
}

CommandParser::Step CommandParser::CloseList(Event* event) {
  if (open_lists_.empty()) return Fail("Unexpected ')'", event);
  open_lists_.pop_back();
  state_ = State::kAfterToken;
  return Step::kConsume;
}

bool CommandParser::InFetch() const {
  if (cmd_.name == "FETCH") return true;
  return cmd_.name == "UID" && !cmd_.args.empty() && EqualsIgnoreCase(cmd_.args[0].value, "FETCH");
}

CommandParser::Step CommandParser::FeedAtom(char c, Event* event) {
  if (IsTokenChar(c)) {
    token_ += c;
    if (c == '[' && InFetch()) {
      quoted_in_bracket_ = false;
      escape_ = false;
      state_ = State::kBracket;
    }
    return Step::kConsume;
  }
  Arg arg;
  arg.kind = EqualsIgnoreCase(token_, "NIL") ? Arg::kNil : Arg::kAtom;
  arg.value = std::move(token_);
  token_.clear();
  if (!PushArg(std::move(arg))) return Fail("Too many arguments", event, false, true);
  state_ = State::kAfterToken;
  return Step::kReprocess;
}

CommandParser::Step CommandParser::FeedBracket(char c, Event* event) {
  if (!IsPrintable(c)) {
    return Fail(c == '\n' ? "Missing ']'" : "Invalid character in command", event);
  }
  token_ += c;
  if (quoted_in_bracket_) {
    if (escape_) {
      escape_ = false;
    } else if (c == '\\') {
      escape_ = true;
    } else if (c == '"') {
      quoted_in_bracket_ = false;
    }
  } else if (c == '"') {
    quoted_in_bracket_ = true;
  } else if (c == ']') {
    state_ = State::kAtom;
  }
  return Step::kConsume;
}

CommandParser::Step CommandParser::FeedQuoted(char c, Event* event) {
  if (escape_) {
    if (c != '"' && c != '\\') return Fail("Invalid escape in quoted string", event);
    escape_ = false;
    token_ += c;
    return Step::kConsume;
  }
  if (c == '\\') {
    escape_ = true;
    return Step::kConsume;
  }
  if (c == '"') {
    if (utf8_ && !IsUtf8(token_)) return Fail("Invalid UTF-8 in quoted string", event);
    Arg arg;
    arg.kind = Arg::kString;
    arg.value = std::move(token_);
    token_.clear();
    if (!PushArg(std::move(arg))) return Fail("Too many arguments", event, false, true);
    state_ = State::kAfterToken;
    return Step::kConsume;
  }
  if (c == '\n') return Fail("Unterminated quoted string", event);
  if (IsEightBit(c) && !utf8_) return Fail(kEightBitOutsideString, event);
  if (c == '\0') return Fail("Invalid character in quoted string", event);
  token_ += c;
  return Step::kConsume;
}

CommandParser::Step CommandParser::FeedLiteralHeader(char c, Event* event) {
  if (literal_closed_) {
    if (c == '\n') return LiteralHeaderDone(event);
    return Fail("Literal size must end the line", event);
  }
  if (IsDigit(c) && !literal_plus_) {
    literal_size_ = AppendDigit(literal_size_, c);
    literal_digits_ = true;
    return Step::kConsume;
  }
  if (c == '+' && literal_digits_ && !literal_plus_) {
    literal_plus_ = true;
    return Step::kConsume;
  }
  if (c == '}' && literal_digits_) {
    literal_closed_ = true;
    return Step::kConsume;
  }
  return Fail("Invalid literal size", event);
}

CommandParser::Step CommandParser::LiteralHeaderDone(Event* event) {
  const uint64_t size = literal_size_;
  const bool plus = literal_plus_;
  const bool is8 = literal8_;
  StartLiteralHeader(false);

  const uint64_t limit = LiteralLimitHere();
  if (plus && size > limit) {
    // Skipping it could take forever; RFC 7888 lets us close instead.
    return Fail("Literal too big", event, /*fatal=*/true, /*too_big=*/true);
  }
  if (size > limit || size > CommandLiteralLimitHere() - literal_total_) {
    return RefuseLiteral("Literal too big", size, plus, event);
  }
  if (plus && size > limits_.max_nonsync_literal_bytes) {
    return RefuseLiteral("Non-synchronizing literal too big", size, plus, event);
  }
  Arg arg;
  arg.kind = Arg::kString;
  arg.literal = true;
  arg.literal8 = is8;
  arg.value.reserve(static_cast<size_t>(std::min(size, kLiteralReserveBytes)));
  if (!PushArg(std::move(arg))) return RefuseLiteral("Too many arguments", size, plus, event);
  literal8_ = is8;
  literal_total_ += size;
  literal_left_ = size;
  literal_dst_ = &Innermost().back().value;
  state_ = State::kLiteralData;
  if (plus) return Step::kConsume;
  *event = Event::kContinuationNeeded;
  return Step::kEvent;
}

CommandParser::Step CommandParser::RefuseLiteral(std::string message, uint64_t size, bool plus,
                                                 Event* event) {
  Fail(std::move(message), event, false, /*too_big=*/true);
  // The LF of the header is consumed here. A synchronising literal is never
  // sent (no "+"), so the command ends; a non-synchronising one is on its way.
  if (plus) {
    skip_size_ = size;
    state_ = State::kSkipLiteral;
  } else {
    state_ = State::kLineStart;
  }
  return Step::kEvent;
}

void CommandParser::ReadLiteralData(std::string_view* input, Event* event) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(literal_left_, input->size()));
  std::string_view chunk = input->substr(0, n);
  if (!literal8_) {
    const size_t nul = chunk.find('\0');
    if (nul != std::string_view::npos) {
      input->remove_prefix(nul + 1);
      const uint64_t left = literal_left_ - (nul + 1);
      Fail("NUL in literal (use literal8)", event);
      skip_size_ = left;
      state_ = State::kSkipLiteral;
      return;
    }
  }
  literal_dst_->append(chunk);
  input->remove_prefix(n);
  literal_left_ -= n;
  if (literal_left_ == 0) {
    literal_dst_ = nullptr;
    literal8_ = false;
    state_ = State::kAfterToken;
  }
}

void CommandParser::SkipLiteralData(std::string_view* input) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_size_, input->size()));
  input->remove_prefix(n);
  skip_size_ -= n;
  if (skip_size_ == 0) {
    ResetSkip();
    state_ = State::kSkipLine;
  }
}

CommandParser::Step CommandParser::FeedSkip(char c) {
  if (c == '\n') {
    if (skip_closed_ && skip_plus_) {
      // {n+} ends the line: the client sends n bytes and more of the line.
      const uint64_t size = skip_size_;
      ResetSkip();
      skip_size_ = size;
      state_ = State::kSkipLiteral;
    } else {
      ResetSkip();
      ResetCommand();
      state_ = State::kLineStart;
    }
    return Step::kConsume;
  }
  if (c == '\r') return Step::kConsume;  // neutral: a CR may precede the LF
  const bool open = skip_brace_ && !skip_closed_;
  if (c == '{') {
    ResetSkip();
    skip_brace_ = true;
  } else if (open && IsDigit(c) && !skip_plus_) {
    skip_size_ = AppendDigit(skip_size_, c);
    skip_digits_ = true;
  } else if (open && c == '+' && skip_digits_ && !skip_plus_) {
    skip_plus_ = true;
  } else if (open && c == '}' && skip_digits_) {
    skip_closed_ = true;
  } else {
    ResetSkip();
  }
  return Step::kConsume;
}

CommandParser::Step CommandParser::EndOfLine(Event* event) {
  if (!open_lists_.empty()) return Fail("Missing ')'", event);
  state_ = State::kLineStart;
  *event = Event::kCommand;
  return Step::kEvent;
}

CommandParser::Event CommandParser::NextLine(std::string_view* input, std::string* line,
                                             ParseError* err) {
  if (state_ == State::kFailed) {
    *err = error_;
    return Event::kError;
  }
  SM_CHECK(state_ == State::kLineStart || state_ == State::kPlainLine)
      << "NextLine() in the middle of a command, state " << static_cast<int>(state_);
  state_ = State::kPlainLine;
  while (!input->empty()) {
    const size_t lf = input->find('\n');
    const size_t take = lf == std::string_view::npos ? input->size() : lf;
    const size_t with_lf = take + (lf == std::string_view::npos ? 0 : 1);
    if (line_.size() + with_lf > limits_.max_line_bytes) {
      line_.clear();
      ResetCommand();
      error_ = ParseError{"", "Line too long", /*fatal=*/true, /*too_big=*/true};
      state_ = State::kFailed;
      *err = error_;
      return Event::kError;
    }
    line_.append(input->substr(0, take));
    input->remove_prefix(with_lf);
    if (lf != std::string_view::npos) {
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      *line = std::move(line_);
      line_.clear();
      state_ = State::kLineStart;
      return Event::kLine;
    }
  }
  return Event::kNeedMore;
}

Result<Command> ParseCommandText(std::string_view text, const ParserLimits& limits) {
  CommandParser parser(limits);
  for (;;) {
    Command cmd;
    ParseError err;
    switch (parser.Next(&text, &cmd, &err)) {
      case CommandParser::Event::kCommand:
        return cmd;
      case CommandParser::Event::kError:
        return Status::InvalidArgument(err.message);
      case CommandParser::Event::kNeedMore:
        return Status::InvalidArgument("Incomplete command");
      case CommandParser::Event::kContinuationNeeded:
      case CommandParser::Event::kLine:
        break;
    }
  }
}

}  // namespace slotmail::imap
