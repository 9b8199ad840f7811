#include "imapd/session.h"

#include <algorithm>

#include "common/limits.h"
#include "imapd/commands.h"
#include "imapd/plaintext_auth.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {

Session::Session(Server* server, std::string peer_ip, bool implicit_tls)
    : server_(server),
      peer_ip_(std::move(peer_ip)),
      implicit_tls_(implicit_tls),
      events_(implicit_tls ? "imaps" : "imap", peer_ip_),
      parser_(imap::ParserLimits::PreAuth()) {}

Session::~Session() { events_.Closed(conn_.get(), user_, "shutdown"); }

store::Store& Session::store() { return server_->store(); }

const ServerConfig& Session::server_config() const { return server_->config(); }

void Session::Start(int fd) {
  conn_ = net::Connection::Adopt(server_->loop(), fd, peer_ip_,
                                 implicit_tls_ ? server_->tls() : nullptr, this);
  events_.Track(conn_.get());
  // A deadline, not the read timeout: bytes trickling in do not move it.
  const std::chrono::seconds timeout = server_->config().login_timeout;
  conn_->SetReadTimeout(timeout);
  login_deadline_ = server_->loop()->After(timeout, [this] {
    login_deadline_.reset();
    if (closed_ || state_ != State::kNotAuthenticated) return;
    events::LimitHit("login_timeout", events_.protocol(), peer_ip_, "");
    close_reason_ = "login_timeout";
    Untagged("BYE Autologout; not logged in in time");
    conn_->CloseAfterFlush();
  });
  Untagged("OK [CAPABILITY " + Capabilities(*this) + "] " + server_->config().hostname +
           " slotmail ready");
}

void Session::Shutdown(std::string_view bye) {
  if (closed_) return;
  gone_ = true;
  close_reason_ = "server";
  Untagged("BYE " + std::string(bye));
  conn_->CloseAfterFlush();
}

bool Session::is_tls() const { return conn_ && conn_->is_tls(); }

bool Session::is_compressed() const { return conn_ && conn_->is_compressed(); }

bool Session::is_loopback() const { return IsLoopback(peer_ip_); }

bool Session::PlaintextAuthAllowed() const {
  return imapd::PlaintextAuthAllowed(server_->config().plaintext_auth, is_tls(), peer_ip_);
}

void Session::Untagged(std::string_view line) {
  std::string out;
  out.reserve(line.size() + 4);
  out += "* ";
  out += line;
  out += "\r\n";
  WriteRaw(out);
}

void Session::Continue(std::string_view text) { WriteRaw("+ " + std::string(text) + "\r\n"); }

void Session::WriteRaw(std::string_view bytes) {
  if (conn_ && !closed_) conn_->Write(bytes);
}

// ---- input

void Session::OnInput(net::Connection* c) {
  c->TakeInput(&inbuf_);
  ProcessInput();
}

void Session::OnDrained(net::Connection*) {
  // Output was waiting on a slow client; continue where we stopped.
  if (on_drained_) {
    auto fn = std::move(on_drained_);
    on_drained_ = nullptr;
    fn();
  }
  conn_->ResumeReading();
  ProcessInput();
}

void Session::OnEvent(net::Connection*, net::Connection::Event e) {
  if (e == net::Connection::Event::kTimeout) {
    close_reason_ = "idle_timeout";
    Untagged("BYE Autologout; idle for too long");
    conn_->CloseAfterFlush();
    return;
  }
  CloseNow();
}

void Session::CloseNow() {
  if (closed_) return;
  closed_ = true;
  gone_ = true;
  events_.Closed(conn_.get(), user_, close_reason_);
  server_->Unwatch(this);
  server_->Remove(this);
}

