#include "lmtpd/protocol.h"

#include <doctest/doctest.h>

#include <cctype>
#include <functional>
#include <set>

using namespace slotmail::lmtpd;
namespace limits = slotmail::limits;

namespace {

// Drives a Protocol against a fake store: `users` exist; `outcome` decides
// each delivery. Input is fed `chunk` bytes at a time.
struct Driver {
  std::set<std::string> users = {"alice", "bob"};
  std::function<Outcome(const Recipient&)> outcome = [](const Recipient&) {
    return Outcome::kDelivered;
  };
  struct Delivery {
    std::string sender;
    std::string message;
    std::vector<Recipient> rcpts;
  };
  std::vector<Delivery> deliveries;
  std::vector<size_t> checks;  // recipients per check request
  bool closed = false;

  std::string Run(std::string_view input, size_t chunk, ProtocolOptions opt = {}) {
    Protocol p(opt);
    p.Greet();
    std::string out;
    for (size_t i = 0; i < input.size() && !closed; i += chunk) {
      p.Feed(input.substr(i, chunk));
      while (!closed) {
        Protocol::Event e = p.Next();
        if (e == Protocol::Event::kNeedMore) break;
        if (e == Protocol::Event::kClose) closed = true;
        if (e == Protocol::Event::kCheckRecipient) {
          std::vector<bool> exists;
          for (const Recipient& r : p.pending_recipients()) exists.push_back(users.count(r.user) > 0);
          checks.push_back(exists.size());
          p.RecipientsChecked(exists);
        }
        if (e == Protocol::Event::kDeliver) {
          deliveries.push_back({p.sender(), p.message(), p.recipients()});
          std::vector<Outcome> o;
          for (const auto& r : p.recipients()) o.push_back(outcome(r));
          p.Delivered(o);
        }
      }
    }
    p.TakeOutput(&out);
    return out;
  }
};

// The final reply lines as "code[ enhanced]", space-separated; easier to
// read in tests than the full text. Continuation lines ("250-...") are skipped.
std::string Codes(const std::string& out) {
  std::string codes;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find("\r\n", pos);
    std::string line = out.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.size() > 3 && line[3] != ' ') continue;
    if (!codes.empty()) codes += ' ';
    codes += line.substr(0, 3);
    std::string second = line.size() > 4 ? line.substr(4, line.find(' ', 4) - 4) : "";
    if (second.size() >= 5 && second[1] == '.' && std::isdigit(second[0])) codes += " " + second;
  }
  return codes;
}

const char kSession[] =
    "LHLO mta.example\r\n"
    "MAIL FROM:<sender@example.org> SIZE=20 BODY=8BITMIME\r\n"
    "RCPT TO:<alice@example.com>\r\n"
    "RCPT TO:<nobody@example.com>\r\n"
    "RCPT TO:<Bob+Work@example.com>\r\n"
    "DATA\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "..leading dot\n"
    "last line\r\n"
    ".\r\n"
    "QUIT\r\n";

}  // namespace

TEST_CASE("lmtp: a pipelined session gives the same replies fed byte by byte or at once") {
  for (size_t chunk : {size_t{1}, size_t{7}, sizeof kSession}) {
    Driver d;
    std::string out = d.Run(kSession, chunk);
    CHECK(Codes(out) == "220 250 250 2.1.0 250 2.1.5 550 5.1.1 250 2.1.5 354 250 2.0.0 "
                        "250 2.0.0 221 2.0.0");
    CHECK(d.closed);
    REQUIRE(d.deliveries.size() == 1);
    CHECK(d.deliveries[0].sender == "sender@example.org");
    // Dot-unstuffed, bare LF made CRLF.
    CHECK(d.deliveries[0].message == "Subject: hi\r\n\r\n.leading dot\r\nlast line\r\n");
    REQUIRE(d.deliveries[0].rcpts.size() == 2);
    CHECK(d.deliveries[0].rcpts[1].user == "bob");
    CHECK(d.deliveries[0].rcpts[1].folder == "Work");
  }
}

TEST_CASE("lmtp: LHLO advertises the extensions") {
  Driver d;
  std::string out = d.Run("LHLO x\r\n", 1);
  CHECK(out.find("250-PIPELINING\r\n") != std::string::npos);
  CHECK(out.find("250-ENHANCEDSTATUSCODES\r\n") != std::string::npos);
  CHECK(out.find("250-8BITMIME\r\n") != std::string::npos);
  CHECK(out.find("250 SIZE ") != std::string::npos);
}

