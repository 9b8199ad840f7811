#include "pop3d/protocol.h"

#include <doctest/doctest.h>

#include <map>

#include "common/base64.h"

using namespace slotmail::pop3d;

namespace {

// Drives a Protocol against a fake store: alice/secret has three messages
// (UIDs 4, 7, 9 of UIDVALIDITY 1234). Input is fed `chunk` bytes at a time;
// every answer to a request comes at once.
struct Driver {
  std::map<std::string, std::string> bodies = {
      {"g4", "Subject: a\r\n\r\nline1\r\n.dot\r\nline3\r\n"},
      {"g7", "Subject: b\n\nbare lf\n"},
      {"g9", "X: y\r\n\r\nno final newline"}};
  std::vector<std::vector<uint32_t>> updates;
  std::vector<std::string> logins;  // "mech user"
  int tls_starts = 0;
  bool closed = false;

  std::string Run(std::string_view input, size_t chunk, ProtocolOptions opt = {.plaintext_auth = true}) {
    Protocol p(opt);
    p.Greet();
    std::string out;
    for (size_t i = 0; i < input.size() && !closed; i += chunk) {
      p.Feed(input.substr(i, chunk));
      Step(&p);
    }
    p.TakeOutput(&out);
    return out;
  }

  void Step(Protocol* p) {
    while (!closed) {
      switch (p->Next()) {
        case Protocol::Event::kNeedMore:
          return;
        case Protocol::Event::kClose:
          closed = true;
          return;
        case Protocol::Event::kStartTls:
          ++tls_starts;
          p->TlsStarted();
          break;
        case Protocol::Event::kLogin:
          logins.push_back(std::string(p->mechanism()) + " " + p->login_user());
          if (p->login_user() == "alice" && p->login_password() == "secret") {
            p->LoggedIn({1234, {{4, 40, "g4"}, {7, 20, "g7"}, {9, 30, "g9"}}});
          } else {
            p->LoginFailed("-ERR [AUTH] Authentication failed");
          }
          break;
        case Protocol::Event::kRetrieve:
          p->Retrieved(bodies.at(p->retrieve_guid()));
          break;
        case Protocol::Event::kUpdate:
          updates.push_back(p->deleted_uids());
          p->Updated("+OK Bye");
          break;
      }
    }
  }
};

const char kLogin[] = "USER alice\r\nPASS secret\r\n";

// The same output whatever the chunking: byte by byte like the IMAP parser.
std::string Same(const std::string& input, ProtocolOptions opt = {.plaintext_auth = true}) {
  Driver whole;
  const std::string expected = whole.Run(input, input.size(), opt);
  for (size_t chunk : {1, 2, 3, 7}) {
    Driver d;
    CHECK(d.Run(input, chunk, opt) == expected);
  }
  return expected;
}

}  // namespace

TEST_CASE("pop3 protocol: USER/PASS, STAT, LIST, UIDL, byte by byte") {
  const std::string out = Same(std::string(kLogin) + "STAT\r\nLIST\r\nUIDL 2\r\nLIST 3\r\nQUIT\r\n");
  CHECK(out ==
        "+OK slotmail POP3 server ready\r\n"
        "+OK Send PASS\r\n"
        "+OK Logged in, 3 messages\r\n"
        "+OK 3 90\r\n"
        "+OK Scan listing follows\r\n1 40\r\n2 20\r\n3 30\r\n.\r\n"
        "+OK 2 1234.7\r\n"
        "+OK 3 30\r\n"
        "+OK slotmail POP3 server signing off\r\n");
}

TEST_CASE("pop3 protocol: RETR and TOP byte-stuff and end every line in CRLF") {
  const std::string out = Same(std::string(kLogin) + "RETR 1\r\nRETR 2\r\nTOP 1 1\r\nTOP 3 0\r\n");
  CHECK(out.find("+OK 40 octets\r\nSubject: a\r\n\r\nline1\r\n..dot\r\nline3\r\n.\r\n") !=
        std::string::npos);
  CHECK(out.find("+OK 20 octets\r\nSubject: b\r\n\r\nbare lf\r\n.\r\n") != std::string::npos);
  CHECK(out.find("+OK Top of message follows\r\nSubject: a\r\n\r\nline1\r\n.\r\n") !=
        std::string::npos);
  CHECK(out.find("+OK Top of message follows\r\nX: y\r\n\r\n.\r\n") != std::string::npos);
}

TEST_CASE("pop3 protocol: DELE takes effect only at QUIT, RSET undoes it") {
  Driver d;
  std::string out = d.Run(std::string(kLogin) + "DELE 2\r\nDELE 2\r\nSTAT\r\nLIST 2\r\n"
                          "RSET\r\nDELE 1\r\nDELE 3\r\nUIDL\r\nQUIT\r\n", 1);
  CHECK(out.find("+OK Message 2 deleted\r\n-ERR Message 2 is deleted\r\n+OK 2 70\r\n"
                 "-ERR Message 2 is deleted\r\n+OK 3 messages\r\n") != std::string::npos);
  CHECK(out.find("+OK Unique-ID listing follows\r\n2 1234.7\r\n.\r\n") != std::string::npos);
  REQUIRE(d.updates.size() == 1);
  CHECK(d.updates[0] == std::vector<uint32_t>{4, 9});
  CHECK(d.closed);
}

TEST_CASE("pop3 protocol: a connection that ends without QUIT removes nothing") {
  Driver d;
  d.Run(std::string(kLogin) + "DELE 1\r\nDELE 2\r\n", 1);
  CHECK(d.updates.empty());
  CHECK_FALSE(d.closed);
}

