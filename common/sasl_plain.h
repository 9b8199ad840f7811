// The SASL PLAIN response (RFC 4616: [authzid] NUL authcid NUL passwd, in
// base64), for IMAP AUTHENTICATE and POP3 AUTH alike.
#pragma once

#include <string>
#include <string_view>

#include "common/base64.h"
#include "common/status.h"

namespace slotmail {

struct SaslPlain {
  std::string authzid;  // may be empty
  std::string authcid;
  std::string password;
};

// InvalidArgument with a sentence fit for the client if `base64` is not
// base64 or not three NUL-separated parts.
inline Result<SaslPlain> ParseSaslPlain(std::string_view base64) {
  auto decoded = Base64Decode(base64);
  if (!decoded.ok()) return Status::InvalidArgument("Invalid base64 in SASL response");
  const std::string& d = *decoded;
  const size_t a = d.find('\0');
  const size_t b = a == std::string::npos ? a : d.find('\0', a + 1);
  if (b == std::string::npos) return Status::InvalidArgument("Malformed SASL PLAIN response");
  return SaslPlain{d.substr(0, a), d.substr(a + 1, b - a - 1), d.substr(b + 1)};
}

}  // namespace slotmail
