// The POP3 conversation of one connection (RFC 1939 with RFC 2449 CAPA and
// response codes, RFC 2595 STLS, RFC 5034 SASL PLAIN, RFC 3206 codes), with
// no I/O: it is fed bytes, writes replies into an output buffer, and asks
// its owner for what needs the network or the store: starting TLS, checking
// a login (and loading the maildrop), reading a message, and removing the
// deleted messages at QUIT. While a request is outstanding it reads no
// further input, so pipelined commands (RFC 2449 PIPELINING) are answered
// in order.
//
// States (RFC 1939 3): AUTHORIZATION until a login succeeds, TRANSACTION,
// then UPDATE at QUIT. DELE only marks a message in the session; only a
// QUIT in TRANSACTION asks for the marked messages' removal, so a dropped
// connection removes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3d/limits.h"
#include "pop3d/maildrop.h"

namespace slotmail::pop3d {

struct ProtocolOptions {
  bool tls_available = false;  // a certificate is configured: STLS is offered
  bool tls_active = false;     // the connection is TLS already (implicit TLS)
  // USER/PASS and AUTH PLAIN are allowed without TLS (plaintext_auth and,
  // for "loopback", the peer's address decide it).
  bool plaintext_auth = false;
  size_t max_command_line = limits::kMaxCommandLineBytes;
  size_t max_auth_line = limits::kMaxAuthLineBytes;
};

class Protocol {
 public:
  enum class Event {
    kNeedMore,  // feed more input
    kStartTls,  // send the output in plain, start TLS, then TlsStarted()
    kLogin,     // check login_user()/login_password(): LoggedIn or LoginFailed
    kRetrieve,  // read retrieve_guid(): Retrieved or RetrieveFailed
    kUpdate,    // remove deleted_uids() from INBOX: Updated (kClose follows)
    kClose,     // send the output, then close (QUIT, or too many errors)
  };
  enum class State { kAuthorization, kTransaction, kUpdate };

  explicit Protocol(ProtocolOptions options) : opt_(options) {}

  void Greet();  // the "+OK" greeting, once, at connection start
  void Feed(std::string_view bytes) { in_.append(bytes.data(), bytes.size()); }
  // Processes buffered input until it needs more, or a request is made.
  // REQUIRES: no request outstanding.
  Event Next();
  void TakeOutput(std::string* out);
  bool HasOutput() const { return !out_.empty(); }
  // The -ERR replies to malformed or misplaced commands since the last
  // call, for the log.
  void TakeErrors(std::vector<std::string>* out);
  bool too_many_errors() const { return errors_ > limits::kMaxErrors; }
  size_t BufferedInput() const { return in_.size() - in_pos_; }
  // Bytes of complete lines consumed so far (progress for idle timeouts).
  uint64_t consumed() const { return consumed_ + in_pos_; }
  State state() const { return state_; }

  // ---- answers to requests
  // TLS is on. Input buffered before it is dropped (RFC 2595 3.1: nothing
  // sent in plain may be read as if it came inside TLS).
  void TlsStarted();
  // kLogin: the user as given (the owner normalises it) and the password;
  // mechanism() is "login" (USER/PASS) or "plain" (AUTH PLAIN).
  const std::string& login_user() const { return user_; }
  const std::string& login_password() const { return password_; }
  const char* mechanism() const { return mechanism_; }
  void LoggedIn(Maildrop maildrop);
  // `reply` is a whole line such as "-ERR [AUTH] Authentication failed";
  // the session stays in AUTHORIZATION.
  void LoginFailed(std::string_view reply);
  // kRetrieve (RETR or TOP).
  const std::string& retrieve_guid() const { return retrieve_guid_; }
  void Retrieved(std::string_view message);
  void RetrieveFailed(std::string_view reply);
  // kUpdate: the UIDs marked deleted, ascending.
  std::vector<uint32_t> deleted_uids() const;
  // `reply`: "+OK ..." when they are removed, else an -ERR line (RFC 1939
  // 6: "-ERR some deleted messages not removed"). kClose follows.
  void Updated(std::string_view reply);

 private:
  enum class Wait { kNone, kTls, kLogin, kRetrieve, kUpdate, kClosed };
  bool NextLine(size_t max, std::string_view* line, bool* too_long);
  Event NextEvent();
  Event Command(std::string_view line);
  Event Authorization(const std::string& cmd, std::string_view args);
  Event Transaction(const std::string& cmd, std::string_view args);
  Event AuthPlain(std::string_view response);
  Event Capa();
  // The message numbered `arg` (1-based, not deleted); null after an -ERR.
  const MaildropMessage* MessageArg(std::string_view arg, size_t* index);
  Event List(std::string_view args, bool uidl);
  Event Retr(std::string_view args, bool top);
  Event Quit();
  Event Error(std::string_view reply);  // a client error: counted
  Event Request(Wait wait, Event e);
  void Reply(std::string_view line);
  bool plaintext_allowed() const { return opt_.plaintext_auth || opt_.tls_active; }

  ProtocolOptions opt_;
  State state_ = State::kAuthorization;
  Wait wait_ = Wait::kNone;
  bool auth_line_ = false;  // the next line is the AUTH PLAIN response
  std::string in_;
  size_t in_pos_ = 0;
  uint64_t consumed_ = 0;
  bool discarding_line_ = false;
  std::string out_;
  int errors_ = 0;
  std::vector<std::string> error_replies_;
  std::string user_;  // after USER, or the AUTH PLAIN authcid
  std::string password_;
  const char* mechanism_ = "login";
  Maildrop maildrop_;
  std::vector<bool> deleted_;  // by index into maildrop_.messages
  std::string retrieve_guid_;
  std::optional<uint64_t> top_lines_;  // the pending retrieval is a TOP
  uint64_t retrieve_size_ = 0;
};

}  // namespace slotmail::pop3d
