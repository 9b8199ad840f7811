// Where a login without TLS may send its password (the plaintext_auth
// key): one rule for IMAP LOGIN/AUTHENTICATE and POP3 USER/PASS/AUTH.
#pragma once

#include <string>

#include "imapd/server.h"

namespace slotmail::imapd {

inline bool IsLoopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1" || ip == "local";
}

inline bool PlaintextAuthAllowed(ServerConfig::PlaintextAuth rule, bool tls,
                                 const std::string& ip) {
  switch (rule) {
    case ServerConfig::PlaintextAuth::kNever: return tls;
    case ServerConfig::PlaintextAuth::kLoopback: return tls || IsLoopback(ip);
    case ServerConfig::PlaintextAuth::kAlways: return true;
  }
  return tls;
}

}  // namespace slotmail::imapd
