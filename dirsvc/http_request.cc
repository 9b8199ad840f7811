#include "dirsvc/http_request.h"

#include <vector>

namespace slotmail::dirsvc {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

HttpRequestParser::Event HttpRequestParser::Fail(std::string why) {
  error_ = std::move(why);
  return Event::kError;
}

HttpRequestParser::Event HttpRequestParser::Feed(std::string_view bytes) {
  if (!error_.empty()) return Event::kError;
  if (done_) return Event::kDone;  // bytes after the head (a body) are ignored
  in_.append(bytes);
  // The head ends with an empty line: CRLF CRLF, or bare LFs (RFC 9112 2.2).
  size_t end = in_.find("\n\r\n");
  size_t skip = 3;
  size_t lf = in_.find("\n\n");
  if (lf != std::string::npos && (end == std::string::npos || lf < end)) {
    end = lf;
    skip = 2;
  }
  if (end == std::string::npos) {
    if (in_.size() > kMaxAuthRequestBytes) return Fail("request head too long");
    return Event::kNeedMore;
  }
  if (end + skip > kMaxAuthRequestBytes) return Fail("request head too long");
  Event e = Parse(std::string_view(in_).substr(0, end + 1));
  in_.clear();
  return e;
}

HttpRequestParser::Event HttpRequestParser::Parse(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    lines.push_back(Trim(head.substr(0, nl)));
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
  }
  if (lines.empty()) return Fail("empty request");
  std::string_view rl = lines[0];
  size_t s1 = rl.find(' ');
  size_t s2 = s1 == std::string_view::npos ? s1 : rl.find(' ', s1 + 1);
  if (s2 == std::string_view::npos || rl.substr(s2 + 1).substr(0, 5) != "HTTP/") {
    return Fail("malformed request line");
  }
  method_ = std::string(rl.substr(0, s1));
  target_ = std::string(rl.substr(s1 + 1, s2 - s1 - 1));
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail("malformed header line");
    std::string name(lines[i].substr(0, colon));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    headers_[name] = std::string(Trim(lines[i].substr(colon + 1)));
  }
  done_ = true;
  return Event::kDone;
}

}  // namespace slotmail::dirsvc
