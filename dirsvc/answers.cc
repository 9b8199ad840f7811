#include "dirsvc/answers.h"

#include "lmtpd/protocol.h"
#include "store/names.h"

namespace slotmail::dirsvc {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

AuthAnswer Refuse(AuthAnswer::Kind kind, std::string status) {
  AuthAnswer a;
  a.kind = kind;
  a.headers = {{"Auth-Status", std::move(status)},
               {"Auth-Wait", std::to_string(kAuthWaitSeconds)}};
  return a;
}

}  // namespace

std::string SocketmapAnswer(const Snapshot* snap, std::string_view request) {
  size_t space = request.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == request.size()) {
    return "PERM malformed request: expected \"NAME KEY\"";
  }
  std::string_view name = request.substr(0, space);
  std::string_view key = request.substr(space + 1);
  if (name != "transport" && name != "recipients") {
    return "PERM unknown map " + std::string(name);
  }
  if (snap == nullptr) return "TEMP directory not ready";
  lmtpd::Recipient rcpt;
  const Route* route = nullptr;
  if (lmtpd::ParseRecipient(key, &rcpt)) route = snap->Find(rcpt.user);
  if (route == nullptr) return "NOTFOUND ";
  if (name == "recipients") return "OK " + rcpt.user;
  if (!route->has_master() || route->lmtp.empty()) {
    return "TEMP store " + route->store + " has no reachable master";
  }
  return "OK lmtp:inet:[" + route->lmtp.host + "]:" + std::to_string(route->lmtp.port);
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;  // "%" or "%X" at the end
    int v = 0;
    for (size_t k = 1; k <= 2; ++k) {
      char c = in[i + k];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    *out += static_cast<char>(v);
    i += 2;
  }
  return true;
}

Result<AuthRequest> ParseAuthRequest(const std::map<std::string, std::string>& headers) {
  auto user = headers.find("auth-user");
  auto protocol = headers.find("auth-protocol");
  if (user == headers.end()) return Status::InvalidArgument("no Auth-User header");
  if (protocol == headers.end()) return Status::InvalidArgument("no Auth-Protocol header");
  AuthRequest req;
  if (!PercentDecode(user->second, &req.user)) {
    return Status::InvalidArgument("Auth-User: malformed %-escape");
  }
  req.user = Lower(req.user);
  req.protocol = Lower(protocol->second);
  auto ip = headers.find("client-ip");
  if (ip != headers.end()) req.client_ip = ip->second;
  return req;
}

AuthAnswer AnswerAuth(const Snapshot* snap, const AuthRequest& req) {
  using Kind = AuthAnswer::Kind;
  if (req.protocol != "imap" && req.protocol != "pop3") {
    return Refuse(Kind::kRefused, "Protocol " + req.protocol + " is not served here");
  }
  if (snap == nullptr) return Refuse(Kind::kTemporary, "Temporary server problem, try again later");
  const Route* route = nullptr;
  if (store::ValidateUserName(req.user).ok()) route = snap->Find(req.user);
  if (route == nullptr) return Refuse(Kind::kInvalid, "Invalid login or password");
  const HostPort& to = req.protocol == "imap" ? route->imap : route->pop3;
  if (!route->has_master() || to.empty()) {
    return Refuse(Kind::kTemporary, "Temporary server problem, try again later");
  }
  AuthAnswer a;
  a.kind = Kind::kOk;
  a.headers = {{"Auth-Status", "OK"}, {"Auth-Server", to.host},
               {"Auth-Port", std::to_string(to.port)}};
  return a;
}

}  // namespace slotmail::dirsvc
