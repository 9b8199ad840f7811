#include "dirsvc/netstring.h"

#include <doctest/doctest.h>

#include <vector>

#include "dirsvc/http_request.h"

namespace slotmail::dirsvc {
namespace {

// Feeds `input` one byte at a time; the frames decoded, and the error if any.
std::vector<std::string> Bytewise(std::string_view input, std::string* error,
                                  size_t max = kMaxNetstringBytes) {
  NetstringDecoder d(max);
  std::vector<std::string> frames;
  for (char c : input) {
    d.Feed(std::string_view(&c, 1));
    std::string frame;
    for (;;) {
      auto e = d.Next(&frame, error);
      if (e == NetstringDecoder::Event::kFrame) frames.push_back(frame);
      if (e != NetstringDecoder::Event::kFrame) {
        if (e == NetstringDecoder::Event::kError) return frames;
        break;
      }
    }
  }
  return frames;
}

TEST_CASE("dirsvc: netstrings decode byte by byte, back to back") {
  std::string error;
  std::string input = EncodeNetstring("transport alice@example.com") +
                      EncodeNetstring("") + EncodeNetstring("recipients bob");
  CHECK(input.substr(0, 3) == "27:");
  auto frames = Bytewise(input, &error);
  CHECK(error.empty());
  REQUIRE(frames.size() == 3);
  CHECK(frames[0] == "transport alice@example.com");
  CHECK(frames[1] == "");
  CHECK(frames[2] == "recipients bob");
}

TEST_CASE("dirsvc: netstring payloads may hold any byte, ',' and ':' too") {
  std::string error;
  std::string payload("a:b,\0c\n", 7);
  auto frames = Bytewise(EncodeNetstring(payload), &error);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == payload);
}

TEST_CASE("dirsvc: malformed netstrings are errors, and stay errors") {
  for (const char* bad : {"x:", "3:abc;", ":abc,", "-1:", "01:a,", "1a:"}) {
    std::string error;
    auto frames = Bytewise(bad, &error);
    CHECK_MESSAGE(!error.empty(), bad);
    CHECK(frames.empty());
  }
  NetstringDecoder d;
  std::string frame, error;
  d.Feed("2:ab;1:a,");
  CHECK(d.Next(&frame, &error) == NetstringDecoder::Event::kError);
  CHECK(d.Next(&frame, &error) == NetstringDecoder::Event::kError);  // no resync
}

TEST_CASE("dirsvc: an oversized netstring is refused before its payload arrives") {
  std::string error;
  Bytewise("11:", &error, 10);
  CHECK(error.find("over the limit") != std::string::npos);
  error.clear();
  Bytewise("1234567", &error);  // more digits than any allowed length has
  CHECK(error.find("too long") != std::string::npos);
  error.clear();
  auto frames = Bytewise("10:0123456789,", &error, 10);
  CHECK(error.empty());
  CHECK(frames.size() == 1);
}

TEST_CASE("dirsvc: an auth_http request head parses byte by byte") {
  std::string req =
      "GET /auth HTTP/1.0\r\nHost: localhost\r\nAuth-Method: plain\r\n"
      "Auth-User: alice%40example.com\r\nAuth-Pass: se%20cret\r\nAuth-Protocol: imap\r\n"
      "Auth-Login-Attempt: 1\r\nClient-IP: 192.0.2.7\r\n\r\n";
  HttpRequestParser p;
  HttpRequestParser::Event e = HttpRequestParser::Event::kNeedMore;
  for (size_t i = 0; i < req.size(); ++i) {
    CHECK(e == HttpRequestParser::Event::kNeedMore);
    e = p.Feed(req.substr(i, 1));
  }
  REQUIRE(e == HttpRequestParser::Event::kDone);
  CHECK(p.method() == "GET");
  CHECK(p.target() == "/auth");
  CHECK(p.headers().at("auth-user") == "alice%40example.com");
  CHECK(p.headers().at("client-ip") == "192.0.2.7");
}

TEST_CASE("dirsvc: a malformed or endless auth_http head is an error") {
  HttpRequestParser bad;
  CHECK(bad.Feed("GET\r\n\r\n") == HttpRequestParser::Event::kError);
  HttpRequestParser no_colon;
  CHECK(no_colon.Feed("GET / HTTP/1.0\r\nAuth-User alice\r\n\r\n") ==
        HttpRequestParser::Event::kError);
  HttpRequestParser endless;
  std::string line = "X-Filler: " + std::string(1000, 'a') + "\r\n";
  HttpRequestParser::Event e = endless.Feed("GET / HTTP/1.0\r\n");
  for (int i = 0; i < 20 && e == HttpRequestParser::Event::kNeedMore; ++i) e = endless.Feed(line);
  CHECK(e == HttpRequestParser::Event::kError);
}

}  // namespace
}  // namespace slotmail::dirsvc
