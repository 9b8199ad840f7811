// RFC 3501 2.3.2 \Recent: each message recent in exactly one session.
#include "imapd/recent_claims.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "imapd/mailbox_view.h"

namespace slotmail::imapd {
namespace {

using Lines = std::vector<std::string>;

store::MailboxInfo Box(const std::string& id, uint32_t uidvalidity = 7) {
  store::MailboxInfo info;
  info.name = "INBOX";
  info.id = id;
  info.uidvalidity = uidvalidity;
  return info;
}

std::vector<store::MessageInfo> Uids(std::vector<uint32_t> uids) {
  std::vector<store::MessageInfo> out;
  for (uint32_t uid : uids) {
    store::MessageInfo m;
    m.uid = uid;
    m.modseq = uid;
    out.push_back(m);
  }
  return out;
}

MailboxChanges Arrived(std::vector<uint32_t> uids) {
  MailboxChanges c;
  c.changed = Uids(uids);
  c.info.highestmodseq = uids.back();
  return c;
}

TEST_CASE("recent claims: each UID goes to the first claimant only (RFC 3501 2.3.2)") {
  RecentClaims claims(10);
  const store::MailboxInfo box = Box("a1");
  CHECK(claims.Claimed("alice", box) == 0);  // unknown: everything is recent
  CHECK(claims.Claim("alice", box, 5) == 0);
  CHECK(claims.Claim("alice", box, 5) == 5);  // nothing new for a second session
  CHECK(claims.Claim("alice", box, 3) == 5);  // never goes back
  CHECK(claims.Claimed("alice", box) == 5);
  // Another user, mailbox, or UIDVALIDITY starts afresh.
  CHECK(claims.Claimed("bob", box) == 0);
  CHECK(claims.Claimed("alice", Box("b2")) == 0);
  CHECK(claims.Claimed("alice", Box("a1", 8)) == 0);
  // A renamed mailbox keeps its id, and so its claims.
  store::MailboxInfo renamed = box;
  renamed.name = "Archive";
  CHECK(claims.Claimed("alice", renamed) == 5);
}

TEST_CASE("recent claims: the table is bounded; a forgotten mailbox is recent again") {
  RecentClaims claims(3);
  CHECK(claims.Claim("alice", Box("m0"), 9) == 0);
  for (int i = 1; i <= 3; ++i) (void)claims.Claim("alice", Box("m" + std::to_string(i)), 1);
  CHECK(claims.size() == 3);
  CHECK(claims.Claimed("alice", Box("m0")) == 0);
}

TEST_CASE("mailbox view: SELECT claims \\Recent; a second SELECT and EXAMINE see the rest") {
  RecentClaims claims(10);
  const store::MailboxInfo box = Box("x");
  // Nobody has selected the mailbox since messages 1-3 arrived.
  MailboxView examine(box, Uids({1, 2, 3}), true, ClaimFor(&claims, "alice", box, true));
  CHECK(examine.recent_count() == 3);  // RFC 3501 6.3.2: looking claims nothing
  MailboxView first(box, Uids({1, 2, 3}), false, ClaimFor(&claims, "alice", box, false));
  CHECK(first.recent_count() == 3);
  CHECK(first.IsRecent(1));
  CHECK(first.FlagsFetch(Uids({2})[0], false, false) == "2 FETCH (FLAGS (\\Recent))");
  MailboxView second(box, Uids({1, 2, 3}), false, ClaimFor(&claims, "alice", box, false));
  CHECK(second.recent_count() == 0);
  CHECK_FALSE(second.IsRecent(3));
  MailboxView rev2(box, Uids({1, 2, 3}), false, nullptr);
  CHECK(rev2.recent_count() == 0);
}

TEST_CASE("mailbox view: new mail is \\Recent in the one session told first, RECENT after "
          "EXISTS (RFC 3501 7.3.2)") {
  RecentClaims claims(10);
  const store::MailboxInfo box = Box("x");
  MailboxView a(box, Uids({1}), false, ClaimFor(&claims, "alice", box, false));
  MailboxView b(box, Uids({1}), false, ClaimFor(&claims, "alice", box, false));
  MailboxView rev2(box, Uids({1}), false, ClaimFor(&claims, "alice", box, false));
  rev2.HideRecent();  // ENABLE IMAP4rev2 after SELECT
  CHECK(a.recent_count() == 1);
  CHECK(b.recent_count() == 0);
  CHECK(rev2.Apply(Arrived({2}), true) == Lines{"2 EXISTS"});  // claims nothing
  CHECK(b.Apply(Arrived({2}), true) == Lines{"2 EXISTS", "1 RECENT"});
  CHECK(a.Apply(Arrived({2}), true) == Lines{"2 EXISTS"});
  CHECK(b.IsRecent(2));
  CHECK_FALSE(a.IsRecent(2));
  // The next arrivals go to a, which hears first; b's \Recent stays.
  CHECK(a.Apply(Arrived({3, 4}), true) == Lines{"4 EXISTS", "3 RECENT"});
  CHECK(b.Apply(Arrived({3, 4}), true) == Lines{"4 EXISTS"});
  CHECK(b.recent_count() == 1);
  CHECK(a.recent_count() == 3);  // 1, 3 and 4
  CHECK_FALSE(a.IsRecent(2));
  // An expunged recent message leaves the count.
  MailboxChanges gone;
  gone.vanished = {3};
  gone.info.highestmodseq = 5;
  CHECK(a.Apply(gone, true) == Lines{"3 EXPUNGE"});
  CHECK(a.recent_count() == 2);
}

}  // namespace
}  // namespace slotmail::imapd
