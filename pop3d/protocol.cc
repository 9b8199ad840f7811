// Line framing, AUTHORIZATION (CAPA, USER/PASS, AUTH PLAIN, STLS) and the
// answers to requests. The TRANSACTION commands are in transaction.cc.
#include "pop3d/protocol.h"

#include <cctype>

#include "common/sasl_plain.h"
#include "common/check.h"

namespace slotmail::pop3d {

namespace {

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

}  // namespace

void Protocol::Greet() { Reply("+OK slotmail POP3 server ready"); }

void Protocol::Reply(std::string_view line) {
  out_.append(line);
  out_.append("\r\n");
}

void Protocol::TakeOutput(std::string* out) {
  out->append(out_);
  out_.clear();
}

void Protocol::TakeErrors(std::vector<std::string>* out) {
  for (std::string& e : error_replies_) out->push_back(std::move(e));
  error_replies_.clear();
}

Protocol::Event Protocol::Error(std::string_view reply) {
  Reply(reply);
  error_replies_.emplace_back(reply);
  if (++errors_ <= limits::kMaxErrors) return Event::kNeedMore;
  Reply("-ERR Too many errors, closing connection");
  wait_ = Wait::kClosed;
  return Event::kClose;
}

Protocol::Event Protocol::Request(Wait wait, Event e) {
  wait_ = wait;
  return e;
}

bool Protocol::NextLine(size_t max, std::string_view* line, bool* too_long) {
  const size_t lf = in_.find('\n', in_pos_);
  if (lf == std::string::npos) {
    if (in_.size() - in_pos_ > max) {  // keep memory bounded: drop what we have
      discarding_line_ = true;
      consumed_ += in_.size();
      in_.clear();
      in_pos_ = 0;
    }
    return false;
  }
  size_t end = lf;
  if (end > in_pos_ && in_[end - 1] == '\r') --end;  // a bare LF ends a line too
  *line = std::string_view(in_).substr(in_pos_, end - in_pos_);
  *too_long = discarding_line_ || line->size() > max;
  discarding_line_ = false;
  in_pos_ = lf + 1;
  return true;
}

Protocol::Event Protocol::Next() {
  if (wait_ == Wait::kClosed) return Event::kClose;
  SM_CHECK(wait_ == Wait::kNone);
  Event e = NextEvent();
  consumed_ += in_pos_;
  in_.erase(0, in_pos_);
  in_pos_ = 0;
  return e;
}

Protocol::Event Protocol::NextEvent() {
  std::string_view line;
  bool too_long = false;
  while (true) {
    const bool auth = auth_line_;
    if (!NextLine(auth ? opt_.max_auth_line : opt_.max_command_line, &line, &too_long)) {
      return Event::kNeedMore;
    }
    Event e;
    if (too_long) {
      auth_line_ = false;
      e = Error("-ERR Line too long");
    } else if (auth) {
      auth_line_ = false;
      e = line == "*" ? Error("-ERR Authentication cancelled") : AuthPlain(line);
    } else {
      e = Command(line);
    }
    if (e != Event::kNeedMore) return e;
    if (wait_ == Wait::kClosed) return Event::kClose;  // an error past the limit
  }
}

Protocol::Event Protocol::Command(std::string_view line) {
  for (char c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Error("-ERR Control characters in command");
    }
  }
  const size_t sp = line.find(' ');
  const std::string cmd = Upper(line.substr(0, sp));
  const std::string_view args = sp == std::string_view::npos ? "" : line.substr(sp + 1);
  if (cmd == "CAPA") return Capa();
  if (cmd == "QUIT") return Quit();
  if (state_ == State::kAuthorization) return Authorization(cmd, args);
  return Transaction(cmd, args);
}

Protocol::Event Protocol::Capa() {
  Reply("+OK Capability list follows");
  Reply("TOP");
  Reply("UIDL");
  Reply("RESP-CODES");
  Reply("AUTH-RESP-CODE");
  Reply("PIPELINING");
  if (state_ == State::kAuthorization && plaintext_allowed()) {
    Reply("USER");
    Reply("SASL PLAIN");
  }
  if (state_ == State::kAuthorization && opt_.tls_available && !opt_.tls_active) Reply("STLS");
  Reply("IMPLEMENTATION slotmail");
  Reply(".");
  return Event::kNeedMore;
}

