#include "lmtpd/protocol.h"

#include <cctype>

#include "common/check.h"

namespace slotmail::lmtpd {

namespace {

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string Lower(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u;
}

// Case-insensitive "starts with"; on success *rest is what follows.
bool HasControlChars(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool Prefix(std::string_view s, std::string_view p, std::string_view* rest) {
  if (s.size() < p.size() || Upper(s.substr(0, p.size())) != p) return false;
  *rest = s.substr(p.size());
  return true;
}

// "<addr> PARAM PARAM" -> addr and the parameter text. False on bad syntax.
bool SplitPath(std::string_view s, std::string* addr, std::string_view* params) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.empty() || s.front() != '<') return false;
  size_t close = s.find('>');
  if (close == std::string_view::npos) return false;
  std::string_view a = s.substr(1, close - 1);
  // A source route ("@a,@b:user@c", RFC 5321 4.1.2) is ignored.
  if (!a.empty() && a.front() == '@') {
    size_t colon = a.find(':');
    if (colon == std::string_view::npos) return false;
    a.remove_prefix(colon + 1);
  }
  *addr = std::string(a);
  *params = s.substr(close + 1);
  return true;
}

// Splits parameters on spaces.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

constexpr std::string_view kTooManyRecipients = "452 4.5.3 Too many recipients";

}  // namespace

bool ParseRecipient(std::string_view address, Recipient* out) {
  out->address = std::string(address);
  size_t at = address.rfind('@');
  std::string local = Lower(at == std::string_view::npos ? address : address.substr(0, at));
  size_t plus = local.find('+');
  out->user = local.substr(0, plus);
  out->folder.clear();
  if (plus != std::string::npos) {
    // The folder keeps its case: IMAP names are case-sensitive (but INBOX).
    std::string_view orig = address.substr(0, at == std::string_view::npos ? address.size() : at);
    out->folder = std::string(orig.substr(plus + 1));
  }
  return !out->user.empty();
}

Protocol::Protocol(ProtocolOptions options) : opt_(std::move(options)) {}

void Protocol::Greet() { Reply("220 " + opt_.hostname + " LMTP slotmail ready"); }

void Protocol::Reply(std::string_view text) {
  out_.append(text.data(), text.size());
  out_ += "\r\n";
}

void Protocol::TakeOutput(std::string* out) {
  out->append(out_);
  out_.clear();
}

void Protocol::ResetTransaction() {
  have_mail_ = false;
  sender_.clear();
  rcpts_.clear();
  data_.clear();
  data_too_big_ = false;
}

bool Protocol::PeekLine(std::string_view* line, size_t* next, bool* crlf) const {
  const size_t lf = in_.find('\n', in_pos_);
  if (lf == std::string::npos) return false;
  size_t end = lf;
  *crlf = end > in_pos_ && in_[end - 1] == '\r';
  if (*crlf) --end;  // a bare LF is tolerated as a line end
  *line = std::string_view(in_).substr(in_pos_, end - in_pos_);
  *next = lf + 1;
  return true;
}

bool Protocol::NextLine(size_t max, std::string_view* line, bool* too_long, bool* crlf) {
  size_t next = 0;
  if (!PeekLine(line, &next, crlf)) {
    if (in_.size() - in_pos_ > max) {  // keep memory bounded: drop what we have
      discarding_line_ = true;
      in_.clear();
      in_pos_ = 0;
    }
    return false;
  }
  *too_long = discarding_line_ || line->size() > max;
  discarding_line_ = false;
  if (*too_long) *line = {};
  in_pos_ = next;
  return true;
}

Protocol::Event Protocol::Next() {
  SM_CHECK(state_ != State::kWaiting);
  Event e = NextEvent();
  // Consumed lines leave the buffer once per call, not once per line (a
  // message is thousands of lines; erasing each would move the rest).
  consumed_ += in_pos_;
  in_.erase(0, in_pos_);
  in_pos_ = 0;
  return e;
}

Protocol::Event Protocol::NextEvent() {
  std::string_view line;
  bool too_long = false;
  bool crlf = false;
  while (true) {
    if (state_ == State::kData) {
      if (!NextLine(opt_.max_data_line, &line, &too_long, &crlf)) return Event::kNeedMore;
      if (too_long) {
        data_too_big_ = true;
        data_after_crlf_ = crlf;
        data_.clear();
        continue;
      }
      Event e = DataLine(line, crlf);
      if (e != Event::kNeedMore) return e;
      continue;
    }
    if (!NextLine(opt_.max_command_line, &line, &too_long, &crlf)) return Event::kNeedMore;
    Event e = too_long ? Error("500 5.5.2 Line too long") : Command(line);
    if (e != Event::kNeedMore) return e;
  }
}

