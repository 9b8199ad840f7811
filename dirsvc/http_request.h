// The request head of HTTP/1.0 and 1.1 as nginx's auth_http sends it
// ("GET /auth HTTP/1.0", then headers, then an empty line; no body).
// Incremental, no I/O: fed bytes, answers "need more", "done" or "error".
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace slotmail::dirsvc {

// nginx's request is a dozen short headers; the user name and password
// are the longest (%-encoded). Past this the peer is no auth_http client.
inline constexpr size_t kMaxAuthRequestBytes = 16384;

class HttpRequestParser {
 public:
  enum class Event { kNeedMore, kDone, kError };
  Event Feed(std::string_view bytes);

  // After kDone: the request line's parts and the headers, names lowercased,
  // values without surrounding blanks (a repeated header: the last one).
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  const std::map<std::string, std::string>& headers() const { return headers_; }
  // After kError: why.
  const std::string& error() const { return error_; }

 private:
  Event Parse(std::string_view head);
  Event Fail(std::string why);

  std::string in_;
  std::string method_, target_, error_;
  std::map<std::string, std::string> headers_;
  bool done_ = false;
};

}  // namespace slotmail::dirsvc
