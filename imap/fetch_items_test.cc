#include "imap/fetch_items.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace slotmail::imap {
namespace {

using Kind = FetchItem::Kind;
using Text = FetchSection::Text;

// The items of "t FETCH 1 <items>" as response names, or "<error>".
std::string Names(const std::string& items) {
  Result<Command> cmd = ParseCommandText("t FETCH 1 " + items + "\r\n",
                                         ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  REQUIRE(cmd->args.size() == 2);
  Result<std::vector<FetchItem>> r = ParseFetchItems(cmd->args[1]);
  if (!r.ok()) return "<error>";
  std::string out;
  for (const FetchItem& item : r.value()) {
    if (!out.empty()) out += ' ';
    out += item.ResponseName();
  }
  return out;
}

FetchItem Item(std::string_view text) {
  Result<FetchItem> r = ParseFetchItem(text);
  REQUIRE(r.ok());
  return r.value();
}

TEST_CASE("imap fetch items: macros expand, only outside lists") {
  CHECK(Names("ALL") == "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE");
  CHECK(Names("fast") == "FLAGS INTERNALDATE RFC822.SIZE");
  CHECK(Names("Full") == "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY");
  CHECK(Names("(ALL)") == "<error>");
  CHECK(Names("(FLAGS FAST)") == "<error>");
}

TEST_CASE("imap fetch items: every simple item, any case") {
  CHECK(Names("(flags internaldate rfc822.size envelope body bodystructure uid modseq "
              "rfc822 rfc822.header rfc822.text)") ==
        "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID MODSEQ RFC822 "
        "RFC822.HEADER RFC822.TEXT");
  CHECK(Names("UID") == "UID");
  CHECK(Item("bodystructure").kind == Kind::kBodyStructure);
  CHECK(Item("BODY").kind == Kind::kBody);
  CHECK(Names("(emailid ThreadId)") == "EMAILID THREADID");  // RFC 8474
  CHECK(Item("EMAILID").kind == Kind::kEmailId);
  CHECK(Item("threadid").kind == Kind::kThreadId);
}

TEST_CASE("imap fetch items: BODY sections") {
  FetchItem i = Item("BODY.PEEK[HEADER.FIELDS (From To)]<0.100>");
  CHECK(i.kind == Kind::kBodySection);
  CHECK(i.peek);
  CHECK(i.section.part.empty());
  CHECK(i.section.text == Text::kHeaderFields);
  CHECK(i.section.fields == std::vector<std::string>{"FROM", "TO"});
  REQUIRE(i.partial.has_value());
  CHECK(i.partial->offset == 0);
  CHECK(i.partial->length == 100);
  CHECK(i.ResponseName() == "BODY[HEADER.FIELDS (FROM TO)]<0>");

  FetchItem m = Item("body[1.2.3.mime]");
  CHECK(m.section.part == std::vector<uint32_t>{1, 2, 3});
  CHECK(m.section.text == Text::kMime);
  CHECK_FALSE(m.peek);
  CHECK(m.ResponseName() == "BODY[1.2.3.MIME]");

  CHECK(Item("BODY[]").ResponseName() == "BODY[]");
  CHECK(Item("BODY.PEEK[]<10.5>").ResponseName() == "BODY[]<10>");
  CHECK(Item("BODY[TEXT]").ResponseName() == "BODY[TEXT]");
  CHECK(Item("BODY[HEADER]").ResponseName() == "BODY[HEADER]");
  CHECK(Item("BODY[1]").ResponseName() == "BODY[1]");
  CHECK(Item("BODY[4.2.TEXT]").ResponseName() == "BODY[4.2.TEXT]");
  CHECK(Item("BODY[2.HEADER]").ResponseName() == "BODY[2.HEADER]");
  CHECK(Item("BODY[3.HEADER.FIELDS.NOT (X-Spam Received)]").ResponseName() ==
        "BODY[3.HEADER.FIELDS.NOT (X-SPAM RECEIVED)]");
  CHECK(Item("BODY[HEADER.FIELDS (\"Subject\" \"X Odd\\\"\")]").ResponseName() ==
        "BODY[HEADER.FIELDS (SUBJECT \"X ODD\\\"\")]");
  CHECK(Item("BODY[]<4294967295.4294967295>").partial->offset == 4294967295u);
}

TEST_CASE("imap fetch items: BINARY (RFC 3516)") {
  FetchItem b = Item("BINARY.PEEK[1.2]<0.5>");
  CHECK(b.kind == Kind::kBinary);
  CHECK(b.peek);
  CHECK(b.section.part == std::vector<uint32_t>{1, 2});
  CHECK(b.ResponseName() == "BINARY[1.2]<0>");
  CHECK(Item("binary[]").ResponseName() == "BINARY[]");
  FetchItem s = Item("BINARY.SIZE[3]");
  CHECK(s.kind == Kind::kBinarySize);
  CHECK(s.ResponseName() == "BINARY.SIZE[3]");
}

TEST_CASE("imap fetch items: which items set \\Seen") {
  CHECK(Item("RFC822").SetsSeen());
  CHECK(Item("RFC822.TEXT").SetsSeen());
  CHECK_FALSE(Item("RFC822.HEADER").SetsSeen());
  CHECK_FALSE(Item("RFC822.SIZE").SetsSeen());
  CHECK(Item("BODY[]").SetsSeen());
  CHECK_FALSE(Item("BODY.PEEK[]").SetsSeen());
  CHECK(Item("BINARY[1]").SetsSeen());
  CHECK_FALSE(Item("BINARY.PEEK[1]").SetsSeen());
  CHECK_FALSE(Item("BINARY.SIZE[1]").SetsSeen());
  CHECK_FALSE(Item("BODY").SetsSeen());
  CHECK_FALSE(Item("FLAGS").SetsSeen());
}

TEST_CASE("imap fetch items: bad items are refused with a reason") {
  for (const char* bad : {
           "FOO", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE", "BODYX[]", "RFC822.PEEK",
           "BODY[", "BODY[]]", "BODY[MIME]", "BODY[0]", "BODY[01]", "BODY[1.]", "BODY[.1]",
           "BODY[1..2]", "BODY[1.FOO]", "BODY[FOO]", "BODY[TEXT ]", "BODY[HEADER (A)]",
           "BODY[HEADER.FIELDS]", "BODY[HEADER.FIELDS ()]", "BODY[HEADER.FIELDS (A]",
           "BODY[HEADER.FIELDS (A) ]", "BODY[HEADER.FIELDS  (A)]", "BODY[HEADER.FIELDS (A  B)]",
           "BODY[HEADER.FIELDS (\"\")]", "BODY[HEADER.FIELDS (\"A)]", "BODY[HEADER.FIELDS (A%)]",
           "BODY[]<0>", "BODY[]<0.0>", "BODY[]<a.1>", "BODY[]<1.2", "BODY[]<.1>", "BODY[]<1.>",
           "BODY[]<4294967296.1>", "BODY[]x", "BODY[]<0.1>x", "BODY[4294967296]",
           "BINARY[TEXT]", "BINARY[1.MIME]", "BINARY.SIZE[1]<0.1>", "BODY[TEXT]<-1.1>",
       }) {
    CAPTURE(bad);
    Result<FetchItem> r = ParseFetchItem(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  CHECK(Names("()") == "<error>");
  CHECK(Names("\"FLAGS\"") == "<error>");
  CHECK(Names("(FLAGS \"UID\")") == "<error>");
  CHECK(Names("(FLAGS (UID))") == "<error>");
  CHECK(Names("NIL") == "<error>");
}

TEST_CASE("imap fetch items: a typical client request end to end") {
  CHECK(Names("(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date "
              "Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type "
              "Reply-To)])") ==
        "UID RFC822.SIZE FLAGS BODY[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID PRIORITY "
        "X-PRIORITY REFERENCES NEWSGROUPS IN-REPLY-TO CONTENT-TYPE REPLY-TO)]");
  CHECK(Names("(BODY.PEEK[1]<0.2048> BODY.PEEK[1.MIME])") == "BODY[1]<0> BODY[1.MIME]");
}

}  // namespace
}  // namespace slotmail::imap