// Only <CRLF>.<CRLF> ends the data (RFC 5321 4.1.1.4): a "." line after or
// before a bare LF is content, kept as ".", so "\n.\n" can never end a
// message early and make the rest of it read as commands (SMTP smuggling).
// Other lines ending in a bare LF are stored with CRLF.
Protocol::Event Protocol::DataLine(std::string_view line, bool crlf) {
  const bool ends_data = line == "." && data_after_crlf_ && crlf;
  data_after_crlf_ = crlf;
  if (ends_data) {
    if (data_too_big_) {
      for (size_t i = 0; i < rcpts_.size(); ++i) Reply("552 5.3.4 Message too big");
      ResetTransaction();
      state_ = State::kCommand;
      return Event::kNeedMore;
    }
    state_ = State::kWaiting;
    return Event::kDeliver;
  }
  // RFC 5321 4.5.2; a lone "." that does not end the data stays ".".
  if (line.size() > 1 && line.front() == '.') line.remove_prefix(1);
  if (data_too_big_) return Event::kNeedMore;
  if (data_.size() + line.size() + 2 > opt_.max_message_bytes) {
    data_too_big_ = true;
    data_.clear();
    data_.shrink_to_fit();
    return Event::kNeedMore;
  }
  data_.append(line.data(), line.size());
  data_ += "\r\n";
  return Event::kNeedMore;
}

void Protocol::TakeErrors(std::vector<std::string>* out) {
  out->insert(out->end(), error_replies_.begin(), error_replies_.end());
  error_replies_.clear();
}

Protocol::Event Protocol::Error(std::string_view reply) {
  error_replies_.emplace_back(reply);
  if (++errors_ > limits::kMaxLmtpErrors) {
    Reply("421 4.7.0 Too many errors, closing connection");
    return Event::kClose;
  }
  Reply(reply);
  return Event::kNeedMore;
}

Protocol::Event Protocol::Command(std::string_view line) {
  // Addresses and the LHLO name end up in header fields: no CR, NUL, etc.
  if (HasControlChars(line)) return Error("501 5.5.2 Control characters in command");
  size_t sp = line.find(' ');
  std::string verb = Upper(line.substr(0, sp));
  std::string_view args = sp == std::string_view::npos ? "" : line.substr(sp + 1);
  if (verb == "LHLO") {
    while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
    if (args.empty()) return Error("501 5.5.4 LHLO needs a domain");
    helo_ = std::string(args.substr(0, args.find(' ')));
    ResetTransaction();
    Reply("250-" + opt_.hostname);
    Reply("250-PIPELINING");
    Reply("250-ENHANCEDSTATUSCODES");
    Reply("250-8BITMIME");
    Reply("250 SIZE " + std::to_string(opt_.max_message_bytes));
    return Event::kNeedMore;
  }
  if (verb == "MAIL") return Mail(args);
  if (verb == "RCPT") return Rcpt(args);
  if (verb == "DATA") {
    if (!args.empty()) return Error("501 5.5.4 DATA takes no arguments");
    if (!have_mail_) return Error("503 5.5.1 MAIL first");
    if (rcpts_.empty()) return Error("503 5.5.1 No valid recipients");
    Reply("354 Start mail input; end with <CRLF>.<CRLF>");
    state_ = State::kData;
    data_after_crlf_ = true;  // the DATA line's end is the first CRLF of <CRLF>.<CRLF>
    return Event::kNeedMore;
  }
  if (verb == "RSET") {
    ResetTransaction();
    Reply("250 2.0.0 Ok");
    return Event::kNeedMore;
  }
  if (verb == "NOOP") {
    Reply("250 2.0.0 Ok");
    return Event::kNeedMore;
  }
  if (verb == "QUIT") {
    Reply("221 2.0.0 Bye");
    return Event::kClose;
  }
  if (verb == "HELO" || verb == "EHLO") return Error("500 5.5.1 This is LMTP: use LHLO");
  return Error("500 5.5.2 Unknown command");
}

