#include "common/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace slotmail {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

SSL_CTX* Ctx(void* ctx) { return static_cast<SSL_CTX*>(ctx); }

}  // namespace

// The part every server context shares: protocol floor, options, our
// certificate chain and key.
Result<std::shared_ptr<TlsContext>> TlsContext::NewServer(const std::string& cert_file,
                                                          const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::IOError("SSL_CTX_new: " + OpenSslError());
  std::shared_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);  // less memory per idle connection
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("TLS certificate " + cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("TLS key " + key_file + ": " + OpenSslError());
  }
  return out;
}

Result<std::shared_ptr<TlsContext>> TlsContext::LoadServer(const std::string& cert_file,
                                                           const std::string& key_file) {
  return NewServer(cert_file, key_file);
}

Result<std::shared_ptr<TlsContext>> TlsContext::LoadServerMutual(
    const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file) {
  ASSIGN_OR_RETURN(std::shared_ptr<TlsContext> out, NewServer(cert_file, key_file));
  SSL_CTX* ctx = Ctx(out->ctx_);
  if (SSL_CTX_load_verify_locations(ctx, client_ca_file.c_str(), nullptr) != 1) {
    return Status::InvalidArgument("TLS client CA " + client_ca_file + ": " + OpenSslError());
  }
  // The CA names sent in the CertificateRequest, so a client with several
  // certificates can pick the right one.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
  if (names == nullptr) {
    return Status::InvalidArgument("TLS client CA " + client_ca_file + ": " + OpenSslError());
  }
  SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // Resuming a session requires a session id context once peers are verified.
  static const unsigned char kSessionContext[] = "slotmail-mutual";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(Ctx(ctx_)); }

void* TlsContext::NewSession() const { return SSL_new(Ctx(ctx_)); }

}  // namespace slotmail
