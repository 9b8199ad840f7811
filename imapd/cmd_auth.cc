// STARTTLS, LOGIN, AUTHENTICATE PLAIN (with SASL-IR).
#include "common/limits.h"
#include "common/log.h"
#include "common/sasl_plain.h"
#include "imap/parser.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/server.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// `name` as a log shows it: printable ASCII in quotes, the rest as '?',
// cut at the longest valid user name (it is whatever the client sent).
std::string ForLog(const std::string& name) {
  std::string out = "\"";
  for (char c : name.substr(0, limits::kMaxUserNameBytes)) {
    out += c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
  }
  if (name.size() > limits::kMaxUserNameBytes) out += "...";
  return out + "\"";
}

// The check itself, after the throttle's wait: the password is verified on
// the LoginChecks threads, and the answer goes out as soon as it is known.
void CheckLogin(Session& s, const std::string& user, const std::string& password) {
  if (!s.server().serving()) {
    s.NoteLogin(user, "refused", "not_serving");  // log + metrics
    return s.Finish("NO [UNAVAILABLE] " + s.server().refusal());
  }
  s.AsyncLogin(
      [user, password](store::Store& st) { return st.VerifyPassword(user, password); },
      [&s, user](Status st) {
        Server& server = s.server();
        if (st.ok()) {
          if (!server.AddUserSession(user)) {
            events::CountLimit("max_sessions_per_user");  // metrics; the login line logs it
            s.NoteLogin(user, "refused", "max_sessions_per_user");
            return s.Finish("NO [LIMIT] Too many sessions for this user");
          }
          s.NoteLogin(user, "ok", "");  // log + metrics
          s.LoggedIn(user);
          return s.Finish("OK [CAPABILITY " + Capabilities(s) + "] Logged in");
        }
        if (st.code() != Code::kPermission && st.code() != Code::kNotFound &&
            st.code() != Code::kInvalidArgument) {
          events::StoreError("imap", user, "login", st);  // log + metrics
          s.NoteLogin(user, "refused", "store_error");
          return s.Finish("NO [UNAVAILABLE] Authentication is temporarily unavailable");
        }
        server.login_throttle().Failed(s.peer_ip(), user);
        s.NoteLogin(user, "fail", "bad_credentials");  // log + metrics
        s.Finish("NO [AUTHENTICATIONFAILED] Authentication failed");
      });
}

// Logs in or fails. When the address or the name has failed too often, the
// attempt first waits (LoginThrottle): the wait is decided before the check,
// so a right password is not told apart by a faster answer.
void TryLogin(Session& s, std::string user, std::string password) {
  for (char& c : user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.server().serving()) return s.Finish("NO [UNAVAILABLE] " + s.server().refusal());
  const LoginThrottle::Decision wait = s.server().login_throttle().Before(s.peer_ip(), user);
  if (wait.delay.count() > 0) {
    log::Info("IMAP login as " + ForLog(user) + " from " + s.peer_ip() + " waits " +
              std::to_string(wait.delay.count()) + " ms before its check (" +
              std::to_string(static_cast<int>(wait.failures + 0.5)) +
              " recent failures from that address or for that name)");
  }
  s.After(wait.delay, [&s, user = std::move(user), password = std::move(password)] {
    CheckLogin(s, user, password);
  });
}

// RFC 4616: [authzid] NUL authcid NUL passwd. We act only as ourselves.
void PlainResponse(Session& s, std::string_view b64) {
  auto plain = ParseSaslPlain(b64);
  if (!plain.ok()) return s.FinishBad(plain.status().message());
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) {
    s.NoteLogin(plain->authcid, "refused", "authzid");  // log + metrics
    return s.Finish("NO [AUTHORIZATIONFAILED] Cannot act as another user");
  }
  TryLogin(s, plain->authcid, plain->password);
}

}  // namespace

void CmdStartTls(Session& s, imap::Command& cmd) {
  if (!cmd.args.empty()) return s.FinishBad("STARTTLS takes no arguments");
  if (s.server().tls() == nullptr) return s.Finish("NO [UNAVAILABLE] TLS is not configured");
  if (s.is_tls()) return s.FinishBad("TLS is already active");
  s.StartTls();
  s.Finish("OK Begin TLS negotiation now");
}

void CmdLogin(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 2) return s.FinishBad("LOGIN takes a user name and a password");
  auto user = AstringArg(cmd, 0, "user name");
  auto pass = AstringArg(cmd, 1, "password");
  if (!user.ok() || !pass.ok()) return s.FinishBad("Invalid user name or password argument");
  if (!s.PlaintextAuthAllowed()) {
    s.NoteLogin(*user, "refused", "tls_required");  // log + metrics
    return s.Finish("NO [PRIVACYREQUIRED] Plaintext authentication requires TLS");
  }
  TryLogin(s, *user, *pass);
}

void CmdAuthenticate(Session& s, imap::Command& cmd) {
  if (cmd.args.empty() || cmd.args.size() > 2 || cmd.args[0].kind != imap::Arg::kAtom) {
    return s.FinishBad("AUTHENTICATE takes a mechanism and an optional initial response");
  }
  if (!imap::EqualsIgnoreCase(cmd.args[0].value, "PLAIN")) {
    return s.Finish("NO [CANNOT] Unsupported authentication mechanism");
  }
  if (!s.PlaintextAuthAllowed()) {
    s.NoteLogin("", "refused", "tls_required");  // log + metrics
    return s.Finish("NO [PRIVACYREQUIRED] Plaintext authentication requires TLS");
  }
  if (cmd.args.size() == 2) {
    // SASL-IR (RFC 4959): "=" stands for an empty initial response.
    const std::string& ir = cmd.args[1].value;
    return PlainResponse(s, ir == "=" ? "" : ir);
  }
  s.Continue("");
  s.ReadLines([&s](std::string_view line) {
    s.StopReadingLines();
    if (line == "*") return s.FinishBad("Authentication cancelled");
    PlainResponse(s, line);
  });
}

}  // namespace slotmail::imapd