TEST_CASE("pop3 protocol: QUIT with nothing deleted asks for no update") {
  Driver d;
  d.Run(std::string(kLogin) + "QUIT\r\n", 1);
  CHECK(d.updates.empty());
  CHECK(d.closed);
}

TEST_CASE("pop3 protocol: wrong password stays in AUTHORIZATION") {
  Driver d;
  const std::string out = d.Run("USER alice\r\nPASS wrong\r\nSTAT\r\nPASS secret\r\n" +
                                std::string(kLogin) + "STAT\r\n", 1);
  CHECK(out.find("-ERR [AUTH] Authentication failed\r\n-ERR Log in first\r\n-ERR USER first\r\n") !=
        std::string::npos);
  CHECK(out.find("+OK 3 90\r\n") != std::string::npos);
  CHECK(d.logins == std::vector<std::string>{"login alice", "login alice"});
}

TEST_CASE("pop3 protocol: passwords may hold spaces") {
  Driver d;
  d.Run("USER bob\r\nPASS two words\r\n", 1);
  CHECK(d.logins == std::vector<std::string>{"login bob"});
}

TEST_CASE("pop3 protocol: AUTH PLAIN with and without an initial response") {
  const std::string resp = slotmail::Base64Encode(std::string("\0alice\0secret", 13));
  Driver d;
  std::string out = d.Run("AUTH PLAIN " + resp + "\r\nSTAT\r\n", 1);
  CHECK(out.find("+OK Logged in, 3 messages\r\n+OK 3 90\r\n") != std::string::npos);
  Driver e;
  out = e.Run("AUTH PLAIN\r\n" + resp + "\r\nSTAT\r\n", 1);
  CHECK(out.find("+ \r\n+OK Logged in") != std::string::npos);
  CHECK(e.logins == std::vector<std::string>{"plain alice"});
  Driver f;
  out = f.Run("AUTH PLAIN\r\n*\r\nAUTH PLAIN !!\r\nAUTH X\r\nAUTH\r\n", 1);
  CHECK(out.find("-ERR Authentication cancelled\r\n-ERR Invalid base64 in SASL response\r\n"
                 "-ERR Unsupported authentication mechanism\r\n+OK Mechanisms follow\r\nPLAIN\r\n.\r\n") !=
        std::string::npos);
  const std::string other = slotmail::Base64Encode(std::string("bob\0alice\0secret", 16));
  Driver g;
  CHECK(g.Run("AUTH PLAIN " + other + "\r\n", 1).find("-ERR [AUTH] Cannot act as another user") !=
        std::string::npos);
  CHECK(g.logins.empty());
}

TEST_CASE("pop3 protocol: CAPA and STLS follow the TLS rules") {
  ProtocolOptions plain{.tls_available = true, .plaintext_auth = false};
  Driver d;
  std::string out = d.Run("CAPA\r\nUSER alice\r\nSTLS\r\nCAPA\r\n" + std::string(kLogin), 1, plain);
  const size_t second = out.find("+OK Begin TLS");
  REQUIRE(second != std::string::npos);
  const std::string before = out.substr(0, second), after = out.substr(second);
  CHECK(before.find("STLS\r\n") != std::string::npos);
  CHECK(before.find("USER\r\n") == std::string::npos);
  CHECK(before.find("-ERR [AUTH] Plaintext authentication requires TLS") != std::string::npos);
  CHECK(after.find("STLS\r\n") == std::string::npos);
  CHECK(after.find("SASL PLAIN\r\n") != std::string::npos);
  CHECK(after.find("+OK Logged in") != std::string::npos);
  CHECK(d.tls_starts == 1);
}

TEST_CASE("pop3 protocol: input pipelined behind STLS is discarded") {
  ProtocolOptions plain{.tls_available = true, .plaintext_auth = false};
  Driver d;
  const std::string out = d.Run("STLS\r\nUSER alice\r\nPASS secret\r\n", 64, plain);
  CHECK(out == "+OK slotmail POP3 server ready\r\n+OK Begin TLS negotiation now\r\n");
  CHECK(d.logins.empty());
}

TEST_CASE("pop3 protocol: an over-long line gets -ERR and the session goes on") {
  const std::string input = std::string(kLogin) + "LIST " + std::string(5000, '1') + "\r\nSTAT\r\n";
  const std::string out = Same(input);
  CHECK(out.find("-ERR Line too long\r\n+OK 3 90\r\n") != std::string::npos);
}

TEST_CASE("pop3 protocol: malformed commands get -ERR") {
  const std::string out = Same(std::string(kLogin) +
                               "RETR\r\nRETR x\r\nRETR 0\r\nRETR 4\r\nTOP 1\r\nTOP 1 -1\r\n"
                               "LIST 1 2\r\nSTAT 1\r\nXYZZY\r\nUSER bob\r\nNO\x01OP\r\nNOOP\r\n");
  CHECK(out.find("-ERR RETR takes a message number\r\n-ERR Invalid message number\r\n"
                 "-ERR No such message\r\n-ERR No such message\r\n"
                 "-ERR TOP takes a message number and a line count\r\n"
                 "-ERR TOP takes a message number and a line count\r\n"
                 "-ERR Invalid message number\r\n-ERR STAT takes no arguments\r\n"
                 "-ERR Unknown command\r\n-ERR Already logged in\r\n"
                 "-ERR Control characters in command\r\n+OK\r\n") != std::string::npos);
}

TEST_CASE("pop3 protocol: too many errors close the connection") {
  std::string input;
  for (int i = 0; i <= limits::kMaxErrors + 5; ++i) input += "BAD\r\n";
  Driver d;
  const std::string out = d.Run(input, 1);
  CHECK(d.closed);
  CHECK(out.ends_with("-ERR Too many errors, closing connection\r\n"));
}
