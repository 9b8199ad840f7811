// A blocking client for line-framed request/response protocols (the control
// channel): connects over a Unix socket, or over TCP with mutual TLS, and
// exchanges '\n'-terminated lines. Every step is bounded by a timeout, so a
// stopped or unreachable peer makes a call fail, never hang.
// Used by tools (mailctl), not by the event loop. OpenSSL stays in the .cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail {

struct ClientTls {
  std::string cert;  // our certificate (PEM), presented to the server; empty: none
  std::string key;
  std::string ca;    // the server's certificate must chain to this CA...
  std::string expect_ip;  // ...and name this IP address (subjectAltName); empty: the host
};

class LineClient {
 public:
  using Millis = std::chrono::milliseconds;
  static Result<std::unique_ptr<LineClient>> ConnectUnix(const std::string& path, Millis timeout);
  // `host` is an IPv4 or IPv6 literal: a DNS lookup could not be bounded by
  // the timeout. With tls == nullptr the connection is plain TCP (tests of
  // refusals only).
  static Result<std::unique_ptr<LineClient>> ConnectTcp(const std::string& host, uint16_t port,
                                                       const ClientTls* tls, Millis timeout);
  ~LineClient();

  // Each call must finish within the timeout given to Connect* (or the last
  // SetTimeout): IOError "timed out" otherwise.
  void SetTimeout(Millis timeout);
  // Sends `line` and a '\n', then `after` as it is (an attachment whose
  // length the line announced). REQUIRES: no '\n' in line.
  Status WriteLine(std::string_view line, std::string_view after = {});
  // The next line without its '\n'. TooBig past max_bytes; IOError when the
  // peer closes first ("connection closed") or on a timeout.
  Result<std::string> ReadLine(size_t max_bytes);
  // From now on both directions are one raw deflate stream each (zlib,
  // RFC 1951, a sync flush after every write), as agreed in a hello.
  // Bytes already received after the switch point are inflated.
  Status StartCompression();

 private:
  struct Impl;
  explicit LineClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace slotmail
