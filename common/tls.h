// The TLS wrapper: server-side OpenSSL contexts. Only this module,
// common/net.cc and the blocking client common/line_client.cc see OpenSSL
// types.
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
  // As LoadServer, and every client must present a certificate chaining to
  // the CA(s) in `client_ca_file` (PEM), or the handshake fails (mutual TLS
  // for the control channel).
  static Result<std::shared_ptr<TlsContext>> LoadServerMutual(const std::string& cert_file,
                                                              const std::string& key_file,
                                                              const std::string& client_ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new SSL object for one accepted connection (an SSL*, as void* so that
  // OpenSSL stays out of this header). Caller owns it.
  void* NewSession() const;

 private:
  explicit TlsContext(void* ctx) : ctx_(ctx) {}
  // A server context with our certificate and key: what both Load* share.
  static Result<std::shared_ptr<TlsContext>> NewServer(const std::string& cert_file,
                                                       const std::string& key_file);
  void* ctx_;  // SSL_CTX*
};

}  // namespace slotmail
