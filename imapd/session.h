// One IMAP connection: its state (RFC 3501 3), its input parser, the command
// it is running, and its view of the selected mailbox.
//
// Commands run one at a time: pipelined commands wait in the input buffer
// until the current one finishes (Session::Finish). Store work runs on the
// worker pool keyed by user (Session::Async); its completion comes back on
// the loop thread. All methods run on the loop thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/net.h"
#include "common/server_events.h"
#include "imap/parser.h"
#include "imapd/args.h"
#include "imapd/mailbox_view.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::imapd {

class Server;
struct CommandSpec;
struct ServerConfig;

enum class State { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

class Session : public net::Connection::Handler, public std::enable_shared_from_this<Session> {
 public:
  Session(Server* server, std::string peer_ip, bool implicit_tls);
  ~Session() override;
  // REQUIRES: called once, right after construction, with the accepted fd.
  void Start(int fd);
  // Closes now (server shutdown); the server drops the session afterwards.
  void Shutdown(std::string_view bye);

  // net::Connection::Handler
  void OnInput(net::Connection* c) override;
  void OnDrained(net::Connection* c) override;
  void OnEvent(net::Connection* c, net::Connection::Event e) override;

  // ---- for command handlers
  Server& server() { return *server_; }
  const ServerConfig& server_config() const;
  store::Store& store();
  State state() const { return state_; }
  const std::string& user() const { return user_; }
  const std::string& peer_ip() const { return peer_ip_; }
  bool is_tls() const;
  bool is_loopback() const;
  // Plaintext authentication is allowed here (TLS, loopback, or configured).
  bool PlaintextAuthAllowed() const;
  MailboxView* selected() { return view_ ? view_.get() : nullptr; }

  // ---- RFC 5161 ENABLE: what the client turned on, for the rest of the
  // session (there is no way back).
  enum Extension : unsigned {
    kImap4rev2 = 1u << 0,   // RFC 9051 behaviour instead of RFC 3501's
    kUtf8Accept = 1u << 1,  // RFC 9755 UTF8=ACCEPT
    kCondStore = 1u << 2,   // RFC 7162 3.1: MODSEQ and UID in every FETCH we volunteer
    kQresync = 1u << 3,     // RFC 7162 3.2: VANISHED instead of EXPUNGE; implies kCondStore
  };
  // Turns `ext` on; false if it already was on. Turning CONDSTORE on (also
  // by QRESYNC) while a mailbox is selected sends OK [HIGHESTMODSEQ]
  // (RFC 7162 3.1).
  bool Enable(Extension ext);
  bool condstore() const { return (enabled_ & kCondStore) != 0; }
  bool qresync() const { return (enabled_ & kQresync) != 0; }
  bool rev2() const { return (enabled_ & kImap4rev2) != 0; }
  // IMAP4rev2 includes UTF8=ACCEPT (RFC 9755 1): either makes names and
  // quoted strings UTF-8.
  bool utf8() const { return (enabled_ & (kImap4rev2 | kUtf8Accept)) != 0; }
  NameEncoding names() const { return utf8() ? NameEncoding::kUtf8 : NameEncoding::kMutf7; }

  // Writes "* <line>\r\n" / "+ <text>\r\n" / raw bytes.
  void Untagged(std::string_view line);
  void Continue(std::string_view text);
  void WriteRaw(std::string_view bytes);

  // Ends the running command with "<tag> <response>\r\n" (e.g. "OK done",
  // "NO [NONEXISTENT] ..."). Before it, pending mailbox updates are sent
  // (EXPUNGE only if the command allows them). Then the next command runs.
  void Finish(std::string_view response);
  void FinishStatus(const Status& st, std::string_view ok_text);
  // Finish(ResponseFor(st)); a failure of the store's environment (disk,
  // I/O) is logged first with this session's user and command.
  // REQUIRES: !st.ok().
  void FinishError(const Status& st);
  void FinishBad(std::string_view text) { Finish("BAD " + std::string(text)); }
  // Runs `fn` after `delay` (now if it is zero), unless the session has
  // closed by then (login throttling).
  void After(std::chrono::milliseconds delay, std::function<void()> fn);

  // Runs `work` with the store off the loop (serialised with the user's
  // other work), then `done` with its result on the loop. If the session
  // closed meanwhile, `done` is skipped. When a mailbox is selected and
  // `work` changed it (or it had changed already), the same job also reads
  // the view's updates, so Finish needs no second trip to the pool.
  template <typename T>
  void Async(std::function<T(store::Store&)> work, std::function<void(T)> done);
  // A password check: like Async, but on the server's LoginChecks, and
  // `work` is skipped if the client has gone before a thread takes it.
  void AsyncLogin(std::function<Status(store::Store&)> work, std::function<void(Status)> done);

