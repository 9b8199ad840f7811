#include "pop3d/session.h"

#include <cctype>

#include "imapd/plaintext_auth.h"
#include "pop3d/server.h"
#include "store/store.h"

namespace slotmail::pop3d {

namespace {

ProtocolOptions OptionsFor(imapd::Server& imap, const std::string& peer, bool implicit_tls) {
  ProtocolOptions o;
  o.tls_available = imap.tls() != nullptr;
  o.tls_active = implicit_tls;
  o.plaintext_auth = imapd::PlaintextAuthAllowed(imap.config().plaintext_auth, implicit_tls, peer);
  return o;
}

}  // namespace

Session::Session(Server* server, std::string peer, bool implicit_tls)
    : server_(server),
      loop_(server->imap().loop()),
      store_(&server->imap().store()),
      peer_(std::move(peer)),
      implicit_tls_(implicit_tls),
      events_(implicit_tls ? "pop3s" : "pop3", peer_),
      protocol_(OptionsFor(server->imap(), peer_, implicit_tls)) {}

Session::~Session() { events_.Closed(conn_.get(), user_, "shutdown"); }

void Session::Start(int fd) {
  const TlsContext* tls = implicit_tls_ ? server_->imap().tls() : nullptr;
  conn_ = net::Connection::Adopt(loop_, fd, peer_, tls, this);
  events_.Track(conn_.get());
  ArmDeadline();
  protocol_.Greet();
  Flush();
}

void Session::ArmDeadline() {
  progress_ = protocol_.consumed();
  const std::chrono::seconds timeout =
      user_.empty() ? server_->imap().config().login_timeout : limits::kIdleTimeout;
  deadline_ = loop_->After(timeout, [this] {
    if (busy_ || protocol_.consumed() != progress_) return ArmDeadline();
    TimedOut();
  });
}

void Session::TimedOut() {
  if (closed_ || !conn_) return;
  closed_ = true;
  gone_ = true;
  close_reason_ = user_.empty() ? "login_timeout" : "idle_timeout";
  if (user_.empty()) events::LimitHit("login_timeout", events_.protocol(), peer_, "");
  conn_->Write("-ERR Autologout: idle for too long\r\n");
  conn_->CloseAfterFlush();
}

void Session::Shutdown() {
  if (closed_ || !conn_) return;
  closed_ = true;
  gone_ = true;
  events_.Closed(conn_.get(), user_, "shutdown");
  conn_.reset();
}

void Session::Flush() {
  std::vector<std::string> errors;
  protocol_.TakeErrors(&errors);
  for (const std::string& e : errors) events::ProtocolError(events_.protocol(), peer_, user_, e);
  std::string out;
  protocol_.TakeOutput(&out);
  if (!out.empty() && conn_ && !closed_) conn_->Write(out);
}

void Session::OnInput(net::Connection* c) {
  std::string in;
  c->TakeInput(&in);
  protocol_.Feed(in);
  if (busy_ && protocol_.BufferedInput() > limits::kMaxPipelinedBytes) c->PauseReading();
  Process();
}

void Session::OnDrained(net::Connection* c) {
  c->ResumeReading();
  Process();
}

void Session::OnEvent(net::Connection*, net::Connection::Event e) {
  if (e == net::Connection::Event::kTimeout) return TimedOut();  // no read timeout is set
  if (closed_ && !conn_) return;
  closed_ = true;
  gone_ = true;
  events_.Closed(conn_.get(), user_, close_reason_);
  server_->Remove(this);
}

void Session::Process() {
  while (!busy_ && !closed_) {
    // A client that pipelines RETRs without reading gets no more until it does.
    if (conn_->PendingOutput() > limits::kMaxPendingOutputBytes) return conn_->PauseReading();
    const Protocol::Event e = protocol_.Next();
    Flush();
    switch (e) {
      case Protocol::Event::kNeedMore:
        return;
      case Protocol::Event::kStartTls:
        StartTls();
        break;
      case Protocol::Event::kLogin:
        Login();
        break;
      case Protocol::Event::kRetrieve:
        Retrieve();
        break;
      case Protocol::Event::kUpdate:
        Update();
        break;
      case Protocol::Event::kClose:
        if (protocol_.too_many_errors()) {
          events::LimitHit("pop3_errors", events_.protocol(), peer_, user_);
          close_reason_ = "limit";
        } else {
          close_reason_ = "quit";
        }
        closed_ = true;
        gone_ = true;
        conn_->CloseAfterFlush();
        return;
    }
  }
}

void Session::RequestDone() {
  busy_ = false;
  Flush();
  conn_->ResumeReading();
  Process();
}

void Session::StartTls() {
  // The +OK went out in plain (Flush); the handshake follows it.
  Status st = conn_->StartTls(server_->imap().tls());
  if (!st.ok()) {
    closed_ = true;
    gone_ = true;
    close_reason_ = "tls_error";
    conn_->CloseAfterFlush();
    return;
  }
  protocol_.TlsStarted();
}

}  // namespace slotmail::pop3d
