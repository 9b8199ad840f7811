// STARTTLS, LOGIN, AUTHENTICATE PLAIN (with SASL-IR).
#include "common/base64.h"
#include "imap/parser.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/server.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// Verifies the credentials off the loop, then logs in or fails (slowly,
// after repeated failures from the same address or for the same user).
void TryLogin(Session& s, std::string user, std::string password) {
  for (char& c : user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.server().serving()) {
    s.NoteLogin(user, "refused", "not_serving");  // log + metrics
    return s.Finish("NO [UNAVAILABLE] " + s.server().refusal());
  }
  s.Async<Status>(
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
          server.LoginSucceeded(s.peer_ip(), user);
          s.LoggedIn(user);
          return s.Finish("OK [CAPABILITY " + Capabilities(s) + "] Logged in");
        }
        std::string response = "NO [AUTHENTICATIONFAILED] Authentication failed";
        if (st.code() != Code::kPermission && st.code() != Code::kNotFound &&
            st.code() != Code::kInvalidArgument) {
          response = "NO [UNAVAILABLE] Authentication is temporarily unavailable";
        }
        // log + metrics: "fail" only when the credentials did not verify.
        const bool unavailable = response.rfind("NO [UNAVAILABLE]", 0) == 0;
        events::StoreError("imap", user, "login", st);
        s.NoteLogin(user, unavailable ? "refused" : "fail",
                    unavailable ? "store_error" : "bad_credentials");
        s.FinishAfter(server.LoginFailed(s.peer_ip(), user), response);
      });
}

// RFC 4616: [authzid] NUL authcid NUL passwd. We act only as ourselves.
void PlainResponse(Session& s, std::string_view b64) {
  auto decoded = Base64Decode(b64);
  if (!decoded.ok()) return s.FinishBad("Invalid base64 in SASL response");
  const std::string& d = *decoded;
  size_t a = d.find('\0');
  size_t b = a == std::string::npos ? a : d.find('\0', a + 1);
  if (b == std::string::npos) return s.FinishBad("Malformed SASL PLAIN response");
  std::string authzid = d.substr(0, a), authcid = d.substr(a + 1, b - a - 1);
  if (!authzid.empty() && authzid != authcid) {
    s.NoteLogin(authcid, "refused", "authzid");  // log + metrics
    return s.Finish("NO [AUTHORIZATIONFAILED] Cannot act as another user");
  }
  TryLogin(s, authcid, d.substr(b + 1));
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
