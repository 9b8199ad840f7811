#include "mime/address.h"

#include <doctest/doctest.h>

#include <string>

#include "common/limits.h"

namespace slotmail::mime {
namespace {

// Entries as "name|route|mailbox@host", "[group" and "]".
std::string Show(std::string_view value) {
  std::string out;
  for (const Address& a : ParseAddressList(value)) {
    if (!out.empty()) out += ", ";
    switch (a.kind) {
      case Address::Kind::kGroupStart: out += "[" + a.name; break;
      case Address::Kind::kGroupEnd: out += "]"; break;
      case Address::Kind::kMailbox:
        out += a.name + "|" + a.route + "|" + a.mailbox + "@" + a.host;
        break;
    }
  }
  return out;
}

TEST_CASE("mime: plain addr-specs and name-addrs") {
  CHECK(Show("john@example.com") == "||john@example.com");
  CHECK(Show("John Doe <john@example.com>") == "John Doe||john@example.com");
  CHECK(Show("<john@example.com>") == "||john@example.com");
  CHECK(Show("a@b.c, D E <d@e.f>,g@h.i") == "||a@b.c, D E||d@e.f, ||g@h.i");
}

TEST_CASE("mime: quoted display names and local parts lose their quoting") {
  CHECK(Show("\"Doe, John\" <john@example.com>") == "Doe, John||john@example.com");
  CHECK(Show("\"Say \\\"hi\\\"\" <a@b>") == "Say \"hi\"||a@b");
  CHECK(Show("\"john doe\"@example.com") == "||john doe@example.com");
  CHECK(Show("\"\" <a@b>") == "||a@b");
}

TEST_CASE("mime: phrase words are joined by one space and encoded words kept raw") {
  CHECK(Show("John\r\n   Q.  Public <jqp@x.org>") == "John Q. Public||jqp@x.org");
  CHECK(Show("=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?= <j@x>") ==
        "=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?=||j@x");
}

TEST_CASE("mime: comments are dropped, or name the mailbox when nothing else does") {
  CHECK(Show("john@example.com (John Doe)") == "John Doe||john@example.com");
  CHECK(Show("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>") ==
        "Pete||pete@silly.test");
  CHECK(Show("(lead) a@b (mid (nested)) , c@d") == "mid (nested)||a@b, ||c@d");
  CHECK(Show("<a@b> (After)") == "After||a@b");
}

// Issue 14 point 7: a comment is CFWS wherever RFC 5322 allows CFWS
// (3.4.1, and obs-local-part / obs-domain of 4.4); only one after the whole
// address stands in for the display name.
TEST_CASE("mime: comments inside an addr-spec are not a display name (RFC 5322 3.4.1, 4.4)") {
  CHECK(Show("<user (c)@ (c) domain.org>") == "||user@domain.org");
  CHECK(Show("user (c)@ (c) domain.org") == "||user@domain.org");
  CHECK(Show("(before) <a@b>, (lead) c@d") == "||a@b, ||c@d");
  CHECK(Show("<user (c)@domain.org> (Real Name)") == "Real Name||user@domain.org");
  CHECK(Show("user (c)@domain.org (Real Name)") == "Real Name||user@domain.org");
  CHECK(Show("G: <a (c)@x>, b@y (B);") == "[G, ||a@x, B||b@y, ]");
  CHECK(Show("<user (c)>") == "||user@MISSING_DOMAIN");
}

TEST_CASE("mime: groups become start and end markers") {
  CHECK(Show("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;") ==
        "[A Group, Ed Jones||c@a.test, ||joe@where.test, John||jdoe@one.test, ]");
  CHECK(Show("undisclosed-recipients:;") == "[undisclosed-recipients, ]");
  CHECK(Show("Undisclosed recipients: ;") == "[Undisclosed recipients, ]");
  CHECK(Show("a@b, G: c@d; e@f") == "||a@b, [G, ||c@d, ], ||e@f");
  CHECK(Show("G: c@d") == "[G, ||c@d, ]");  // missing ';'
  CHECK(Show("\"Group, Inc\": x@y;") == "[Group, Inc, ||x@y, ]");
}

TEST_CASE("mime: obsolete routes and empty list elements") {
  CHECK(Show("<@route1,@route2:user@host>") == "|@route1,@route2|user@host");
  CHECK(Show("Name <@r:user@host>") == "Name|@r|user@host");
  CHECK(Show("a@b,,, ,c@d,") == "||a@b, ||c@d");
  CHECK(Show("john . doe @ example . com") == "||john.doe@example.com");
}

TEST_CASE("mime: domain literals are kept") {
  CHECK(Show("jdoe@[192.168.0.1]") == "||jdoe@[192.168.0.1]");
  CHECK(Show("<x@[IPv6:::1]>") == "||x@[IPv6:::1]");
}

TEST_CASE("mime: broken addresses still yield entries IMAP can carry") {
  CHECK(Show("undisclosed-recipients") == "||undisclosed-recipients@MISSING_DOMAIN");
  CHECK(Show("John Doe john@x") == "John Doe||john@x");
  CHECK(Show("<>") == "||MISSING_MAILBOX@MISSING_DOMAIN");
  CHECK(Show("@example.com") == "||MISSING_MAILBOX@example.com");
  CHECK(Show("John <john@x") == "John||john@x");  // unterminated angle
  CHECK(Show("\"unterminated <a@b>") == "||unterminated <a@b>@MISSING_DOMAIN");
  CHECK(Show("") == "");
  CHECK(Show("(only a comment)") == "");
  CHECK(Show(";;;:::<<<>>>@@@") != "nonsense");  // parses without crashing
}

TEST_CASE("mime: address search text is the parsed list, names decoded (RFC 3501 6.4.4)") {
  auto text = [](std::string_view v) { return AddressSearchText(ParseAddressList(v)); };
  CHECK(text("<user (c)@ (c) domain.org>") == "user@domain.org");
  CHECK(text("addr@x.org (Real Name)") == "Real Name <addr@x.org>");
  CHECK(text("\"Doe, John\" <j@x>, =?UTF-8?Q?J=C3=B6rg?= <j2@x>") ==
        "Doe, John <j@x>, J\xc3\xb6rg <j2@x>");
  CHECK(text("g: a@x, b@y;, c@z") == "g: a@x, b@y;, c@z");
  CHECK(text("g:;") == "g: ;");
  CHECK(text("localonly, <>") == "localonly, ");
}

TEST_CASE("mime: raw 8-bit display names are kept as bytes") {
  CHECK(Show("J\xc3\xb6rg <j@x>") == "J\xc3\xb6rg||j@x");
}

TEST_CASE("mime: address lists are bounded, and a cut group still closes") {
  std::string many = "G: ";
  for (size_t i = 0; i < limits::kMaxEnvelopeAddresses * 2; ++i) many += "a@b, ";
  std::vector<Address> list = ParseAddressList(many);
  CHECK(list.size() == limits::kMaxEnvelopeAddresses);
  CHECK(list.back().kind == Address::Kind::kGroupEnd);
}

}  // namespace
}  // namespace slotmail::mime