Protocol::Event Protocol::Mail(std::string_view args) {
  if (helo_.empty()) return Error("503 5.5.1 LHLO first");
  if (have_mail_) return Error("503 5.5.1 Nested MAIL command");
  std::string_view rest, params;
  std::string addr;
  if (!Prefix(args, "FROM:", &rest) || !SplitPath(rest, &addr, &params)) {
    return Error("501 5.5.4 Syntax: MAIL FROM:<address>");
  }
  for (std::string_view p : Words(params)) {
    std::string_view v;
    if (Prefix(p, "SIZE=", &v)) {
      uint64_t n = 0;
      if (v.empty() || v.size() > 19) return Error("501 5.5.4 Bad SIZE");
      for (char c : v) {
        if (c < '0' || c > '9') return Error("501 5.5.4 Bad SIZE");
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (n > opt_.max_message_bytes) return Error("552 5.3.4 Message too big");
    } else if (Prefix(p, "BODY=", &v)) {
      std::string body = Upper(v);
      if (body != "7BIT" && body != "8BITMIME") return Error("501 5.5.4 Bad BODY");
    } else {
      return Error("555 5.5.4 Unsupported parameter");
    }
  }
  have_mail_ = true;
  sender_ = addr;
  Reply("250 2.1.0 Ok");
  return Event::kNeedMore;
}

// The error reply for RCPT with `args`, or "" with *out set if it needs a
// check. Counts the recipients already pending as accepted, so a batch never
// goes past max_recipients (the batch stops there; see TakePipelinedRcpt).
std::string_view Protocol::RcptError(std::string_view args, Recipient* out) const {
  if (!have_mail_) return "503 5.5.1 MAIL first";
  std::string_view rest, params;
  std::string addr;
  if (!Prefix(args, "TO:", &rest) || !SplitPath(rest, &addr, &params)) {
    return "501 5.5.4 Syntax: RCPT TO:<address>";
  }
  if (!Words(params).empty()) return "555 5.5.4 Unsupported parameter";
  if (rcpts_.size() + pending_.size() >= opt_.max_recipients) return kTooManyRecipients;
  if (!ParseRecipient(addr, out)) return "501 5.1.3 Bad recipient address";
  return "";
}

Protocol::Event Protocol::Rcpt(std::string_view args) {
  Recipient r;
  if (std::string_view e = RcptError(args, &r); !e.empty()) {
    // A recipient past the limit is no client error (RFC 5321 4.5.3.1.10:
    // the client sends the rest later): it must not count towards
    // kMaxLmtpErrors, or a long list would drop the session and the
    // recipients already accepted with it.
    if (e == kTooManyRecipients) {
      Reply(e);
      return Event::kNeedMore;
    }
    return Error(e);
  }
  pending_.push_back(std::move(r));
  // Pipelined RCPTs right behind join the check, as long as each would be
  // checked anyway: any other command, or a RCPT that gets an error reply
  // (which must come after the pending ones' replies), ends the batch. The
  // batch stops below max_recipients, so a later RCPT is judged with the
  // accepted count known.
  while (rcpts_.size() + pending_.size() < opt_.max_recipients && TakePipelinedRcpt()) {
  }
  state_ = State::kWaiting;
  return Event::kCheckRecipient;
}

// Moves the next buffered line into pending_ if it is a complete RCPT command
// that needs a check; otherwise leaves the buffer alone.
bool Protocol::TakePipelinedRcpt() {
  std::string_view line;
  size_t next = 0;
  bool crlf = false;
  if (discarding_line_ || !PeekLine(&line, &next, &crlf)) return false;
  if (line.size() > opt_.max_command_line) return false;
  if (HasControlChars(line)) return false;
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || Upper(line.substr(0, sp)) != "RCPT") return false;
  Recipient r;
  if (!RcptError(line.substr(sp + 1), &r).empty()) return false;
  pending_.push_back(std::move(r));
  in_pos_ = next;
  return true;
}

void Protocol::RecipientsChecked(const std::vector<bool>& exists) {
  SM_CHECK(state_ == State::kWaiting);
  SM_CHECK(exists.size() == pending_.size());
  state_ = State::kCommand;
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!exists[i]) {
      Reply("550 5.1.1 No such user");
      continue;
    }
    rcpts_.push_back(std::move(pending_[i]));
    Reply("250 2.1.5 Ok");
  }
  pending_.clear();
}

void Protocol::RecipientsRefused(std::string_view reply) {
  SM_CHECK(state_ == State::kWaiting);
  state_ = State::kCommand;
  for (size_t i = 0; i < pending_.size(); ++i) Reply(reply);
  pending_.clear();
}

void Protocol::DeliveryRefused(std::string_view reply) {
  SM_CHECK(state_ == State::kWaiting);
  for (size_t i = 0; i < rcpts_.size(); ++i) Reply(reply);
  ResetTransaction();
  state_ = State::kCommand;
}

void Protocol::Delivered(const std::vector<Outcome>& outcomes) {
  SM_CHECK(state_ == State::kWaiting);
  SM_CHECK(outcomes.size() == rcpts_.size());
  for (Outcome o : outcomes) {
    switch (o) {
      case Outcome::kDelivered: Reply("250 2.0.0 Delivered"); break;
      case Outcome::kUnknownUser: Reply("550 5.1.1 No such user"); break;
      case Outcome::kOverQuota:
        Reply(opt_.over_quota_permanent ? "552 5.2.2 Mailbox full"
                                        : "452 4.2.2 Mailbox full, try again later");
        break;
      case Outcome::kTooBig: Reply("552 5.3.4 Message too big"); break;
      case Outcome::kFailed: Reply("451 4.3.0 Temporary failure, try again later"); break;
    }
  }
  ResetTransaction();
  state_ = State::kCommand;
}

}  // namespace slotmail::lmtpd
