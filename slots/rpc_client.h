// The client side of the line-framed JSON protocols (control and
// replication, doc/control.md and doc/replication.md): the hello, then one
// request and one answer at a time, every step bounded by a timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "common/json.h"
#include "common/line_client.h"

namespace slotmail::slots {

class RpcClient {
 public:
  using Millis = std::chrono::milliseconds;
  // Says `hello` over `line` and checks the answer (Protocol when refused,
  // with the server's reason). Lines longer than `max_line` are refused.
  // A hello with "compress":"zlib" asks for compression; when the answer
  // agrees, both directions are compressed from then on.
  static Result<std::unique_ptr<RpcClient>> Open(std::unique_ptr<LineClient> line,
                                                 const json::Value& hello, size_t max_line);

  // The hello answer's fields.
  const json::Value& hello() const { return hello_; }
  // Sends `request` (an object; "id" is added, and "attach" with the
  // attachment's length when there is one, whose bytes follow the line)
  // and returns the answer's fields when ok; an error answer becomes the
  // Status it names.
  Result<json::Value> Call(const json::Value& request, Millis timeout,
                           std::string_view attachment = {});

 private:
  RpcClient(std::unique_ptr<LineClient> line, size_t max_line)
      : line_(std::move(line)), max_line_(max_line) {}

  std::unique_ptr<LineClient> line_;
  size_t max_line_;
  json::Value hello_;
  int64_t next_id_ = 1;
};

}  // namespace slotmail::slots
