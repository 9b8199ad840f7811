// The TRANSACTION commands (RFC 1939 5, 7) and QUIT.
#include <charconv>

#include "common/check.h"
#include "pop3d/protocol.h"

namespace slotmail::pop3d {

namespace {

// A decimal number with nothing around it; false if not one or too big.
bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(s.data(), s.data() + s.size(), *out).ec == std::errc();
}

// Splits "a b" at the single space; false unless exactly `n` words.
bool Words(std::string_view args, size_t n, std::string_view* first, std::string_view* second) {
  const size_t sp = args.find(' ');
  if (n == 1) {
    *first = args;
    return !args.empty() && sp == std::string_view::npos;
  }
  if (sp == std::string_view::npos) return false;
  *first = args.substr(0, sp);
  *second = args.substr(sp + 1);
  return !first->empty() && !second->empty() && second->find(' ') == std::string_view::npos;
}

}  // namespace

const MaildropMessage* Protocol::MessageArg(std::string_view arg, size_t* index) {
  uint64_t n = 0;
  if (!ParseNumber(arg, &n)) {
    Error("-ERR Invalid message number");
    return nullptr;
  }
  if (n == 0 || n > maildrop_.messages.size()) {
    Error("-ERR No such message");
    return nullptr;
  }
  *index = n - 1;
  if (deleted_[*index]) {
    Error("-ERR Message " + std::to_string(n) + " is deleted");
    return nullptr;
  }
  return &maildrop_.messages[*index];
}

Protocol::Event Protocol::Transaction(const std::string& cmd, std::string_view args) {
  std::string_view a, b;
  size_t i = 0;
  if (cmd == "STAT" || cmd == "NOOP" || cmd == "RSET") {
    if (!args.empty()) return Error("-ERR " + cmd + " takes no arguments");
    if (cmd == "NOOP") {
      Reply("+OK");
    } else if (cmd == "RSET") {
      deleted_.assign(deleted_.size(), false);
      Reply("+OK " + std::to_string(deleted_.size()) + " messages");
    } else {
      uint64_t count = 0, bytes = 0;
      for (size_t j = 0; j < deleted_.size(); ++j) {
        if (deleted_[j]) continue;
        ++count;
        bytes += maildrop_.messages[j].size;
      }
      Reply("+OK " + std::to_string(count) + " " + std::to_string(bytes));
    }
    return Event::kNeedMore;
  }
  if (cmd == "LIST" || cmd == "UIDL") return List(args, cmd == "UIDL");
  if (cmd == "RETR" || cmd == "TOP") return Retr(args, cmd == "TOP");
  if (cmd == "DELE") {
    if (!Words(args, 1, &a, &b)) return Error("-ERR DELE takes a message number");
    if (MessageArg(a, &i) == nullptr) return Event::kNeedMore;
    deleted_[i] = true;
    Reply("+OK Message " + std::string(a) + " deleted");
    return Event::kNeedMore;
  }
  if (cmd == "USER" || cmd == "PASS" || cmd == "AUTH" || cmd == "STLS") {
    return Error("-ERR Already logged in");
  }
  return Error("-ERR Unknown command");
}

// LIST/UIDL [msg]: one line for `msg`, or a multi-line listing of every
// message not deleted.
Protocol::Event Protocol::List(std::string_view args, bool uidl) {
  auto line = [&](size_t i) {
    const MaildropMessage& m = maildrop_.messages[i];
    return std::to_string(i + 1) + " " +
           (uidl ? Uidl(maildrop_.uidvalidity, m) : std::to_string(m.size));
  };
  if (!args.empty()) {
    std::string_view a, b;
    size_t i = 0;
    if (!Words(args, 1, &a, &b)) return Error("-ERR Invalid message number");
    if (MessageArg(a, &i) != nullptr) Reply("+OK " + line(i));
    return Event::kNeedMore;
  }
  Reply(uidl ? "+OK Unique-ID listing follows" : "+OK Scan listing follows");
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (!deleted_[i]) Reply(line(i));
  }
  Reply(".");
  return Event::kNeedMore;
}

Protocol::Event Protocol::Retr(std::string_view args, bool top) {
  std::string_view a, b;
  size_t i = 0;
  uint64_t lines = 0;
  if (!Words(args, top ? 2 : 1, &a, &b) || (top && !ParseNumber(b, &lines))) {
    return Error(top ? "-ERR TOP takes a message number and a line count"
                     : "-ERR RETR takes a message number");
  }
  const MaildropMessage* m = MessageArg(a, &i);
  if (m == nullptr) return Event::kNeedMore;
  retrieve_guid_ = m->guid;
  retrieve_size_ = m->size;
  top_lines_ = top ? std::optional<uint64_t>(lines) : std::nullopt;
  return Request(Wait::kRetrieve, Event::kRetrieve);
}

void Protocol::Retrieved(std::string_view message) {
  SM_CHECK(wait_ == Wait::kRetrieve);
  wait_ = Wait::kNone;
  Reply(top_lines_ ? "+OK Top of message follows"
                   : "+OK " + std::to_string(retrieve_size_) + " octets");
  AppendMultiline(message, top_lines_, &out_);
}

void Protocol::RetrieveFailed(std::string_view reply) {
  SM_CHECK(wait_ == Wait::kRetrieve);
  wait_ = Wait::kNone;
  Reply(reply);
}

std::vector<uint32_t> Protocol::deleted_uids() const {
  std::vector<uint32_t> uids;
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (deleted_[i]) uids.push_back(maildrop_.messages[i].uid);
  }
  return uids;
}

// QUIT in AUTHORIZATION just closes; in TRANSACTION it enters UPDATE and,
// if messages are marked, asks for their removal first (RFC 1939 6).
Protocol::Event Protocol::Quit() {
  if (state_ == State::kTransaction) {
    state_ = State::kUpdate;
    if (!deleted_uids().empty()) return Request(Wait::kUpdate, Event::kUpdate);
  }
  Reply("+OK slotmail POP3 server signing off");
  wait_ = Wait::kClosed;
  return Event::kClose;
}

}  // namespace slotmail::pop3d