void Session::ProcessInput() {
  while (!closed_) {
    if (conn_->PendingOutput() > limits::kImapMaxPendingOutput) {
      // The client reads slower than we answer: stop until it catches up.
      conn_->PauseReading();
      return;
    }
    if (line_reader_) {
      std::string_view in(inbuf_);
      std::string line;
      imap::ParseError err;
      imap::CommandParser::Event ev = parser_.NextLine(&in, &line, &err);
      inbuf_.erase(0, inbuf_.size() - in.size());
      if (ev == imap::CommandParser::Event::kNeedMore) return;
      if (ev == imap::CommandParser::Event::kError) {
        events::ProtocolError(events_.protocol(), peer_ip_, user_, err.message);
        close_reason_ = "protocol_error";
        Untagged("BYE " + err.message);
        conn_->CloseAfterFlush();
        return;
      }
      line_reader_(line);
      continue;
    }
    if (busy_) {
      if (inbuf_.size() > limits::kImapMaxPipelinedBytes) conn_->PauseReading();
      return;
    }
    std::string_view in(inbuf_);
    imap::Command cmd;
    imap::ParseError err;
    imap::CommandParser::Event ev = parser_.Next(&in, &cmd, &err);
    inbuf_.erase(0, inbuf_.size() - in.size());
    switch (ev) {
      case imap::CommandParser::Event::kNeedMore:
        return;
      case imap::CommandParser::Event::kContinuationNeeded:
        Continue("Ready for literal data");
        continue;
      case imap::CommandParser::Event::kError: {
        // A literal refused for its size before upload is not a syntax
        // error: NO [TOOBIG] (RFC 7889, RFC 5530); the rest is BAD.
        std::string bad = err.too_big && !err.fatal ? "NO [TOOBIG] " + err.message
                                                    : "BAD " + err.message;
        events::ProtocolError(events_.protocol(), peer_ip_, user_, err.message);
        if (err.tag.empty()) {
          Untagged(bad);
        } else {
          WriteRaw(err.tag + " " + bad + "\r\n");
        }
        if (err.fatal) {  // only a limit crossed is fatal: name it
          events::CountLimit("imap_command");
          close_reason_ = "limit";
          Untagged("BYE " + err.message + ", closing the connection");
          conn_->CloseAfterFlush();
          return;
        }
        continue;
      }
      case imap::CommandParser::Event::kLine:  // only NextLine returns it
        continue;
      case imap::CommandParser::Event::kCommand:
        cmd_ = std::move(cmd);
        cmd_started_ = std::chrono::steady_clock::now();
        busy_ = true;
        Dispatch();
        continue;
    }
  }
}

void Session::Dispatch() {
  if (cmd_.name == "UID") {
    if (cmd_.args.empty() || cmd_.args[0].kind != imap::Arg::kAtom) {
      return FinishBad("UID needs a command");
    }
    std::string sub = cmd_.args[0].value;
    for (char& ch : sub) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    cmd_.name = "UID " + sub;
    cmd_.args.erase(cmd_.args.begin());
  }
  const CommandSpec* spec = FindCommand(cmd_.name);
  if (spec == nullptr) return FinishBad("Unknown command " + cmd_.name.substr(0, 32));
  if (!spec->AllowedIn(state_)) {
    return FinishBad(state_ == State::kNotAuthenticated ? "Log in first"
                                                        : "Command not valid in this state");
  }
  if (state_ != State::kNotAuthenticated && !server_->serving() && cmd_.name != "LOGOUT") {
    // The slot stopped being the master while this session was logged in.
    Shutdown("[UNAVAILABLE] " + server_->refusal());
    return;
  }
  spec_ = spec;
  spec->handler(*this, cmd_);
}

// ---- finishing commands

void Session::FinishStatus(const Status& st, std::string_view ok_text) {
  if (st.ok()) return Finish("OK " + std::string(ok_text));
  FinishError(st);
}

void Session::FinishError(const Status& st) {
  events::StoreError(events_.protocol(), user_, CommandName(), st);
  Finish(ResponseFor(st));
}

const char* Session::CommandName() const {
  const CommandSpec* known = spec_ ? spec_ : FindCommand(cmd_.name);
  return known ? known->name : "other";
}

void Session::NoteLogin(std::string_view user, std::string_view result, std::string_view reason) {
  events::Login(result, peer_ip_, cmd_.name == "LOGIN" ? "login" : "plain", user, reason);
}

void Session::Finish(std::string_view response) {
  std::string text(response);
  const bool allow_expunge = spec_ == nullptr || spec_->allows_expunge;
  // Expunges held back during FETCH/STORE/SEARCH go out at the next
  // command that may carry them, even if nothing changed since.
  auto out_of_date = [&] {
    return view_ && !closed_ && (view_dirty_ || (allow_expunge && view_->HasPendingExpunge()));
  };
  // Usually the command's own job has read the updates already.
  if (out_of_date() && (!ApplyPrefetched(allow_expunge) || out_of_date())) {
    Refresh(allow_expunge, [this, text] { WriteTagged(text); });
    return;
  }
  WriteTagged(text);
}

void Session::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (delay.count() == 0) return fn();
  // The timer is the session's: it goes with it.
  timer_ = server_->loop()->After(delay, [this, fn = std::move(fn)] {
    timer_.reset();
    if (!closed_) fn();
  });
}

