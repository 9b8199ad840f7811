#include "imapd/server_config.h"

#include "common/limits.h"

namespace slotmail::imapd {

const char* ConfigHelp() {
  return R"(Configuration file: one "key = value" per line, '#' starts a comment.

  slot_dir = PATH           the slot directory (created if missing)     [required]
  imap_listen = HOST:PORT   plain IMAP with STARTTLS                     [127.0.0.1:1143]
  imaps_listen = HOST:PORT  IMAP over implicit TLS; empty to disable     []
  tls_cert = PATH           PEM certificate chain; empty: no TLS         []
  tls_key = PATH            PEM private key                              []
  lmtp_listen = HOST:PORT   LMTP (RFC 2033) delivery over TCP; empty: none []
  lmtp_socket = PATH        LMTP on a Unix socket; empty: none           []
  pop3_listen = HOST:PORT   POP3 (RFC 1939) of INBOX, with STLS; empty: none []
  pop3s_listen = HOST:PORT  POP3 over implicit TLS; empty: none          []
  lmtp_over_quota = temporary   LMTP reply for a recipient over quota:
                            temporary (452 4.2.2, the MTA retries) or
                            permanent (552 5.2.2, the MTA bounces)
  plaintext_auth = loopback LOGIN/AUTH PLAIN without TLS: never, loopback, always
  workers = 16              threads for disk work (group commit needs several)
  login_workers = 0         threads for password checks, apart from those and
                            at a lower CPU priority (0: a quarter of the CPUs,
                            at least one)
  max_sessions_per_user = 100   concurrent logged-in IMAP sessions of one user
  max_connections_per_ip = 0    IMAP connections from one address (0: 1000,
                            or the descriptor limit / 20 if that is less)
  max_login_connections_per_ip = 32   of those, not logged in yet
  login_timeout = 60        seconds from connecting to a successful login,
                            however slowly the client sends; then BYE
  lmtp_timeout = 300        seconds an LMTP client may go without completing
                            a line (bytes alone do not count); then 421
  hostname = NAME           name in the greeting                         [localhost]
  admin_address = URI       METADATA /shared/admin, e.g. mailto:postmaster@example.com []
  kdf_iterations = 100000   PBKDF2 iterations for new password hashes
  max_message_bytes = 67108864   largest message accepted by APPEND
  default_quota_bytes = 0   quota of new users (0: unlimited)
  default_quota_messages = 0
)";
}

Result<ServerConfig> ServerConfigFrom(const ConfigFile& f) {
  RETURN_IF_ERROR(f.CheckKnown({"slot_dir", "imap_listen", "imaps_listen", "tls_cert", "tls_key",
                                "lmtp_listen", "lmtp_socket", "lmtp_over_quota",
                                "plaintext_auth", "workers", "login_workers", "max_sessions_per_user", "max_connections_per_ip",
                                "max_login_connections_per_ip", "login_timeout", "lmtp_timeout",
                                "hostname", "kdf_iterations",
                                "admin_address",
                                "max_message_bytes", "default_quota_bytes",
                                "default_quota_messages"}));
  ServerConfig c;
  c.slot_dir = f.Get("slot_dir", "");
  if (c.slot_dir.empty()) return Status::InvalidArgument("slot_dir is required");
  c.imap_listen = f.Get("imap_listen", "127.0.0.1:1143");
  c.imaps_listen = f.Get("imaps_listen", "");
  c.tls_cert = f.Get("tls_cert", "");
  c.tls_key = f.Get("tls_key", "");
  c.lmtp_listen = f.Get("lmtp_listen", "");
  c.lmtp_socket = f.Get("lmtp_socket", "");
  std::string over_quota = f.Get("lmtp_over_quota", "temporary");
  if (over_quota != "temporary" && over_quota != "permanent") {
    return Status::InvalidArgument("lmtp_over_quota must be temporary or permanent");
  }
  c.lmtp_over_quota_permanent = over_quota == "permanent";
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Status::InvalidArgument("tls_cert and tls_key go together");
  }
  std::string plain = f.Get("plaintext_auth", "loopback");
  if (plain == "never") {
    c.plaintext_auth = ServerConfig::PlaintextAuth::kNever;
  } else if (plain == "always") {
    c.plaintext_auth = ServerConfig::PlaintextAuth::kAlways;
  } else if (plain != "loopback") {
    return Status::InvalidArgument("plaintext_auth must be never, loopback or always");
  }
  ASSIGN_OR_RETURN(uint64_t workers, f.GetUint("workers", 16, 1, 256));
  c.workers = workers;
  ASSIGN_OR_RETURN(c.login_workers, f.GetUint("login_workers", 0, 0, 256));
  ASSIGN_OR_RETURN(c.max_sessions_per_user,
                   f.GetUint("max_sessions_per_user", limits::kMaxSessionsPerUser, 1, 1000000));
  ASSIGN_OR_RETURN(c.max_connections_per_ip,
                   f.GetUint("max_connections_per_ip", 0, 0, 1000000));
  ASSIGN_OR_RETURN(c.max_login_connections_per_ip,
                   f.GetUint("max_login_connections_per_ip", limits::kMaxLoginConnectionsPerIp, 1,
                             1000000));
  ASSIGN_OR_RETURN(uint64_t login_timeout,
                   f.GetUint("login_timeout", limits::kImapLoginTimeout.count(), 1, 3600));
  c.login_timeout = std::chrono::seconds(login_timeout);
  ASSIGN_OR_RETURN(uint64_t lmtp_timeout,
                   f.GetUint("lmtp_timeout", limits::kLmtpIdleTimeout.count(), 1, 3600));
  c.lmtp_timeout = std::chrono::seconds(lmtp_timeout);
  c.hostname = f.Get("hostname", "localhost");
  c.admin_address = f.Get("admin_address", "");
  ASSIGN_OR_RETURN(uint64_t kdf, f.GetUint("kdf_iterations", 100000, limits::kMinKdfIterations,
                                           10000000));
  c.store_options.kdf_iterations = static_cast<uint32_t>(kdf);
  ASSIGN_OR_RETURN(c.store_options.max_message_bytes,
                   f.GetUint("max_message_bytes", limits::kDefaultMaxMessageBytes, 1024,
                             limits::kMaxMessageBytesCeiling));
  ASSIGN_OR_RETURN(c.store_options.default_quota_bytes,
                   f.GetUint("default_quota_bytes", 0, 0, UINT64_MAX));
  ASSIGN_OR_RETURN(c.store_options.default_quota_messages,
                   f.GetUint("default_quota_messages", 0, 0, UINT64_MAX));
  return c;
}

}  // namespace slotmail::imapd