Protocol::Event Protocol::Authorization(const std::string& cmd, std::string_view args) {
  if (cmd == "STLS") {
    if (!args.empty()) return Error("-ERR STLS takes no arguments");
    if (!opt_.tls_available) return Error("-ERR TLS is not configured");
    if (opt_.tls_active) return Error("-ERR TLS is already active");
    Reply("+OK Begin TLS negotiation now");
    return Request(Wait::kTls, Event::kStartTls);
  }
  if (cmd == "USER" || cmd == "PASS" || cmd == "AUTH") {
    if (cmd == "AUTH" && args.empty()) {  // RFC 5034 4 lists mechanisms
      Reply("+OK Mechanisms follow");
      Reply("PLAIN");
      Reply(".");
      return Event::kNeedMore;
    }
    if (!plaintext_allowed()) {
      user_.clear();
      return Error("-ERR [AUTH] Plaintext authentication requires TLS (STLS)");
    }
  }
  if (cmd == "USER") {
    if (args.empty() || args.find(' ') != std::string_view::npos) {
      return Error("-ERR USER takes one user name");
    }
    user_ = std::string(args);
    Reply("+OK Send PASS");
    return Event::kNeedMore;
  }
  if (cmd == "PASS") {
    if (user_.empty()) return Error("-ERR USER first");
    if (args.empty()) return Error("-ERR PASS takes a password");
    password_ = std::string(args);  // the rest of the line: it may hold spaces
    mechanism_ = "login";
    return Request(Wait::kLogin, Event::kLogin);
  }
  if (cmd == "AUTH") {
    const size_t sp = args.find(' ');
    if (Upper(args.substr(0, sp)) != "PLAIN") {
      return Error("-ERR Unsupported authentication mechanism");
    }
    if (sp == std::string_view::npos) {
      Reply("+ ");
      auth_line_ = true;
      return Event::kNeedMore;
    }
    const std::string_view ir = args.substr(sp + 1);
    return AuthPlain(ir == "=" ? "" : ir);  // "=": an empty initial response
  }
  if (cmd == "STAT" || cmd == "LIST" || cmd == "UIDL" || cmd == "RETR" || cmd == "TOP" ||
      cmd == "DELE" || cmd == "NOOP" || cmd == "RSET") {
    return Error("-ERR Log in first");
  }
  return Error("-ERR Unknown command");
}

// RFC 4616: [authzid] NUL authcid NUL passwd. We act only as ourselves.
Protocol::Event Protocol::AuthPlain(std::string_view response) {
  user_.clear();
  auto plain = ParseSaslPlain(response);
  if (!plain.ok()) return Error("-ERR " + plain.status().message());
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) {
    return Error("-ERR [AUTH] Cannot act as another user");
  }
  if (plain->authcid.empty() || plain->password.empty()) {
    return Error("-ERR [AUTH] Authentication failed");
  }
  user_ = std::move(plain->authcid);
  password_ = std::move(plain->password);
  mechanism_ = "plain";
  return Request(Wait::kLogin, Event::kLogin);
}

void Protocol::TlsStarted() {
  SM_CHECK(wait_ == Wait::kTls);
  wait_ = Wait::kNone;
  opt_.tls_active = true;
  consumed_ += in_.size();
  in_.clear();
  in_pos_ = 0;
  discarding_line_ = false;
}

void Protocol::LoggedIn(Maildrop maildrop) {
  SM_CHECK(wait_ == Wait::kLogin);
  wait_ = Wait::kNone;
  password_.clear();
  maildrop_ = std::move(maildrop);
  deleted_.assign(maildrop_.messages.size(), false);
  state_ = State::kTransaction;
  Reply("+OK Logged in, " + std::to_string(maildrop_.messages.size()) + " messages");
}

void Protocol::LoginFailed(std::string_view reply) {
  SM_CHECK(wait_ == Wait::kLogin);
  wait_ = Wait::kNone;
  user_.clear();
  password_.clear();
  Reply(reply);
}

void Protocol::Updated(std::string_view reply) {
  SM_CHECK(wait_ == Wait::kUpdate);
  wait_ = Wait::kClosed;
  Reply(reply);
}

}  // namespace slotmail::pop3d