void Session::AsyncLogin(std::function<Status(store::Store&)> work,
                         std::function<void(Status)> done) {
  auto self = shared_from_this();
  server_->login_checks().Submit(
      SessionKey(), [self] { return !self->gone_.load(); },
      [self, work = std::move(work), done = std::move(done)]() mutable {
        auto st = std::make_shared<Status>(work(self->store()));
        self->Post([self, st, done = std::move(done)] {
          if (!self->closed_) done(*st);
        });
      });
}

void Session::WriteTagged(std::string_view response) {
  WriteRaw(cmd_.tag + " " + std::string(response) + "\r\n");
  events::ImapCommand(CommandName(), response,
                      std::chrono::steady_clock::now() - cmd_started_);
  if (response.rfind("BAD ", 0) == 0) {
    events::ProtocolError(events_.protocol(), peer_ip_, user_, response.substr(4));
  }
  prefetched_.reset();
  busy_ = false;
  spec_ = nullptr;
  if (logout_after_) {
    conn_->CloseAfterFlush();
    return;
  }
  if (start_tls_after_) {
    start_tls_after_ = false;
    inbuf_.clear();  // nothing sent in plaintext after STARTTLS counts
    parser_ = imap::CommandParser(imap::ParserLimits::PreAuth());
    Status st = conn_->StartTls(server_->tls());
    if (!st.ok()) conn_->CloseAfterFlush();
    return;
  }
  if (compress_after_) {
    compress_after_ = false;
    // Whatever the client sent after COMPRESS is compressed already.
    Status st = conn_->StartCompression(inbuf_);
    inbuf_.clear();
    if (!st.ok()) {
      conn_->CloseAfterFlush();
      return;
    }
  }
  // Continue with pipelined input on the next loop turn (bounded recursion).
  Post([self = shared_from_this()] { self->ProcessInput(); });
}

namespace {

// What changed in mailbox `name` of `user` since `since`. Worker thread.
Result<MailboxChanges> ReadChanges(store::Store& s, const std::string& user,
                                   const std::string& name, uint64_t since) {
  MailboxChanges c;
  ASSIGN_OR_RETURN(c.info, s.GetMailbox(user, name));
  if (c.info.highestmodseq == since) return c;
  ASSIGN_OR_RETURN(c.changed, s.ChangedSince(user, name, since));
  ASSIGN_OR_RETURN(c.vanished, s.VanishedSince(user, name, since));
  return c;
}

}  // namespace

struct Session::RefreshPlan {
  std::string user, mailbox;
  uint64_t view_gen;
  uint64_t since;  // the view's modseq
  bool needed;     // the view is known to be out of date already
};

struct Session::Prefetched {
  uint64_t view_gen;
  uint64_t since;
  uint64_t seen_seq;  // covers every change numbered up to this
  Result<MailboxChanges> changes;
};

std::shared_ptr<const Session::RefreshPlan> Session::PlanRefresh() const {
  if (!view_ || refreshing_) return nullptr;
  return std::make_shared<const RefreshPlan>(
      RefreshPlan{user_, view_->name(), view_gen_, view_->modseq(),
                  view_dirty_ || view_->HasPendingExpunge()});
}

std::shared_ptr<Session::Prefetched> Session::RefreshInJob(const RefreshPlan* plan) {
  if (plan == nullptr || !(plan->needed || Server::JobChanged(plan->user, plan->mailbox))) {
    return nullptr;
  }
  // Read the change number first: every change numbered up to it has
  // committed, so the read below sees it.
  const uint64_t seen = server_->change_seq();
  return std::make_shared<Prefetched>(
      Prefetched{plan->view_gen, plan->since, seen,
                 ReadChanges(store(), plan->user, plan->mailbox, plan->since)});
}

bool Session::ApplyPrefetched(bool allow_expunge) {
  std::shared_ptr<Prefetched> p = std::move(prefetched_);
  prefetched_.reset();
  if (!p || refreshing_ || !view_ || p->view_gen != view_gen_ || p->since != view_->modseq() ||
      !p->changes.ok()) {
    return false;
  }
  for (const auto& line : view_->Apply(*p->changes, allow_expunge)) Untagged(line);
  // A change announced after the read may be missing from it.
  if (dirty_seq_ <= p->seen_seq) view_dirty_ = false;
  return true;
}