TEST_CASE("lmtp: one recipient's failure does not affect another's") {
  Driver d;
  d.users.insert("carol");
  d.outcome = [](const Recipient& r) {
    if (r.user == "bob") return Outcome::kOverQuota;
    if (r.user == "carol") return Outcome::kFailed;
    return Outcome::kDelivered;
  };
  std::string out = d.Run(
      "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<alice@x>\r\nRCPT TO:<carol@x>\r\n"
      "DATA\r\nhello\r\n.\r\n", 1);
  CHECK(Codes(out) == "220 250 250 2.1.0 250 2.1.5 250 2.1.5 250 2.1.5 354 452 4.2.2 "
                      "250 2.0.0 451 4.3.0");
  CHECK(d.deliveries.at(0).sender.empty());
}

TEST_CASE("lmtp: over quota is 452 4.2.2, or 552 5.2.2 when configured permanent") {
  for (bool permanent : {false, true}) {
    ProtocolOptions opt;
    opt.over_quota_permanent = permanent;
    Driver d;
    d.outcome = [](const Recipient& r) {
      return r.user == "bob" ? Outcome::kOverQuota : Outcome::kDelivered;
    };
    std::string out = d.Run(
        "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<alice@x>\r\n"
        "DATA\r\nhello\r\n.\r\n", 5, opt);
    CHECK(Codes(out) == std::string("220 250 250 2.1.0 250 2.1.5 250 2.1.5 354 ") +
                            (permanent ? "552 5.2.2" : "452 4.2.2") + " 250 2.0.0");
  }
}

TEST_CASE("lmtp: a message over the size limit is refused per recipient, nothing delivered") {
  ProtocolOptions opt;
  opt.max_message_bytes = 16;
  Driver d;
  std::string out = d.Run(
      "LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<alice@x>\r\nRCPT TO:<bob@x>\r\nDATA\r\n"
      "0123456789\r\n0123456789\r\n.\r\nNOOP\r\n", 1, opt);
  CHECK(Codes(out) == "220 250 250 2.1.0 250 2.1.5 250 2.1.5 354 552 5.3.4 552 5.3.4 250 2.0.0");
  CHECK(d.deliveries.empty());
}

TEST_CASE("lmtp: MAIL SIZE= over the limit is refused up front") {
  ProtocolOptions opt;
  opt.max_message_bytes = 16;
  Driver d;
  std::string out = d.Run("LHLO x\r\nMAIL FROM:<a@b> SIZE=17\r\nMAIL FROM:<a@b> SIZE=16\r\n", 1,
                          opt);
  CHECK(Codes(out) == "220 250 552 5.3.4 250 2.1.0");
}

TEST_CASE("lmtp: sequence errors and bad syntax get 5xx, RSET clears the transaction") {
  Driver d;
  std::string out = d.Run(
      "MAIL FROM:<a@b>\r\nHELO x\r\nLHLO x\r\nRCPT TO:<alice@x>\r\nDATA\r\nMAIL FROM:a\r\n"
      "MAIL FROM:<a@b> FOO=1\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nDATA\r\nRSET\r\n"
      "RCPT TO:<alice@x>\r\nBOGUS\r\n",
      1);
  CHECK(Codes(out) == "220 503 5.5.1 500 5.5.1 250 503 5.5.1 503 5.5.1 501 5.5.4 555 5.5.4 "
                      "250 2.1.0 503 5.5.1 503 5.5.1 250 2.0.0 503 5.5.1 500 5.5.2");
}

TEST_CASE("lmtp: an over-long command line is refused and the next line still works") {
  Driver d;
  std::string input = "LHLO x\r\nNOOP " + std::string(5000, 'a') + "\r\nNOOP\r\n";
  std::string out = d.Run(input, 1);
  CHECK(Codes(out) == "220 250 500 5.5.2 250 2.0.0");
}

TEST_CASE("lmtp: control characters in a command cannot reach the trace headers") {
  Driver d;
  std::string out = d.Run("LHLO a\rX-Evil: 1\r\nLHLO ok\r\nMAIL FROM:<a\rb@c>\r\n", 1);
  CHECK(Codes(out) == "220 501 5.5.2 250 501 5.5.2");
}

TEST_CASE("lmtp: too many recipients get 452 4.5.3") {
  ProtocolOptions opt;
  opt.max_recipients = 2;
  Driver d;
  std::string out = d.Run(
      "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@x>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<alice@x>\r\n",
      1, opt);
  CHECK(Codes(out) == "220 250 250 2.1.0 250 2.1.5 250 2.1.5 452 4.5.3");
}

TEST_CASE("lmtp: too many errors close the connection") {
  Driver d;
  std::string input;
  for (int i = 0; i < 30; ++i) input += "BOGUS\r\n";
  std::string out = d.Run(input, 1);
  CHECK(d.closed);
  CHECK(out.find("421 4.7.0") != std::string::npos);
}

TEST_CASE("lmtp: recipient addresses") {
  Recipient r;
  CHECK(ParseRecipient("Alice+Lists/Dev@Example.COM", &r));
  CHECK(r.user == "alice");
  CHECK(r.folder == "Lists/Dev");
  CHECK(ParseRecipient("bob", &r));
  CHECK(r.user == "bob");
  CHECK(r.folder.empty());
  CHECK_FALSE(ParseRecipient("+x@y", &r));
  CHECK_FALSE(ParseRecipient("", &r));
}

