#include "imap/envelope.h"

#include <doctest/doctest.h>

#include <string>

#include "mime/encoded_word.h"
#include "mime/message_parser.h"

namespace slotmail::imap {
namespace {

std::string Env(const std::string& msg) { return MessageEnvelope(mime::ParseMessage(msg)); }

TEST_CASE("imap envelope: RFC 3501's example message") {
  std::string msg =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
      "To: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nbody\r\n";
  CHECK(Env(msg) ==
        "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((NIL NIL \"imap\" \"cac.washington.edu\")) "
        "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
        "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
        "\"<B27397-0100000@cac.washington.edu>\")");
}

TEST_CASE("imap envelope: a message without a header is all NIL") {
  CHECK(Env("") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  CHECK(FormatEnvelope(mime::Envelope{}) == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  CHECK(MessageEnvelope(mime::Message{}) == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: Sender and Reply-To default to From when absent or empty") {
  std::string e = Env("From: a@b\r\nSender:\r\nReply-To: (nobody)\r\n\r\n");
  CHECK(e == "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) "
             "NIL NIL NIL NIL NIL)");
  e = Env("From: a@b\r\nSender: s@b\r\nReply-To: r@b\r\n\r\n");
  CHECK(e == "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"s\" \"b\")) ((NIL NIL \"r\" \"b\")) "
             "NIL NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: present but empty fields are empty strings, absent ones NIL") {
  CHECK(Env("Subject:\r\nDate: \r\n\r\n") == "(\"\" \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: the first occurrence of a field counts") {
  CHECK(Env("Subject: one\r\nSubject: two\r\nTo: a@b\r\nTo: c@d\r\n\r\n") ==
        "(NIL \"one\" NIL NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: encoded words are carried raw and decode separately") {
  std::string msg = "Subject: =?UTF-8?B?w4lsw6lnYW50?= =?UTF-8?B?IHN1amV0?= and\r\n"
                    " =?ISO-8859-1?Q?caf=E9?=\r\n\r\n";
  mime::Message m = mime::ParseMessage(msg);
  CHECK(MessageEnvelope(m) ==
        "(NIL \"=?UTF-8?B?w4lsw6lnYW50?= =?UTF-8?B?IHN1amV0?= and =?ISO-8859-1?Q?caf=E9?=\" "
        "NIL NIL NIL NIL NIL NIL NIL NIL)");
  CHECK(mime::DecodeEncodedWords(*m.root.envelope->subject) ==
        "\xc3\x89l\xc3\xa9gant sujet and caf\xc3\xa9");
}

TEST_CASE("imap envelope: 8-bit and CR-free values use literals only when needed") {
  CHECK(Env("Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\n") ==
        "(NIL {7}\r\nGr\xc3\xbc\xc3\x9f" "e NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: groups, routes and missing parts of addresses") {
  mime::Envelope e;
  mime::Address start, member, end;
  start.kind = mime::Address::Kind::kGroupStart;
  start.name = "team";
  member.name = "M";
  member.route = "@r1,@r2";
  member.mailbox = "m";
  member.host = "x.test";
  end.kind = mime::Address::Kind::kGroupEnd;
  e.to = {start, member, end};
  CHECK(FormatEnvelope(e) ==
        "(NIL NIL NIL NIL NIL ((NIL NIL \"team\" NIL)(\"M\" \"@r1,@r2\" \"m\" \"x.test\")"
        "(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
  CHECK(Env("To: nobody\r\n\r\n") ==
        "(NIL NIL NIL NIL NIL ((NIL NIL \"nobody\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL)");
}

TEST_CASE("imap envelope: In-Reply-To and Message-ID are unfolded raw values") {
  CHECK(Env("In-Reply-To:\r\n <a@b>\r\n <c@d>\r\nMessage-ID:   <m@x>  \r\n\r\n") ==
        "(NIL NIL NIL NIL NIL NIL NIL NIL \"<a@b> <c@d>\" \"<m@x>\")");
}

}  // namespace
}  // namespace slotmail::imap
