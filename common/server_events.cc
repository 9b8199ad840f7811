#include "common/server_events.h"

#include <unordered_map>

#include "common/log.h"
#include "common/metrics.h"

namespace slotmail::events {
namespace {

metrics::Registry& M() { return metrics::Global(); }

metrics::Labels Protocol(std::string_view protocol) {
  return {{"protocol", std::string(protocol)}};
}

metrics::Gauge& OpenGauge(std::string_view protocol) {
  return M().GetGauge("slotmail_connections_open", "Client connections open now",
                      Protocol(protocol));
}

// "ok", "no" or "bad" for a tagged response; "other" for anything else.
std::string_view ResultWord(std::string_view response) {
  if (response.rfind("OK", 0) == 0) return "ok";
  if (response.rfind("NO", 0) == 0) return "no";
  if (response.rfind("BAD", 0) == 0) return "bad";
  return "other";
}

}  // namespace

ConnectionEvents::ConnectionEvents(std::string_view protocol, std::string peer)
    : protocol_(protocol), peer_(std::move(peer)), opened_(std::chrono::steady_clock::now()) {
  M().GetCounter("slotmail_connections_total", "Client connections accepted", Protocol(protocol))
      .Inc();
  OpenGauge(protocol).Add(1);
  log::Event("connection_open").Add("proto", protocol_).Add("peer", peer_).Info();
}

void ConnectionEvents::Track(net::Connection* c) {
  c->CountBytes(&M().GetCounter("slotmail_bytes_received_total",
                                "Protocol bytes read from clients (inside TLS and compression)",
                                Protocol(protocol_)),
                &M().GetCounter("slotmail_bytes_sent_total",
                                "Protocol bytes written to clients (inside TLS and compression)",
                                Protocol(protocol_)));
}

void ConnectionEvents::Closed(const net::Connection* c, std::string_view user,
                              std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  OpenGauge(protocol_).Add(-1);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - opened_;
  log::Event e("connection_close");
  e.Add("proto", protocol_).Add("peer", peer_);
  if (!user.empty()) e.Add("user", user);
  e.Add("tls", c != nullptr && c->is_tls())
      .AddSeconds("duration", took.count())
      .Add("in", c ? c->bytes_in() : uint64_t{0})
      .Add("out", c ? c->bytes_out() : uint64_t{0})
      .Add("reason", reason);
  if (c != nullptr && !c->tls_error().empty()) e.Add("tls_error", c->tls_error());
  e.Info();
}

ConnectionEvents::~ConnectionEvents() { Closed(nullptr, "", "shutdown"); }

void CountLimit(std::string_view limit) {
  M().GetCounter("slotmail_limits_hit_total", "Clients stopped by a configured limit",
                 {{"limit", std::string(limit)}})
      .Inc();
}

void LimitHit(std::string_view limit, std::string_view protocol, std::string_view peer,
              std::string_view user) {
  CountLimit(limit);
  log::Event e("limit");
  e.Add("limit", limit).Add("proto", protocol).Add("peer", peer);
  if (!user.empty()) e.Add("user", user);
  e.Warning();
}

void ProtocolError(std::string_view protocol, std::string_view peer, std::string_view user,
                   std::string_view reason) {
  M().GetCounter("slotmail_protocol_errors_total", "Client commands refused as malformed",
                 Protocol(protocol))
      .Inc();
  log::Event e("protocol_error");
  e.Add("proto", protocol).Add("peer", peer);
  if (!user.empty()) e.Add("user", user);
  e.Add("reason", reason).Info();
}

bool IsStoreFailure(const Status& st) {
  return st.code() == Code::kIOError || st.code() == Code::kNoSpace ||
         st.code() == Code::kCorruption;
}

void StoreError(std::string_view protocol, std::string_view user, std::string_view what,
                const Status& st) {
  if (!IsStoreFailure(st)) return;
  M().GetCounter("slotmail_store_errors_total", "Store operations failed by the environment",
                 {{"code", CodeName(st.code())}})
      .Inc();
  log::Event e("store_error");
  e.Add("proto", protocol);
  if (!user.empty()) e.Add("user", user);
  e.Add("op", what).Add("code", CodeName(st.code())).Add("error", st.message()).Error();
}

void Login(std::string_view result, std::string_view peer, std::string_view mech,
           std::string_view user, std::string_view reason) {
  M().GetCounter("slotmail_logins_total", "IMAP login attempts by mechanism and result",
                 {{"mechanism", std::string(mech)}, {"result", std::string(result)}})
      .Inc();
  // Fixed order, trusted keys first: peer comes before anything a client
  // chose, so a user name cannot fake it for a log filter (doc/fail2ban).
  log::Event e("login");
  e.Add("result", result).Add("peer", peer).Add("mech", mech);
  if (!reason.empty()) e.Add("reason", reason);
  e.Add("user", user);
  if (result == "ok") {
    e.Info();
  } else {
    e.Warning();
  }
}

void Delivered(const Delivery& d) {
  M().GetCounter("slotmail_lmtp_deliveries_total", "LMTP deliveries by recipient and outcome",
                 {{"outcome", std::string(d.outcome)}})
      .Inc();
  log::Event e("delivery");
  e.Add("id", d.delivery_id)
      .Add("peer", d.peer)
      .Add("outcome", d.outcome)
      .Add("size", d.size)
      .Add("from", d.from)
      .Add("rcpt", d.rcpt);
  if (d.outcome == "delivered") {
    e.Info();
  } else {
    e.Warning();
  }
}

void ImapCommand(std::string_view command, std::string_view response,
                 std::chrono::steady_clock::duration took) {
  struct Series {
    metrics::Histogram* duration;
    std::unordered_map<std::string_view, metrics::Counter*> by_result;
  };
  // The loop thread counts every command: look each series up once.
  thread_local std::unordered_map<std::string, Series> cache;
  auto it = cache.find(std::string(command));
  if (it == cache.end()) {
    Series s;
    s.duration = &M().GetHistogram("slotmail_imap_command_duration_seconds",
                                   "IMAP command latency, command read to tagged response",
                                   metrics::LatencyBuckets(), {{"command", std::string(command)}});
    for (std::string_view r : {"ok", "no", "bad", "other"}) {
      s.by_result[r] = &M().GetCounter(
          "slotmail_imap_commands_total", "IMAP commands by name and result",
          {{"command", std::string(command)}, {"result", std::string(r)}});
    }
    it = cache.emplace(std::string(command), std::move(s)).first;
  }
  it->second.duration->Observe(std::chrono::duration<double>(took).count());
  it->second.by_result[ResultWord(response)]->Inc();
}

}  // namespace slotmail::events
