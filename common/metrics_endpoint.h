// The metrics endpoint (doc/metrics.md): a small HTTP/1.1 server on the
// event loop. GET /metrics answers 200 with the text exposition format
// (Content-Type "text/plain; version=0.0.4; charset=utf-8"); any other
// method or path gets 404. Part of the network glue (libevent's evhttp);
// no libevent type appears here. Runs on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/net.h"
#include "common/status.h"

namespace slotmail::net {

struct MetricsCallbacks;  // the evhttp callback (metrics_endpoint.cc)

class MetricsEndpoint {
 public:
  // The text a scrape returns, made on the loop thread for each request.
  using RenderFn = std::function<std::string()>;

  // Listens on host:port (port 0 picks a free one). Requests are bounded by
  // limits::kMaxMetricsRequestBytes and kMetricsRequestTimeout.
  static Result<std::unique_ptr<MetricsEndpoint>> Listen(EventLoop* loop, const std::string& host,
                                                         uint16_t port, RenderFn render);
  ~MetricsEndpoint();  // REQUIRES: the loop still exists
  uint16_t port() const { return port_; }

 private:
  MetricsEndpoint() = default;
  friend struct MetricsCallbacks;
  void* http_ = nullptr;  // evhttp*
  uint16_t port_ = 0;
  RenderFn render_;
};

}  // namespace slotmail::net