void Session::Refresh(bool allow_expunge, std::function<void()> then) {
  if (refreshing_) {
    if (then) then();
    return;
  }
  refreshing_ = true;
  view_dirty_ = false;
  const std::string user = user_, name = view_->name();
  const uint64_t since = view_->modseq();
  Async<Result<MailboxChanges>>(
      [user, name, since](store::Store& s) { return ReadChanges(s, user, name, since); },
      [this, allow_expunge, then](Result<MailboxChanges> r) {
        refreshing_ = false;
        if (view_ && r.ok()) {
          for (const auto& line : view_->Apply(*r, allow_expunge)) Untagged(line);
        }
        if (then) then();
      });
}

void Session::WhenDrained(std::function<void()> fn) {
  if (conn_->PendingOutput() <= limits::kImapMaxPendingOutput) return fn();
  on_drained_ = std::move(fn);
}

void Session::MailboxChanged(uint64_t seq) {
  view_dirty_ = true;
  dirty_seq_ = std::max(dirty_seq_, seq);
  if (idling_ && !refreshing_) PushUpdates();
}

void Session::PushUpdates() { Refresh(true, nullptr); }

// ---- state changes

void Session::LoggedIn(const std::string& user) {
  user_ = user;
  state_ = State::kAuthenticated;
  login_deadline_.reset();
  server_->LeftLoginPhase(peer_ip_);
  // After login: APPEND literals up to the configured message size, and
  // LITERAL+ (RFC 7888): a non-synchronising literal may be as large as the
  // literal it stands for. (Before login the LITERAL- 4 KiB cap applies.)
  imap::ParserLimits limits = imap::ParserLimits::Authenticated();
  limits.max_append_literal_bytes = server_->config().store_options.max_message_bytes;
  limits.max_command_literal_bytes = limits.max_append_literal_bytes + (1u << 20);
  limits.max_nonsync_literal_bytes =
      std::max(limits.max_literal_bytes, limits.max_append_literal_bytes);
  parser_.SetLimits(limits);
  conn_->SetReadTimeout(limits::kImapIdleTimeout);
}

bool Session::Enable(Extension ext) {
  if (enabled_ & ext) return false;
  enabled_ |= ext;
  // RFC 9051 QUOTED-CHAR, RFC 9755 3: UTF-8 in quoted strings.
  parser_.SetUtf8(utf8());
  // RFC 5161 3.1 lets a client ENABLE only before it selects a mailbox, but
  // does not make servers check; a view already open stops showing \Recent.
  if (ext == kImap4rev2 && view_) view_->HideRecent();
  if (ext == kQresync) enabled_ |= kCondStore;
  if (view_) {
    if (ext == kQresync) view_->ReportVanished();
    if (!view_->reports_modseq() && condstore()) {
      view_->ReportModSeq();
      Untagged("OK [HIGHESTMODSEQ " + std::to_string(view_->modseq()) + "] Highest");
    }
  }
  return true;
}

void Session::Select(std::unique_ptr<MailboxView> view) {
  Unselect();
  view_ = std::move(view);
  ++view_gen_;
  if (rev2()) view_->HideRecent();
  if (condstore()) view_->ReportModSeq();
  if (qresync()) view_->ReportVanished();
  view_dirty_ = false;
  state_ = State::kSelected;
  server_->Watch(this, user_, view_->name());
}

void Session::Unselect() {
  if (!view_) return;
  server_->Unwatch(this);
  view_.reset();
  ++view_gen_;
  state_ = State::kAuthenticated;
}

void Session::Logout() {
  close_reason_ = "logout";
  Unselect();
  state_ = State::kLogout;
  logout_after_ = true;
}

void Session::StartTls() { start_tls_after_ = true; }

void Session::StartCompression() { compress_after_ = true; }

void Session::ReadLines(std::function<void(std::string_view)> on_line) {
  line_reader_ = std::move(on_line);
}

void Session::StopReadingLines() { line_reader_ = nullptr; }

std::string Session::SessionKey() const {
  return "session:" + std::to_string(reinterpret_cast<uintptr_t>(this));
}

void Session::Post(std::function<void()> fn) { server_->loop()->Post(std::move(fn)); }

void Session::SubmitWork(std::function<void()> work) {
  // Logged in: serialised with the user's other work. Before login: per
  // session. (Password checks go to the LoginChecks threads: AsyncLogin.)
  const std::string key = user_.empty() ? SessionKey() : user_;
  // A logged-in session's job may write: the gate counts it until it ends.
  std::shared_ptr<void> pass = user_.empty() ? nullptr : server_->Pass();
  server_->pool().Submit(key, [work = std::move(work), pass = std::move(pass)] {
    Server::BeginJob();
    work();
  });
}

}  // namespace slotmail::imapd
