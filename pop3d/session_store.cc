// What a POP3 session asks of the store: the login (throttle, password
// check, maildrop lock and snapshot), reading a message, and the removal
// of the deleted messages at QUIT.
#include <cctype>

#include "common/log.h"
#include "pop3d/server.h"
#include "pop3d/session.h"
#include "store/store.h"

namespace slotmail::pop3d {

namespace {

constexpr char kInbox[] = "INBOX";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void Session::NoteLogin(const std::string& user, std::string_view result,
                        std::string_view reason) {
  events::Login(result, peer_, protocol_.mechanism(), user, reason);
}

// The wait is decided before the check (imapd/login_throttle.h), so a right
// password is not told apart by a faster answer.
void Session::Login() {
  const std::string user = Lower(protocol_.login_user());
  imapd::Server& imap = server_->imap();
  if (!imap.serving()) {
    NoteLogin(user, "refused", "not_serving");
    protocol_.LoginFailed("-ERR [SYS/TEMP] " + imap.refusal());
    return;
  }
  busy_ = true;
  const imapd::LoginThrottle::Decision wait = imap.login_throttle().Before(peer_, user);
  if (wait.delay.count() > 0) {
    log::Info("POP3 login from " + peer_ + " waits " + std::to_string(wait.delay.count()) +
              " ms before its check");
  }
  throttle_ = loop_->After(wait.delay, [this, user] { CheckPassword(user); });
}

void Session::CheckPassword(const std::string& user) {
  auto self = shared_from_this();
  server_->imap().login_checks().Submit(
      "pop3:" + std::to_string(reinterpret_cast<uintptr_t>(this)), [self] { return !self->gone_.load(); },
      [self, user, password = protocol_.login_password()] {
        auto st = std::make_shared<Status>(self->store_->VerifyPassword(user, password));
        self->loop_->Post([self, user, st] {
          if (!self->closed_) self->PasswordChecked(user, *st);
        });
      });
}

void Session::PasswordChecked(const std::string& user, const Status& st) {
  imapd::Server& imap = server_->imap();
  if (st.ok()) {
    if (!server_->Lock(user)) {
      NoteLogin(user, "refused", "in_use");
      protocol_.LoginFailed("-ERR [IN-USE] Another POP3 session holds this maildrop");
      return RequestDone();
    }
    user_ = user;
    server_->LeftLoginPhase(peer_);
    NoteLogin(user, "ok", "");
    ArmDeadline();  // the idle timeout from now on
    return LoadMaildrop(user);
  }
  if (st.code() != Code::kPermission && st.code() != Code::kNotFound &&
      st.code() != Code::kInvalidArgument) {
    events::StoreError(events_.protocol(), user, "login", st);
    NoteLogin(user, "refused", "store_error");
    protocol_.LoginFailed("-ERR [SYS/TEMP] Authentication is temporarily unavailable");
    return RequestDone();
  }
  imap.login_throttle().Failed(peer_, user);
  NoteLogin(user, "fail", "bad_credentials");
  protocol_.LoginFailed("-ERR [AUTH] Authentication failed");
  RequestDone();
}

// The snapshot of INBOX the session works on until QUIT.
void Session::LoadMaildrop(const std::string& user) {
  auto self = shared_from_this();
  server_->imap().pool().Submit(user, [self, user] {
    auto drop = std::make_shared<Maildrop>();
    Status st = Status::Ok();
    auto box = self->store_->GetMailbox(user, kInbox);
    auto infos = box.ok() ? self->store_->FetchByUid(user, kInbox, {{1, UINT32_MAX}})
                          : Result<std::vector<store::MessageInfo>>(box.status());
    if (infos.ok()) {
      drop->uidvalidity = box->uidvalidity;
      for (const store::MessageInfo& m : *infos) drop->messages.push_back({m.uid, m.size, m.guid});
    } else {
      st = infos.status();
    }
    self->loop_->Post([self, user, drop, st] {
      if (self->closed_) return;
      if (!st.ok()) {
        events::StoreError(self->events_.protocol(), user, "maildrop", st);
        self->closed_ = true;  // no maildrop: RFC 1939 4 says close
        self->gone_ = true;
        self->conn_->Write("-ERR [SYS/TEMP] Cannot open the maildrop\r\n");
        self->conn_->CloseAfterFlush();
        return;
      }
      self->protocol_.LoggedIn(std::move(*drop));
      self->RequestDone();
    });
  });
}

void Session::Retrieve() {
  busy_ = true;
  auto self = shared_from_this();
  server_->imap().pool().Submit(user_, [self, user = user_, guid = protocol_.retrieve_guid()] {
    auto bytes = std::make_shared<Result<std::string>>(self->store_->ReadMessage(user, guid));
    self->loop_->Post([self, bytes] {
      if (self->closed_) return;
      if (bytes->ok()) {
        self->protocol_.Retrieved(**bytes);
      } else {
        if (events::IsStoreFailure(bytes->status())) {
          events::StoreError(self->events_.protocol(), self->user_, "retr", bytes->status());
        }
        self->protocol_.RetrieveFailed(bytes->status().code() == Code::kNotFound
                                           ? "-ERR Message was removed by another session"
                                           : "-ERR [SYS/TEMP] Cannot read the message");
      }
      self->RequestDone();
    });
  });
}

// RFC 1939 6: the messages marked deleted go, and only those: \Deleted is
// set on their UIDs and the expunge is restricted to them.
void Session::Update() {
  imapd::Server& imap = server_->imap();
  if (!imap.serving()) {
    protocol_.Updated("-ERR [SYS/TEMP] Deleted messages not removed: " + imap.refusal());
    return;
  }
  busy_ = true;
  store::UidSet uids;
  for (uint32_t uid : protocol_.deleted_uids()) uids.push_back({uid, uid});
  auto self = shared_from_this();
  imap.pool().Submit(user_, [self, user = user_, uids, pass = imap.Pass()] {
    store::Flags deleted;
    deleted.system = store::kFlagDeleted;
    Status st = self->store_->StoreFlags(user, kInbox, uids, store::FlagOp::kAdd, deleted).status();
    if (st.ok()) st = self->store_->Expunge(user, kInbox, uids).status();
    self->loop_->Post([self, st] {
      if (self->closed_) return;
      if (!st.ok()) events::StoreError(self->events_.protocol(), self->user_, "quit", st);
      self->protocol_.Updated(st.ok() ? "+OK slotmail POP3 server signing off"
                                      : "-ERR [SYS/TEMP] Some deleted messages not removed");
      self->RequestDone();
    });
  });
}

}  // namespace slotmail::pop3d
