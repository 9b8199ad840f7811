// What the directory answers, as pure functions of a snapshot: Postfix
// socketmap lookups (socketmap_table(5)) and nginx auth_http requests
// (ngx_mail_auth_http_module). No I/O; the server glue (server.cc) frames
// them and applies the login throttle.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirsvc/snapshot.h"

namespace slotmail::dirsvc {

// The socketmap maps (doc/directory.md):
//   transport RCPT  -> "OK lmtp:inet:[HOST]:PORT" of the master of RCPT's store
//   recipients RCPT -> "OK USER" if RCPT's user exists, else "NOTFOUND "
// RCPT is mapped to a user as the LMTP server does (lowercased, +detail and
// @domain dropped). snap == nullptr: the directory is not ready (TEMP).
// `request` is one decoded netstring, "NAME KEY"; malformed -> "PERM ...".
std::string SocketmapAnswer(const Snapshot* snap, std::string_view request);

// The auth_http request's headers that matter.
struct AuthRequest {
  std::string user;      // Auth-User, %-decoded and lowercased
  std::string protocol;  // Auth-Protocol: imap, pop3, smtp
  std::string client_ip; // Client-IP
};

// Reads an auth_http request from its headers (names lowercased).
// InvalidArgument when Auth-User or Auth-Protocol is missing.
Result<AuthRequest> ParseAuthRequest(const std::map<std::string, std::string>& headers);

// nginx %-encodes Auth-User and Auth-Pass; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

struct AuthAnswer {
  enum class Kind { kOk, kInvalid, kTemporary, kRefused } kind = Kind::kInvalid;
  // Reply headers in order ("Auth-Status", "OK"), ...
  std::vector<std::pair<std::string, std::string>> headers;
};

// Seconds nginx waits before the client may try again after a refusal.
inline constexpr int kAuthWaitSeconds = 3;

// The answer for `req`: the master of the user's store for IMAP and POP3
// (Auth-Server, Auth-Port); an unknown or invalid user gets "Invalid login
// or password" (kInvalid, a failure the caller counts); no snapshot or no
// reachable master a temporary error. The password is not checked here:
// the backend checks it (doc/directory.md "Passwords").
AuthAnswer AnswerAuth(const Snapshot* snap, const AuthRequest& req);

}  // namespace slotmail::dirsvc
