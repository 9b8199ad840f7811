#include "common/metrics_endpoint.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <cstring>

#include "common/limits.h"
#include "common/net_internal.h"

namespace slotmail::net {

struct MetricsCallbacks {
  static void Request(evhttp_request* req, void* arg) {
    auto* self = static_cast<MetricsEndpoint*>(arg);
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET || path == nullptr ||
        std::strcmp(path, "/metrics") != 0) {
      evhttp_send_error(req, HTTP_NOTFOUND, "Not Found");
      return;
    }
    const std::string body = self->render_();
    evbuffer* out = evbuffer_new();
    evbuffer_add(out, body.data(), body.size());
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4; charset=utf-8");
    evhttp_send_reply(req, HTTP_OK, "OK", out);
    evbuffer_free(out);
  }
};

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Listen(EventLoop* loop,
                                                                 const std::string& host,
                                                                 uint16_t port, RenderFn render) {
  std::unique_ptr<MetricsEndpoint> e(new MetricsEndpoint);
  e->render_ = std::move(render);
  evhttp* http = evhttp_new(static_cast<event_base*>(loop->base()));
  if (http == nullptr) return Status::IOError("metrics: cannot create the HTTP server");
  e->http_ = http;
  evhttp_set_max_headers_size(http, limits::kMaxMetricsRequestBytes);
  evhttp_set_max_body_size(http, limits::kMaxMetricsRequestBytes);
  evhttp_set_timeout(http, static_cast<int>(limits::kMetricsRequestTimeout.count()));
  // Every method reaches Request, which answers 404 to all but GET (evhttp
  // itself would answer 405 to the ones not allowed).
  evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                       EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                       EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
  evhttp_set_gencb(http, MetricsCallbacks::Request, e.get());
  evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(http, host.c_str(), port);
  if (bound == nullptr) {
    return Status::IOError("metrics: cannot listen on " + host + ":" + std::to_string(port));
  }
  e->port_ = internal::LocalPort(evhttp_bound_socket_get_fd(bound));
  return e;
}

MetricsEndpoint::~MetricsEndpoint() {
  if (http_ != nullptr) evhttp_free(static_cast<evhttp*>(http_));
}

}  // namespace slotmail::net
