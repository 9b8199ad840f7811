#include "mime/sort_keys.h"

#include <doctest/doctest.h>

namespace slotmail::mime {
namespace {

std::string Base(std::string_view s) { return BaseSubject(s, nullptr); }

bool Reply(std::string_view s) {
  bool r = false;
  (void)BaseSubject(s, &r);
  return r;
}

TEST_CASE("sort keys: base subject strips reply and forward leaders") {
  CHECK(Base("Hello world") == "HELLO WORLD");
  CHECK(Base("Re: Hello") == "HELLO");
  CHECK(Base("RE:Hello") == "HELLO");
  CHECK(Base("re : Hello") == "HELLO");
  CHECK(Base("Fw: Hello") == "HELLO");
  CHECK(Base("Fwd: Hello") == "HELLO");
  CHECK(Base("Re[2]: Hello") == "HELLO");
  CHECK(Base("Re: Re: Fwd:re: Hello") == "HELLO");
  CHECK(Base("Re: [tag] Fwd: Hello") == "HELLO");
  CHECK(Base("[tag] Re: [other] Fwd: Hello") == "HELLO");
  CHECK(Reply("Re: Hello"));
  CHECK_FALSE(Reply("Hello"));
  // Words that merely start like a leader stay.
  CHECK(Base("Report: numbers") == "REPORT: NUMBERS");
  CHECK(Base("Fwdx: a") == "FWDX: A");
  CHECK_FALSE(Reply("Report: numbers"));
}

TEST_CASE("sort keys: base subject blobs, trailers and the [fwd: ] wrapper") {
  CHECK(Base("[tag] Hello") == "HELLO");
  CHECK_FALSE(Reply("[tag] Hello"));
  // A blob that would leave nothing stays (5.1 step 4).
  CHECK(Base("[tag]") == "[TAG]");
  CHECK(Base("Re: [tag]") == "[TAG]");
  CHECK(Base("[a][b] Hello") == "HELLO");
  CHECK(Base("Hello (fwd)") == "HELLO");
  CHECK(Base("Hello (FWD) (fwd)  ") == "HELLO");
  CHECK(Reply("Hello (fwd)"));
  CHECK(Base("[Fwd: Re: Hello]") == "HELLO");
  CHECK(Reply("[Fwd: Hello]"));
  CHECK(Base("[fwd: [fwd: Hello (fwd)]]") == "HELLO");
  // Not a wrapper unless the bracket closes at the end: then it is a blob.
  CHECK(Base("[Fwd: Hello] there") == "THERE");
  CHECK(Base("") == "");
  CHECK(Base("Re:") == "");
}

TEST_CASE("sort keys: base subject whitespace and encoded words") {
  CHECK(Base("  many \t spaces\r\n   here  ") == "MANY SPACES HERE");
  CHECK(Base("=?UTF-8?B?UmU6IEdyw7zDn2UgYXVzIEvDtmxu?=") == "GR\xc3\xbc\xc3\x9f" "E AUS K\xc3\xb6LN");
  CHECK(Reply("=?UTF-8?B?UmU6IEdyw7zDn2UgYXVzIEvDtmxu?="));
  CHECK(Base("Re: =?ISO-8859-1?Q?caf=E9?= (fwd)") == "CAF\xc3\xa9");
  // Casemapping touches ASCII letters only.
  CHECK(Base("a_b") == "A_B");
}

TEST_CASE("sort keys: message-ids") {
  CHECK(MessageIds("<a@b> <c@d>\r\n <e@f>") == std::vector<std::string>{"<a@b>", "<c@d>", "<e@f>"});
  CHECK(MessageIds("(comment <x@y>) <a@b>") == std::vector<std::string>{"<a@b>"});
  CHECK(MessageIds("no brackets").empty());
  CHECK(MessageIds("<a@b").empty());
}

TEST_CASE("sort keys: computed from a header") {
  const std::string msg =
      "From: \"Doe, John\" <John.Doe@Example.com>\r\n"
      "To: undisclosed:;, bob@example.org\r\n"
      "Cc: =?UTF-8?Q?J=C3=BCrgen?= <jurgen@x.de>, carl@x.de\r\n"
      "Subject: Re: [list] Plans\r\n"
      "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
      "Message-ID: <m1@example.com>\r\n"
      "In-Reply-To: <m0@example.com> (sent earlier)\r\n"
      "References: <r1@x>\r\n <m0@example.com>\r\n"
      "\r\n"
      "Subject: not this\r\n";
  SortKeys k = ComputeSortKeys(msg);
  REQUIRE(k.sent_date.has_value());
  CHECK(*k.sent_date == 880127706);
  CHECK(k.subject == "PLANS");
  CHECK(k.subject_is_reply);
  CHECK(k.from == "JOHN.DOE");
  CHECK(k.to == "BOB");
  CHECK(k.cc == "JURGEN");
  CHECK(k.display_from == "DOE, JOHN");
  CHECK(k.display_to == "BOB@EXAMPLE.ORG");
  CHECK(k.message_id == "<m1@example.com>");
  CHECK(k.in_reply_to == "<m0@example.com>");
  CHECK(k.references == std::vector<std::string>{"<r1@x>", "<m0@example.com>"});
}

TEST_CASE("sort keys: missing and broken fields") {
  SortKeys k = ComputeSortKeys("Date: not a date\r\nX: y\r\n\r\nbody");
  CHECK_FALSE(k.sent_date.has_value());
  CHECK(k.subject.empty());
  CHECK(k.from.empty());
  CHECK(k.display_from.empty());
  CHECK(k.message_id.empty());
  CHECK(k.references.empty());
  // Encoded display names are decoded; a bare address is its own display value.
  k = ComputeSortKeys("From: =?UTF-8?Q?J=C3=BCrgen?= <j@x>\r\nTo: a@b\r\n\r\n");
  CHECK(k.display_from == "J\xc3\xbcRGEN");
  CHECK(k.display_to == "A@B");
  // A date in another zone is normalised to UTC.
  k = ComputeSortKeys("Date: Fri, 21 Nov 1997 16:55:06 +0100\r\n\r\n");
  CHECK(*k.sent_date == 880127706);
}

// Issue 14 point 7: SORT reads the addresses as ENVELOPE does. RFC 5256 3:
// FROM/TO/CC sort by the addr-mailbox of the first mailbox; RFC 5957 3:
// DISPLAYFROM/DISPLAYTO by its decoded display name, else its addr-spec.
// Group syntax is skipped (the first mailbox inside a group counts), a
// comment inside the addr-spec is not a name (RFC 5322 3.4.1).
TEST_CASE("sort keys: first mailbox and display name of groups, comments, bare names (RFC 5256 3, RFC 5957 3)") {
  SortKeys k = ComputeSortKeys("From: <user (c)@ (c) domain.org>\r\nTo: g: a@x, b@y;\r\n\r\n");
  CHECK(k.from == "USER");
  CHECK(k.display_from == "USER@DOMAIN.ORG");
  CHECK(k.to == "A");
  CHECK(k.display_to == "A@X");
  k = ComputeSortKeys("From: addr@x.org (Real Name)\r\nTo: empty:;, Zoe <z@q>\r\n\r\n");
  CHECK(k.from == "ADDR");
  CHECK(k.display_from == "REAL NAME");
  CHECK(k.to == "Z");
  CHECK(k.display_to == "ZOE");
  k = ComputeSortKeys("From: nodomain\r\nTo: g:;\r\nCc: (c) <c (x)@d>\r\n\r\n");
  CHECK(k.from == "NODOMAIN");
  CHECK(k.display_from == "NODOMAIN");
  CHECK(k.to.empty());
  CHECK(k.display_to.empty());
  CHECK(k.cc == "C");
}

}  // namespace
}  // namespace slotmail::mime
