"""\\Recent (RFC 3501 2.3.2) through Python's imaplib against a real slotd
(issue 14 point 1): a message is recent in the first session told of it and
in no other; SELECT and EXAMINE answer "* N RECENT" (EXAMINE claims
nothing, RFC 3501 6.3.2), STATUS counts what no session has claimed yet,
SEARCH RECENT/NEW/OLD and FETCH FLAGS follow the session's own \\Recent,
new mail brings "* N RECENT" after "* N EXISTS" (RFC 3501 7.3.2), and an
IMAP4rev2 session (RFC 9051) neither sees nor claims any of it.

Before the fix every SELECT said "* 0 RECENT", STATUS RECENT was always 0,
and a message arriving while two sessions had the mailbox selected was
recent in both."""
import imaplib
import re
import unittest

import slotlib

MSG = b"From: a@example.com\r\nSubject: r\r\n\r\nbody\r\n"


class Recent(slotlib.MailboxPerTest):
    def deliver(self, n=1):
        """Appends n messages to self.box from a session that never selects it."""
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login("alice", "secret")
        for _ in range(n):
            self.assertEqual(m.append(self.box, None, None, MSG)[0], "OK")
        m.logout()

    def recent_line(self, lines):
        """The N of the one "* N RECENT" in lines, None if there is none."""
        found = [int(re.match(rb"\* (\d+) RECENT", l).group(1)) for l in lines
                 if re.match(rb"\* \d+ RECENT$", l)]
        self.assertLessEqual(len(found), 1, lines)
        return found[0] if found else None

    def status_recent(self, c):
        lines = c.ok("STATUS %s (RECENT)" % self.box)
        return int(re.search(rb"RECENT (\d+)", lines[0]).group(1))

    def test_rfc3501_2_3_2_select_claims_recent_examine_only_looks(self):
        self.session().ok("CREATE " + self.box)
        self.deliver(2)
        observer = self.session()
        self.assertEqual(self.status_recent(observer), 2)
        # EXAMINE shows them recent without taking that away (RFC 3501 6.3.2).
        examine = self.session()
        self.assertEqual(self.recent_line(examine.ok("EXAMINE " + self.box)), 2)
        self.assertEqual(examine.ok("FETCH 1 FLAGS"), [b"* 1 FETCH (FLAGS (\\Recent))"])
        self.assertEqual(self.status_recent(observer), 2)
        # The first SELECT gets them; the second and later ones do not.
        first, second = self.session(), self.session()
        self.assertEqual(self.recent_line(first.ok("SELECT " + self.box)), 2)
        self.assertEqual(self.recent_line(second.ok("SELECT " + self.box)), 0)
        self.assertEqual(self.status_recent(observer), 0)
        self.assertEqual(first.ok("FETCH 1:2 FLAGS"), [b"* 1 FETCH (FLAGS (\\Recent))",
                                                        b"* 2 FETCH (FLAGS (\\Recent))"])
        self.assertEqual(second.ok("FETCH 1:2 FLAGS"), [b"* 1 FETCH (FLAGS ())",
                                                         b"* 2 FETCH (FLAGS ())"])
        # SEARCH RECENT, NEW (recent and unseen) and OLD (not recent).
        self.assertEqual(second.ok("SEARCH RECENT"), [b"* SEARCH"])
        self.assertEqual(second.ok("SEARCH OLD"), [b"* SEARCH 1 2"])
        first.ok("STORE 1 +FLAGS.SILENT (\\Seen)")
        self.assertEqual(first.ok("SEARCH RECENT"), [b"* SEARCH 1 2"])
        self.assertEqual(first.ok("SEARCH NEW"), [b"* SEARCH 2"])
        self.assertEqual(first.ok("SEARCH OLD"), [b"* SEARCH"])
        # \Recent is the server's to set: STORE cannot, and keeps it shown.
        first.bad("STORE 2 +FLAGS (\\Recent)")
        first.bad("STORE 2 FLAGS (\\Recent)")
        self.assertEqual(first.ok("STORE 2 +FLAGS (\\Flagged)"),
                         [b"* 2 FETCH (FLAGS (\\Flagged \\Recent))"])
        # A new EXAMINE sees nothing recent any more.
        self.assertEqual(self.recent_line(self.session().ok("EXAMINE " + self.box)), 0)

    def test_rfc3501_2_3_2_new_mail_is_recent_in_exactly_one_session(self):
        self.session().ok("CREATE " + self.box)
        a, b = self.session(), self.session()
        self.assertEqual(self.recent_line(a.ok("SELECT " + self.box)), 0)
        self.assertEqual(self.recent_line(b.ok("SELECT " + self.box)), 0)
        self.deliver()
        # a hears of it first and claims it; RECENT follows EXISTS (7.3.2).
        self.assertEqual(a.ok("NOOP"), [b"* 1 EXISTS", b"* 1 RECENT"])
        self.assertEqual(b.ok("NOOP"), [b"* 1 EXISTS"])
        self.assertEqual(a.ok("SEARCH RECENT"), [b"* SEARCH 1"])
        self.assertEqual(b.ok("SEARCH RECENT"), [b"* SEARCH"])
        # The next one goes to whoever hears first: now b.
        self.deliver()
        self.assertEqual(b.ok("NOOP"), [b"* 2 EXISTS", b"* 1 RECENT"])
        self.assertEqual(a.ok("NOOP"), [b"* 2 EXISTS"])
        self.assertEqual(a.ok("FETCH 1:2 FLAGS"), [b"* 1 FETCH (FLAGS (\\Recent))",
                                                    b"* 2 FETCH (FLAGS ())"])
        self.assertEqual(b.ok("FETCH 1:2 FLAGS"), [b"* 1 FETCH (FLAGS ())",
                                                    b"* 2 FETCH (FLAGS (\\Recent))"])
        self.assertEqual(self.status_recent(self.session()), 0)

    def test_rfc3501_7_3_2_idle_sends_recent_after_exists(self):
        self.session().ok("CREATE " + self.box)
        c = self.session()
        c.ok("SELECT " + self.box)
        tag = c.m._new_tag()
        c.m.send(tag + b" IDLE\r\n")
        self.assertTrue(c.response().startswith(b"+"))
        self.deliver()
        self.assertEqual(c.response(), b"* 1 EXISTS")
        self.assertEqual(c.response(), b"* 1 RECENT")
        c.m.send(b"DONE\r\n")
        self.assertTrue(c.response().startswith(tag + b" OK"))
        self.assertEqual(c.ok("SEARCH RECENT"), [b"* SEARCH 1"])

    def test_rfc9051_imap4rev2_sessions_neither_see_nor_claim_recent(self):
        self.session().ok("CREATE " + self.box)
        self.deliver()
        rev2 = self.session("IMAP4rev2")
        lines = rev2.ok("SELECT " + self.box)
        self.assertIsNone(self.recent_line(lines))
        self.deliver()
        self.assertEqual(rev2.ok("NOOP"), [b"* 2 EXISTS"])
        self.assertEqual(rev2.ok("FETCH 1:2 FLAGS"), [b"* 1 FETCH (FLAGS ())",
                                                       b"* 2 FETCH (FLAGS ())"])
        rev2.bad("STATUS %s (RECENT)" % self.box)
        # It claimed nothing: an IMAP4rev1 session still gets both.
        rev1 = self.session()
        self.assertEqual(self.recent_line(rev1.ok("SELECT " + self.box)), 2)
        lines = rev1.ok('LIST "" %s RETURN (STATUS (RECENT MESSAGES))' % self.box)
        self.assertIn(b"RECENT 0", lines[-1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
