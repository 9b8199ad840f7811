// The TLS wrapper: server-side OpenSSL contexts. Only this module and
// common/net.cc see OpenSSL types.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace slotmail {

class TlsContext {
 public:
  // Loads a PEM certificate chain and private key. TLS 1.2 and later only.
  static Result<std::shared_ptr<TlsContext>> LoadServer(const std::string& cert_file,
                                                        const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new SSL object for one accepted connection (an SSL*, as void* so that
  // OpenSSL stays out of this header). Caller owns it.
  void* NewSession() const;

 private:
  explicit TlsContext(void* ctx) : ctx_(ctx) {}
  void* ctx_;  // SSL_CTX*
};

}  // namespace slotmail
