#include "imapd/args.h"

#include <doctest/doctest.h>

#include <string>

#include "imapd/mailbox_view.h"

namespace slotmail::imapd {
namespace {

imap::Command Parsed(const std::string& text) {
  auto cmd = imap::ParseCommandText(text + "\r\n", imap::ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  return *cmd;
}

// "lo:hi,..." for comparing UID sets.
std::string Show(const store::UidSet& set) {
  std::string out;
  for (const auto& r : set) {
    if (!out.empty()) out += ",";
    out += std::to_string(r.lo) + (r.hi != r.lo ? ":" + std::to_string(r.hi) : "");
  }
  return out;
}

// A view of UIDs 10, 20, 30, 40 (sequence numbers 1 to 4).
MailboxView FourMessages() {
  store::MailboxInfo info;
  info.name = "INBOX";
  info.uidnext = 41;
  std::vector<store::MessageInfo> messages(4);
  for (uint32_t i = 0; i < 4; ++i) messages[i].uid = (i + 1) * 10;
  return MailboxView(info, messages, false);
}

std::string Set(const MailboxView& view, const std::string& set, bool uid) {
  auto r = UidSetArg(Parsed("t FETCH " + set + " FLAGS"), 0, uid, view);
  return r.ok() ? Show(*r) : "<" + r.status().message() + ">";
}

TEST_CASE("imapd args: mailbox names are modified UTF-7 or UTF-8 as the session says") {
  const imap::Command c = Parsed("t SELECT \"&ZeVnLIqe-\"");
  CHECK(*MailboxArg(c, 0, NameEncoding::kMutf7) == "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  CHECK(*MailboxArg(c, 0, NameEncoding::kUtf8) == "&ZeVnLIqe-");  // just a name with '&'
  const imap::Command bad = Parsed("t SELECT {2}\r\n\xc3(");
  CHECK_FALSE(MailboxArg(bad, 0, NameEncoding::kUtf8).ok());
  CHECK_FALSE(MailboxArg(bad, 0, NameEncoding::kMutf7).ok());
  CHECK(MailboxOut("\xe6\x97\xa5", NameEncoding::kMutf7) == "\"&ZeU-\"");
  CHECK(MailboxOut("\xe6\x97\xa5", NameEncoding::kUtf8) == "\"\xe6\x97\xa5\"");
  CHECK(MailboxOut("a&b", NameEncoding::kUtf8) == "\"a&b\"");
  CHECK(MailboxOut("a&b", NameEncoding::kMutf7) == "\"a&-b\"");
}

TEST_CASE("imapd args: an 8-bit name says so; a LIST pattern may be any ASCII (RFC 3501 9)") {
  const imap::Command raw = Parsed("t LIST {6}\r\nGr\xc3\xbc\xc3\x9f \"&'\"");
  auto name = MailboxArg(raw, 0, NameEncoding::kMutf7);
  REQUIRE_FALSE(name.ok());
  CHECK(name.status().message().find("UTF8=ACCEPT") != std::string::npos);
  CHECK_FALSE(PatternFrom(raw.args[0], NameEncoding::kMutf7).ok());
  CHECK_FALSE(MailboxArg(raw, 1, NameEncoding::kMutf7).ok());  // "&'" is no mUTF-7 name
  CHECK(*PatternFrom(raw.args[1], NameEncoding::kMutf7) == "&'");
  CHECK(*PatternFrom(Parsed("t LIST &ZeU-%").args[0], NameEncoding::kMutf7) == "\xe6\x97\xa5%");
}

TEST_CASE("imapd args: $ is the saved result, as UIDs, in UID and sequence sets") {
  MailboxView view = FourMessages();
  CHECK(Set(view, "$", false) == "");  // nothing saved: an empty set, no error
  CHECK(Set(view, "$", true) == "");
  view.SaveResult({{20, 20}, {40, 40}, {50, 50}});  // 50: gone or not yet seen
  CHECK(Set(view, "$", false) == "20,40,50");
  CHECK(Set(view, "$", true) == "20,40,50");
  CHECK(Set(view, "1,$", false) == "20,40,50,10");
  CHECK(Set(view, "$,30", true) == "20,40,50,30");
  CHECK(Set(view, "$,9", false) == "<Invalid message sequence number>");
  CHECK(Set(view, "2:3", false) == "20:30");
}

}  // namespace
}  // namespace slotmail::imapd
