#include "lmtpd/session.h"
#include "lmtpd/dedup.h"

#include <atomic>
#include <ctime>
#include <vector>

#include "common/limits.h"
#include "lmtpd/deliver.h"
#include "lmtpd/server.h"
#include "mime/binary_content.h"
#include "store/store.h"

namespace slotmail::lmtpd {

namespace {

ProtocolOptions OptionsFor(const ServerOptions& s) {
  ProtocolOptions o;
  o.hostname = s.hostname;
  if (s.max_message_bytes != 0) o.max_message_bytes = s.max_message_bytes;
  o.over_quota_permanent = s.over_quota_permanent;
  return o;
}

}  // namespace

Session::Session(Server* server, std::string peer)
    : server_(server),
      loop_(server->loop()),
      store_(&server->store()),
      pool_(&server->pool()),
      new_mail_(server->options().new_mail),
      hostname_(server->options().hostname),
      peer_(std::move(peer)),
      events_("lmtp", peer_),
      protocol_(OptionsFor(server->options())) {}

Session::~Session() { events_.Closed(conn_.get(), "", "shutdown"); }

void Session::Start(int fd) {
  conn_ = net::Connection::Adopt(loop_, fd, peer_, nullptr, this);
  events_.Track(conn_.get());
  ArmDeadline();
  protocol_.Greet();
  Flush();
}

void Session::ArmDeadline() {
  progress_ = protocol_.consumed();
  deadline_ = loop_->After(server_->options().timeout, [this] {
    // Our store work being slow is not the client's fault: wait for it.
    busy_ ? ArmDeadline() : TimedOut();
  });
}

void Session::NoteProgress() {
  if (protocol_.consumed() != progress_) ArmDeadline();
}

void Session::TimedOut() {
  if (closed_ || !conn_) return;
  closed_ = true;  // no further input is read; OnEvent(kClosed) follows
  close_reason_ = "idle_timeout";
  conn_->Write("421 4.4.2 Idle for too long, closing connection\r\n");
  conn_->CloseAfterFlush();
}

void Session::Shutdown() {
  if (closed_ || !conn_) return;
  // The loop no longer runs, so nothing more would be sent: drop the
  // connection. The MTA sees no final reply and retries (RFC 5321 4.5.4.1).
  closed_ = true;
  events_.Closed(conn_.get(), "", "shutdown");
  conn_.reset();
}

void Session::Flush() {
  std::vector<std::string> errors;
  protocol_.TakeErrors(&errors);
  for (const std::string& e : errors) events::ProtocolError("lmtp", peer_, "", e);
  std::string out;
  protocol_.TakeOutput(&out);
  if (!out.empty() && conn_ && !closed_) conn_->Write(out);
}

void Session::OnInput(net::Connection* c) {
  std::string in;
  c->TakeInput(&in);
  protocol_.Feed(in);
  if (busy_ && protocol_.BufferedInput() > limits::kImapMaxPipelinedBytes) c->PauseReading();
  Process();
  NoteProgress();
}

void Session::OnDrained(net::Connection*) {}

void Session::OnEvent(net::Connection*, net::Connection::Event e) {
  if (e == net::Connection::Event::kTimeout) return TimedOut();  // no read timeout is set
  if (closed_ && !conn_) return;
  closed_ = true;
  events_.Closed(conn_.get(), "", close_reason_);
  server_->Remove(this);
}

void Session::Process() {
  while (!busy_ && !closed_) {
    Protocol::Event e = protocol_.Next();
    Flush();
    switch (e) {
      case Protocol::Event::kNeedMore:
        return;
      case Protocol::Event::kCheckRecipient:
        CheckRecipient();
        break;
      case Protocol::Event::kDeliver:
        DeliverMessage();
        break;
      case Protocol::Event::kClose:
        if (protocol_.too_many_errors()) {
          events::LimitHit("lmtp_errors", "lmtp", peer_, "");
          close_reason_ = "limit";
        } else {
          close_reason_ = "quit";
        }
        closed_ = true;  // no further input is read; OnEvent(kClosed) follows
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
  NoteProgress();
}

// The refusal of a slot that is not its store's master, or "" if it serves.
std::string Session::NotServing() const {
  const ServingGate* gate = server_->options().gate;
  if (gate == nullptr || gate->open()) return "";
  return "451 4.3.0 " + gate->refusal();
}

void Session::CheckRecipient() {
  if (std::string refusal = NotServing(); !refusal.empty()) {
    protocol_.RecipientsRefused(refusal);  // answered at once: Process goes on
    return;
  }
  busy_ = true;
  auto self = shared_from_this();
  // Pipelined RCPTs come as one batch: one pool round trip for all of them
  // (keyed by the first user; a lookup needs no order with anyone's writes).
  std::vector<std::string> users;
  for (const Recipient& r : protocol_.pending_recipients()) users.push_back(r.user);
  const std::string key = users.front();
  pool_->Submit(key, [self, users = std::move(users)] {
    std::vector<bool> exists;
    for (const std::string& user : users) exists.push_back(RecipientExists(*self->store_, user));
    self->loop_->Post([self, exists = std::move(exists)] {
      if (self->closed_) return;
      self->protocol_.RecipientsChecked(exists);
      self->RequestDone();
    });
  });
}

void Session::DeliverMessage() {
  if (std::string refusal = NotServing(); !refusal.empty()) {
    LogDeliveries(nullptr, protocol_.message().size(), "");
    protocol_.DeliveryRefused(refusal);  // answered at once: Process goes on
    return;
  }
  busy_ = true;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto key = std::make_shared<DedupKey>(DedupKeyOf(protocol_.sender(), protocol_.message()));
  auto bytes = std::make_shared<std::string>(TraceHeaders(
      protocol_.sender(), protocol_.helo(), peer_, hostname_, key->delivery_id, now));
  *bytes += protocol_.message();
  // A message holding NUL (RFC 5321 forbids it, senders do it) is stored
  // as APPEND stores literal8 content (mime/binary_content.h).
  mime::EncodeBinaryParts(bytes.get());
  struct Pending {
    std::vector<Outcome> outcomes;
    std::atomic<size_t> left{0};
    std::shared_ptr<void> pass;
  };
  const std::vector<Recipient>& rcpts = protocol_.recipients();
  auto pending = std::make_shared<Pending>();
  // Counted by the gate until every recipient's task is done.
  if (const ServingGate* gate = server_->options().gate) pending->pass = gate->Pass();
  pending->outcomes.assign(rcpts.size(), Outcome::kFailed);
  pending->left = rcpts.size();
  auto self = shared_from_this();
  // One task per recipient, keyed by its user: different users in parallel.
  for (size_t i = 0; i < rcpts.size(); ++i) {
    pool_->Submit(rcpts[i].user, [self, pending, bytes, key, rcpt = rcpts[i], i, now] {
      pending->outcomes[i] = Deliver(*self->store_, rcpt, *bytes, *key, now, self->new_mail_);
      if (pending->left.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      self->loop_->Post([self, pending, size = bytes->size(), id = key->delivery_id] {
        if (self->closed_) return;
        self->LogDeliveries(&pending->outcomes, size, id);
        self->protocol_.Delivered(pending->outcomes);
        self->RequestDone();
      });
    });
  }
}

void Session::LogDeliveries(const std::vector<Outcome>* outcomes, uint64_t size,
                            const std::string& delivery_id) {
  const std::vector<Recipient>& rcpts = protocol_.recipients();
  for (size_t i = 0; i < rcpts.size(); ++i) {
    events::Delivered({.delivery_id = delivery_id,
                       .peer = peer_,
                       .from = protocol_.sender(),
                       .rcpt = rcpts[i].address,
                       .size = size,
                       .outcome = outcomes ? OutcomeName((*outcomes)[i]) : "refused"});
  }
}

}  // namespace slotmail::lmtpd