TEST_CASE("lmtp: pipelined RCPTs are checked as one request, replies unchanged") {
  Driver at_once;
  CHECK(Codes(at_once.Run(kSession, sizeof kSession)) ==
        "220 250 250 2.1.0 250 2.1.5 550 5.1.1 250 2.1.5 354 250 2.0.0 250 2.0.0 221 2.0.0");
  CHECK(at_once.checks == std::vector<size_t>{3});
  Driver bytewise;  // each RCPT is complete before the next arrives
  bytewise.Run(kSession, 1);
  CHECK(bytewise.checks == std::vector<size_t>{1, 1, 1});
}

TEST_CASE("lmtp: a RCPT batch stops at a RCPT with an error reply and below the limit") {
  const std::string head = "LHLO x\r\nMAIL FROM:<>\r\n";
  for (size_t chunk : {size_t{1}, size_t{4096}}) {
    Driver d;
    // The bad one's 501 must come after alice's 250, bob's after it.
    CHECK(Codes(d.Run(head + "RCPT TO:<alice@x>\r\nRCPT TO:bad\r\nRCPT TO:<bob@x>\r\n", chunk)) ==
          "220 250 250 2.1.0 250 2.1.5 501 5.5.4 250 2.1.5");
    ProtocolOptions opt;
    opt.max_recipients = 2;
    Driver l;
    // nobody is refused, so bob still fits; the last alice is one too many.
    CHECK(Codes(l.Run(head + "RCPT TO:<nobody@x>\r\nRCPT TO:<alice@x>\r\nRCPT TO:<bob@x>\r\n"
                             "RCPT TO:<alice@x>\r\n", chunk, opt)) ==
          "220 250 250 2.1.0 550 5.1.1 250 2.1.5 250 2.1.5 452 4.5.3");
    if (chunk > 1) CHECK(l.checks == std::vector<size_t>{2, 1});
  }
}

TEST_CASE("lmtp: only <CRLF>.<CRLF> ends DATA, so a bare LF cannot smuggle a message in "
          "(RFC 5321 4.1.1.4, RFC 2033 4.2)") {
  const std::string head =
      "LHLO mta.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@x>\r\nDATA\r\n";
  const std::string smuggled = "MAIL FROM:<evil@x>\nRCPT TO:<bob@x>\nDATA\nSubject: smuggled\r\n";
  for (std::string_view end : {"\n.\n", "\r\n.\n", "\n.\r\n"}) {
    for (size_t chunk : {size_t{1}, size_t{4096}}) {
      Driver d;
      std::string out = d.Run(head + "Subject: a\r\n\r\nbody" + std::string(end) + smuggled +
                                  ".\r\nQUIT\r\n",
                              chunk);
      CAPTURE(end);
      CHECK(Codes(out) == "220 250 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0");
      REQUIRE(d.deliveries.size() == 1);
      CHECK(d.deliveries[0].rcpts.size() == 1);
      CHECK(d.deliveries[0].rcpts[0].user == "alice");
      // Everything up to the real end is the one message; the lone "." stays.
      CHECK(d.deliveries[0].message ==
            "Subject: a\r\n\r\nbody\r\n.\r\nMAIL FROM:<evil@x>\r\nRCPT TO:<bob@x>\r\n"
            "DATA\r\nSubject: smuggled\r\n");
    }
  }
}

TEST_CASE("lmtp: recipients past the limit get 452 and the accepted ones are kept "
          "(RFC 5321 4.5.3.1.8, 4.5.3.1.10)") {
  std::string input = "LHLO x\r\nMAIL FROM:<>\r\n";
  const size_t kSent = limits::kMaxLmtpRecipients + 50;  // more than kMaxLmtpErrors over
  for (size_t i = 0; i < kSent; ++i) input += "RCPT TO:<alice+" + std::to_string(i) + "@x>\r\n";
  input += "DATA\r\nSubject: many\r\n\r\nhi\r\n.\r\nQUIT\r\n";
  for (size_t chunk : {size_t{7}, input.size()}) {
    Driver d;
    std::string out = d.Run(input, chunk);
    std::string want = "220 250 250 2.1.0";
    for (size_t i = 0; i < limits::kMaxLmtpRecipients; ++i) want += " 250 2.1.5";
    for (size_t i = limits::kMaxLmtpRecipients; i < kSent; ++i) want += " 452 4.5.3";
    want += " 354";
    for (size_t i = 0; i < limits::kMaxLmtpRecipients; ++i) want += " 250 2.0.0";
    want += " 221 2.0.0";
    CHECK(Codes(out) == want);
    REQUIRE(d.deliveries.size() == 1);
    CHECK(d.deliveries[0].rcpts.size() == limits::kMaxLmtpRecipients);
  }
}
