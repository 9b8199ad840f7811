#include "imapd/mailbox_view.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace slotmail::imapd {
namespace {

store::MessageInfo Msg(uint32_t uid, uint32_t flags, uint64_t modseq) {
  store::MessageInfo m;
  m.uid = uid;
  m.flags.system = flags;
  m.modseq = modseq;
  return m;
}

// A view of UIDs 10, 20, 30, 40 at HIGHESTMODSEQ 4, no \Recent.
MailboxView FourMessages() {
  store::MailboxInfo info;
  info.name = "INBOX";
  info.highestmodseq = 4;
  info.uidnext = 41;
  return MailboxView(info, {Msg(10, 0, 1), Msg(20, 0, 2), Msg(30, 0, 3), Msg(40, 0, 4)}, false);
}

MailboxChanges Changes(uint64_t highest, std::vector<store::MessageInfo> changed,
                       std::vector<uint32_t> vanished) {
  MailboxChanges c;
  c.info.highestmodseq = highest;
  c.changed = std::move(changed);
  c.vanished = std::move(vanished);
  return c;
}

using Lines = std::vector<std::string>;

TEST_CASE("mailbox view: expunges are EXPUNGE by default, VANISHED with QRESYNC") {
  MailboxView plain = FourMessages();
  CHECK(plain.Apply(Changes(6, {}, {20, 30}), true) == Lines{"2 EXPUNGE", "2 EXPUNGE"});
  MailboxView q = FourMessages();
  q.ReportVanished();
  CHECK(q.Apply(Changes(6, {}, {20, 30}), true) == Lines{"VANISHED 20,30"});
  CHECK(q.exists() == 2);
  CHECK(q.SeqOf(40) == 2);
  CHECK(q.modseq() == 6);
}

TEST_CASE("mailbox view: VANISHED is held back like EXPUNGE") {
  MailboxView q = FourMessages();
  q.ReportVanished();
  CHECK(q.Apply(Changes(5, {}, {10}), false).empty());
  CHECK(q.exists() == 4);
  CHECK(q.HasPendingExpunge());
  CHECK(q.Apply(Changes(5, {}, {}), true) == Lines{"VANISHED 10"});
  CHECK(q.SeqOf(20) == 1);
}

TEST_CASE("mailbox view: flag FETCHes carry UID and MODSEQ once CONDSTORE is on") {
  MailboxView v = FourMessages();
  CHECK(v.Apply(Changes(5, {Msg(20, store::kFlagSeen, 5)}, {}), true) ==
        Lines{"2 FETCH (FLAGS (\\Seen))"});
  v.ReportModSeq();
  CHECK(v.reports_modseq());
  CHECK(v.Apply(Changes(6, {Msg(30, store::kFlagFlagged, 6)}, {}), true) ==
        Lines{"3 FETCH (FLAGS (\\Flagged) UID 30 MODSEQ (6))"});
  // Flags the client already knows (it set them itself) are not repeated.
  CHECK(v.NoteFlags(Msg(40, store::kFlagDraft, 7)).empty());
  CHECK(v.Apply(Changes(7, {Msg(40, store::kFlagDraft, 7)}, {}), true).empty());
  CHECK(v.FlagsFetch(Msg(40, store::kFlagDraft, 7), false, true) == "4 FETCH (UID 40 MODSEQ (7))");
  MailboxView plain = FourMessages();
  CHECK(plain.FlagsFetch(Msg(10, 0, 1), true, false) == "1 FETCH (FLAGS () UID 10)");
}

TEST_CASE("mailbox view: a new keyword is announced by FLAGS before any FETCH (RFC 3501 7.2.6)") {
  MailboxView v = FourMessages();
  const Lines announce = {
      "FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
      "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted"};
  store::MessageInfo work = Msg(20, 0, 5);
  work.flags.keywords = {"$Work"};
  Lines got = v.Apply(Changes(5, {work}, {}), true);
  CHECK(got == Lines{announce[0], announce[1], "2 FETCH (FLAGS ($Work))"});
  // Told once; the set a new view starts with is what its messages hold.
  work.uid = 30;
  CHECK(v.AnnounceKeywords(work.flags).empty());
  CHECK(v.FlagsResponses() == announce);
  // Several new keywords in one update: one announcement.
  store::MessageInfo a = Msg(10, 0, 6), b = Msg(40, 0, 6);
  a.flags.keywords = {"$A"};
  b.flags.keywords = {"$B"};
  got = v.Apply(Changes(6, {a, b}, {}), true);
  CHECK(got.size() == 4);
  CHECK(got[0].find("$A $B $Work)") != std::string::npos);
  work.flags.keywords = {"$Work", "NIL"};
  CHECK(v.NoteFlags(work).size() == 2);
  store::MailboxInfo info;
  info.name = "INBOX";
  MailboxView fresh(info, {work}, /*read_only=*/true);
  CHECK(fresh.FlagsResponses()[1] ==
        "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work NIL)] Flags "
        "permitted");
}

}  // namespace
}  // namespace slotmail::imapd
