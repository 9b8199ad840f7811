// What the IMAP and LMTP servers report about their clients: one log line
// per event (doc/logging.md) and the matching metrics (doc/metrics.md). The
// one place that spells those lines and metric names; the servers call it
// at the moment something happens. Loop thread unless said otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/net.h"
#include "common/status.h"

namespace slotmail::events {

// One client connection, from accept to close. `protocol`: "imap" (plain,
// maybe STARTTLS later), "imaps" (implicit TLS) or "lmtp".
class ConnectionEvents {
 public:
  // Counts the connection and logs connection_open.
  ConnectionEvents(std::string_view protocol, std::string peer);
  // Counts `c`'s bytes into the protocol's totals from now on.
  void Track(net::Connection* c);
  // Logs connection_close with the duration, `c`'s bytes and TLS (c may be
  // null: nothing was exchanged), the logged-in `user` (may be empty) and
  // why it closed (a word: "client", "logout", "timeout", ...). Only the
  // first call counts.
  void Closed(const net::Connection* c, std::string_view user, std::string_view reason);
  ~ConnectionEvents();  // Closed(nullptr, "", "shutdown") if never called

  const std::string& protocol() const { return protocol_; }
  const std::string& peer() const { return peer_; }

 private:
  std::string protocol_;
  std::string peer_;
  std::chrono::steady_clock::time_point opened_;
  bool closed_ = false;
};

// A configured limit stopped a client: logs `event=limit` and counts it.
// `limit` is the config key or limit name ("max_connections_per_ip").
void LimitHit(std::string_view limit, std::string_view protocol, std::string_view peer,
              std::string_view user);
// Counts a limit whose refusal another event line already tells.
void CountLimit(std::string_view limit);

// The client broke the protocol (a BAD, an LMTP 5xx syntax reply).
void ProtocolError(std::string_view protocol, std::string_view peer, std::string_view user,
                   std::string_view reason);

// The store failed for the environment's reasons (IOError, NoSpace,
// Corruption): logs `event=store_error` with the details the client is not
// shown. Any thread. Other codes are the client's doing: not logged.
void StoreError(std::string_view protocol, std::string_view user, std::string_view what,
                const Status& st);
bool IsStoreFailure(const Status& st);

// A login attempt. `result`: "ok"; "fail" (the credentials did not verify:
// what fail2ban counts); "refused" (not tried or not possible: TLS
// required, too many sessions, the slot not serving, the store failing).
// `mech`: "login" or "plain". Never give it the password.
void Login(std::string_view result, std::string_view peer, std::string_view mech,
           std::string_view user, std::string_view reason);

// One LMTP recipient's delivery. `outcome`: delivered, unknown_user,
// over_quota, too_big, failed, refused.
struct Delivery {
  std::string_view delivery_id;  // the id of our Received field
  std::string_view peer, from, rcpt;
  uint64_t size = 0;  // bytes stored (trace fields included)
  std::string_view outcome;
};
void Delivered(const Delivery& d);

// One finished IMAP command: its table name ("other" if none), the first
// word of its tagged response (OK, NO, BAD) and how long it ran.
void ImapCommand(std::string_view command, std::string_view response,
                 std::chrono::steady_clock::duration took);

}  // namespace slotmail::events