  // Logs and counts a login attempt of the running LOGIN or AUTHENTICATE
  // (events::Login: result ok, fail or refused; `reason` a word).
  void NoteLogin(std::string_view user, std::string_view result, std::string_view reason);

  // State changes made by handlers.
  void LoggedIn(const std::string& user);
  void Select(std::unique_ptr<MailboxView> view);
  void Unselect();
  void Logout();  // after the tagged OK the connection closes
  void StartTls();
  // After the tagged OK, both directions are compressed (RFC 4978).
  void StartCompression();
  bool is_compressed() const;
  // Enter a mode where each input line goes to `on_line` (AUTHENTICATE
  // continuation, IDLE's DONE) instead of the command parser.
  void ReadLines(std::function<void(std::string_view line)> on_line);
  void StopReadingLines();

  // Called by the server when the selected mailbox changed (change number
  // `seq`: Server::change_seq).
  void MailboxChanged(uint64_t seq);

  const imap::Command& command() const { return cmd_; }
  bool idling() const { return idling_; }
  void set_idling(bool v) { idling_ = v; }
  // Runs `fn` once the output queue is short (now, or when it drains).
  void WhenDrained(std::function<void()> fn);

  // Refreshes the view now and writes the updates (IDLE).
  void PushUpdates();

 private:
  void ProcessInput();
  void Dispatch();
  void WriteTagged(std::string_view response);
  void Refresh(bool allow_expunge, std::function<void()> then);
  // The view's updates read in a command's own job (see Async).
  struct RefreshPlan;
  struct Prefetched;
  // Loop thread: what the job about to be submitted should read after its
  // work, or null.
  std::shared_ptr<const RefreshPlan> PlanRefresh() const;
  // Worker thread, after the work: reads the updates `plan` asks for, or
  // null. Touches only `plan`, the server and the store.
  std::shared_ptr<Prefetched> RefreshInJob(const RefreshPlan* plan);
  // Loop thread, in Finish: applies the updates the last job read if they
  // still fit the view; false if they do not (or there are none).
  bool ApplyPrefetched(bool allow_expunge);
  void Post(std::function<void()> fn);
  void CloseNow();
  // The running command's name in the command table, else "other": a
  // bounded label for metrics and logs.
  const char* CommandName() const;
  void SubmitWork(std::function<void()> work);
  // A pool key of this session alone (its work before login).
  std::string SessionKey() const;

  Server* server_;
  std::string peer_ip_;
  bool implicit_tls_;
  events::ConnectionEvents events_;
  std::string close_reason_ = "client";  // for the connection_close line
  std::chrono::steady_clock::time_point cmd_started_;
  std::unique_ptr<net::Connection> conn_;
  imap::CommandParser parser_;
  std::string inbuf_;
  State state_ = State::kNotAuthenticated;
  std::string user_;
  std::unique_ptr<MailboxView> view_;
  unsigned enabled_ = 0;  // Extension bits
  bool view_dirty_ = false;   // the mailbox changed since the last refresh
  bool busy_ = false;         // a command is running
  bool closed_ = false;
  // Any thread: the client has gone or is being sent away (login checks
  // waiting for it are skipped). Set on the loop with closed_ or Shutdown.
  std::atomic<bool> gone_{false};
  bool logout_after_ = false;
  bool start_tls_after_ = false;
  bool compress_after_ = false;
  bool idling_ = false;
  bool refreshing_ = false;
  uint64_t view_gen_ = 0;   // counts Select/Unselect: which view a plan saw
  uint64_t dirty_seq_ = 0;  // the latest change number that made the view dirty
  std::shared_ptr<Prefetched> prefetched_;  // from the command's last job
  std::function<void(std::string_view)> line_reader_;
  std::unique_ptr<net::EventLoop::Timer> timer_;
  // Closes the connection if it has not logged in by then (login_timeout).
  std::unique_ptr<net::EventLoop::Timer> login_deadline_;
  std::function<void()> on_drained_;
  imap::Command cmd_;  // the running command
  const CommandSpec* spec_ = nullptr;  // its table entry
};

}  // namespace slotmail::imapd

// ---- template implementation
namespace slotmail::imapd {

template <typename T>
void Session::Async(std::function<T(store::Store&)> work, std::function<void(T)> done) {
  auto self = shared_from_this();
  SubmitWork([self, plan = PlanRefresh(), work = std::move(work),
              done = std::move(done)]() mutable {
    auto result = std::make_shared<T>(work(self->store()));
    auto updates = self->RefreshInJob(plan.get());
    self->Post([self, result, updates, done = std::move(done)]() mutable {
      if (self->closed_) return;
      self->prefetched_ = std::move(updates);
      done(std::move(*result));
    });
  });
}

}  // namespace slotmail::imapd
