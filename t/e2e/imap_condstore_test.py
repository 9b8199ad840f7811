"""CONDSTORE (RFC 7162 3.1) against a real slotd: HIGHESTMODSEQ in SELECT and
STATUS, the MODSEQ fetch item, FETCH (CHANGEDSINCE), STORE (UNCHANGEDSINCE)
and [MODIFIED], SEARCH MODSEQ, what enables CONDSTORE, and a second session
seeing another's flag changes with their MODSEQ."""
import imaplib
import re
import sys
import unittest

import slotlib


def msg(n):
    return b"From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)


def modseq_of(line):
    return int(re.search(rb"MODSEQ \((\d+)\)", line).group(1))


class CondStore(slotlib.MailboxPerTest):
    """Each test has its own mailbox of four messages, selected in self.c."""

    def setUp(self):
        super().setUp()
        self.c = slotlib.RawImap(self.slot)
        self.others = []
        self.c.ok("CREATE " + self.box)
        self.uids = []
        for n in range(1, 5):
            body = msg(n)
            _, tagged = self.c.run(b"APPEND %s {%d+}\r\n%s" % (self.box.encode(), len(body), body))
            self.uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1)))
        slotlib.take_recent(self.slot, self.box)

    def tearDown(self):
        self.c.close()
        for o in self.others:
            o.close()

    def other(self):
        """A second session with the mailbox selected."""
        o = slotlib.RawImap(self.slot)
        o.ok("SELECT " + self.box)
        self.others.append(o)
        return o

    def highest(self, lines):
        found = [int(m.group(1)) for l in lines
                 for m in [re.search(rb"\[HIGHESTMODSEQ (\d+)\]", l)] if m]
        self.assertEqual(len(found), 1, lines)
        return found[0]

    def fetches(self, lines):
        """{seq: line} of the FETCH responses among `lines`."""
        out = {}
        for l in lines:
            m = re.match(rb"\* (\d+) FETCH ", l)
            if m:
                out[int(m.group(1))] = l
        return out

    def test_advertised_and_imaplib_sees_highestmodseq(self):
        self.assertIn("CONDSTORE", self.c.m.capabilities)
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        try:
            m.login("alice", "secret")
            typ, _ = m.select(self.box)
            self.assertEqual(typ, "OK")
            typ, data = m.response("HIGHESTMODSEQ")
            self.assertEqual(typ, "HIGHESTMODSEQ")
            selected = int(data[0])
            typ, data = m.status(self.box, "(HIGHESTMODSEQ MESSAGES)")
            self.assertEqual(typ, "OK")
            self.assertIn(b"HIGHESTMODSEQ %d MESSAGES 4" % selected, data[0])
            typ, data = m.fetch("1", "(MODSEQ)")
            self.assertEqual(typ, "OK")
            self.assertLessEqual(modseq_of(data[0]), selected)
        finally:
            m.logout()

    def test_select_and_status_agree_and_changes_raise_it(self):
        first = self.highest(self.c.ok("SELECT " + self.box))
        lines = self.c.ok("STATUS %s (HIGHESTMODSEQ)" % self.box)
        self.assertEqual(self.highest(lines), first)  # STATUS enabled CONDSTORE
        self.assertEqual(lines[1:], [b'* STATUS "%s" (HIGHESTMODSEQ %d)'
                                     % (self.box.encode(), first)])
        self.c.ok("STORE 1 +FLAGS (\\Seen)")
        second = self.highest(self.c.ok("EXAMINE " + self.box))
        self.assertGreater(second, first)
        # A STORE that changes nothing allocates no modseq.
        self.c.ok("SELECT " + self.box)
        self.c.ok("STORE 1 +FLAGS (\\Seen)")
        self.assertEqual(self.highest(self.c.ok("SELECT " + self.box)), second)

    def test_enable_and_unsolicited_fetch_carries_modseq(self):
        self.assertEqual(self.c.ok("ENABLE CONDSTORE"), [b"* ENABLED CONDSTORE"])
        self.assertEqual(self.c.ok("ENABLE CONDSTORE"), [b"* ENABLED"])
        start = self.highest(self.c.ok("SELECT " + self.box))
        plain = slotlib.RawImap(self.slot)  # a session without CONDSTORE
        self.others.append(plain)
        plain.ok("SELECT " + self.box)
        o = self.other()
        o.ok("STORE 2 +FLAGS (\\Flagged)")
        got = self.fetches(self.c.ok("NOOP"))
        self.assertEqual(list(got), [2], got)
        self.assertIn(b"FLAGS (\\Flagged)", got[2])
        self.assertIn(b"UID %d" % self.uids[1], got[2])
        self.assertGreater(modseq_of(got[2]), start)
        self.assertEqual(self.c.ok("FETCH 2 (MODSEQ)"),
                         [b"* 2 FETCH (MODSEQ (%d))" % modseq_of(got[2])])
        # The session that never enabled CONDSTORE sees plain RFC 3501.
        self.assertEqual(plain.ok("NOOP"), [b"* 2 FETCH (FLAGS (\\Flagged))"])

    def test_fetch_modseq_enables_while_selected(self):
        start = self.highest(self.c.ok("SELECT " + self.box))
        lines = self.c.ok("FETCH 1:2 (UID MODSEQ)")
        self.assertEqual(self.highest(lines), start)  # RFC 7162 3.1: told once, now
        self.assertEqual(len(self.fetches(lines)), 2)
        for l in self.fetches(lines).values():
            self.assertLessEqual(modseq_of(l), start)
        self.assertEqual([l for l in self.c.ok("FETCH 1 (MODSEQ)") if b"HIGHESTMODSEQ" in l], [])
        # Now a STORE answers with UID and MODSEQ, even .SILENT.
        lines = self.c.ok("STORE 3 +FLAGS (\\Answered)")
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], rb"^\* 3 FETCH \(FLAGS \(\\Answered\) UID %d MODSEQ \((\d+)\)\)$"
                         % self.uids[2])
        self.assertGreater(modseq_of(lines[0]), start)
        silent = self.c.ok("STORE 3 -FLAGS.SILENT (\\Answered)")
        self.assertEqual(len(silent), 1)
        self.assertRegex(silent[0], rb"^\* 3 FETCH \(UID %d MODSEQ \(\d+\)\)$" % self.uids[2])
        self.assertGreater(modseq_of(silent[0]), modseq_of(lines[0]))
        # A FETCH that sets \Seen reports FLAGS, UID and MODSEQ.
        lines = self.fetches(self.c.ok("FETCH 4 (BODY[TEXT])"))
        self.assertIn(b"FLAGS (\\Seen)", lines[4])
        self.assertIn(b"UID %d" % self.uids[3], lines[4])
        self.assertGreater(modseq_of(lines[4]), modseq_of(silent[0]))

    def test_select_condstore_and_search_and_status_enable(self):
        lines = self.c.ok("SELECT %s (CONDSTORE)" % self.box)
        self.highest(lines)
        self.assertTrue(self.c.ok("STORE 1 +FLAGS (\\Seen)")[0].endswith(b")"))
        self.assertIn(b"MODSEQ", self.c.ok("STORE 1 -FLAGS (\\Seen)")[0])
        for enabling in ("UID SEARCH MODSEQ 1", "STATUS INBOX (HIGHESTMODSEQ)"):
            c = slotlib.RawImap(self.slot)
            self.others.append(c)
            c.ok("SELECT " + self.box)
            lines = c.ok(enabling)
            self.highest(lines)
            self.assertIn(b"MODSEQ", c.ok("STORE 2 +FLAGS (\\Draft)")[0])
            c.ok("STORE 2 -FLAGS (\\Draft)")
        # Bad SELECT parameters.
        for bad in ("SELECT %s (FOO)" % self.box, "SELECT %s (CONDSTORE" % self.box,
                    "SELECT %s (QRESYNC (1 1))" % self.box):
            _, tagged = self.c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))

    def test_fetch_changedsince(self):
        self.c.ok("ENABLE CONDSTORE")
        base = self.highest(self.c.ok("SELECT " + self.box))
        self.c.ok("STORE 2,4 +FLAGS (\\Flagged)")
        got = self.fetches(self.c.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % base))
        self.assertEqual(sorted(got), [2, 4])
        for l in got.values():
            self.assertIn(b"FLAGS (\\Flagged)", l)
            self.assertGreater(modseq_of(l), base)
        mid = modseq_of(got[4])
        self.assertEqual(self.fetches(self.c.ok("FETCH 1:* (UID) (CHANGEDSINCE %d)" % mid)), {})
        got = self.fetches(self.c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)"))
        self.assertEqual(sorted(got), [1, 2, 3, 4])
        self.assertIn(b"UID %d" % self.uids[0], got[1])
        for bad in ("FETCH 1 (FLAGS) (CHANGEDSINCE)", "FETCH 1 (FLAGS) (CHANGEDSINCE x)",
                    "FETCH 1 (FLAGS) (FROB 1)", "UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)",
                    "FETCH 1 (FLAGS) (CHANGEDSINCE 1) x"):
            _, tagged = self.c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))

    def test_unchangedsince_conflicts(self):
        self.c.ok("SELECT " + self.box)
        lines = self.fetches(self.c.ok("FETCH 1:4 (MODSEQ)"))
        seen = max(modseq_of(l) for l in lines.values())
        o = self.other()
        o.ok("STORE 2 +FLAGS ($Other)")  # changes message 2 after `seen`
        lines, tagged = self.c.run("STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % seen)
        self.assertTrue(tagged.startswith(b"OK [MODIFIED 2]"), tagged)
        got = self.fetches(lines)
        self.assertIn(b"\\Flagged", got[1])
        self.assertIn(b"\\Flagged", got[3])
        self.assertNotIn(b"\\Flagged", got.get(2, b""))
        flags = self.fetches(self.c.ok("FETCH 2 (FLAGS)"))
        self.assertEqual(flags[2], b"* 2 FETCH (FLAGS ($Other))")
        # The UID form names UIDs; UNCHANGEDSINCE 0 fails for every message.
        _, tagged = self.c.run("UID STORE %d:%d (UNCHANGEDSINCE 0) +FLAGS (\\Seen)"
                               % (self.uids[0], self.uids[3]))
        self.assertEqual(tagged, b"OK [MODIFIED %d:%d] Conditional STORE failed"
                         % (self.uids[0], self.uids[3]))
        self.assertEqual(self.c.ok("SEARCH SEEN"), [b"* SEARCH"])
        # With the current modseq it succeeds.
        now = modseq_of(self.fetches(self.c.ok("FETCH 2 (MODSEQ)"))[2])
        lines, tagged = self.c.run("STORE 2 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % now)
        self.assertEqual(tagged, b"OK STORE completed")
        self.assertGreater(modseq_of(lines[0]), now)
        # The other session learns of it with the MODSEQ, having enabled nothing
        # but a STORE (UNCHANGEDSINCE): that enables CONDSTORE too.
        got = self.fetches(o.ok("STORE 1 (UNCHANGEDSINCE %d) +FLAGS ($X)" % (1 << 62)) +
                           o.ok("NOOP"))
        self.assertEqual(modseq_of(got[2]), modseq_of(lines[0]))
        for bad in ("STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)",
                    "STORE 1 (UNCHANGEDSINCE -1) +FLAGS (\\Seen)",
                    "STORE 1 (FROB 1) +FLAGS (\\Seen)"):
            _, tagged = self.c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))

    def test_search_modseq(self):
        self.c.ok("ENABLE CONDSTORE")
        base = self.highest(self.c.ok("SELECT " + self.box))
        lines = self.c.ok("STORE 2:3 +FLAGS (\\Draft)")
        top = max(modseq_of(l) for l in lines)
        self.assertEqual(self.c.ok("SEARCH MODSEQ %d" % (base + 1)),
                         [b"* SEARCH 2 3 (MODSEQ %d)" % top])
        self.assertEqual(self.c.ok('SEARCH MODSEQ "/flags/\\\\draft" all %d' % (base + 1)),
                         [b"* SEARCH 2 3 (MODSEQ %d)" % top])
        self.assertEqual(self.c.ok("SEARCH MODSEQ %d" % (top + 1)), [b"* SEARCH"])
        lines = self.c.ok("UID SEARCH RETURN (ALL) MODSEQ %d" % (base + 1))
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") UID ALL %d:%d MODSEQ %d'
                                 % (self.c.last_tag, self.uids[1], self.uids[2], top)])
        # Without MODSEQ in the criteria, no MODSEQ in the answer.
        self.assertEqual(self.c.ok("SEARCH DRAFT"), [b"* SEARCH 2 3"])

    def test_rfc7162_3_1_5_esearch_min_max_report_the_modseq_of_what_they_return(self):
        # RFC 7162 3.1.5: with MIN and/or MAX but neither ALL nor COUNT,
        # MODSEQ is the highest mod-sequence of the messages returned, not
        # of all that matched. Changed in the order 2, 4, 3: message 3 is
        # the newest change, and neither MIN (2) nor MAX (4).
        self.c.ok("ENABLE CONDSTORE")
        base = self.highest(self.c.ok("SELECT " + self.box))
        mod = {}
        for n in (2, 4, 3):
            mod[n] = modseq_of(self.c.ok("STORE %d +FLAGS (\\Draft)" % n)[0])
        self.assertLess(mod[2], mod[4])
        self.assertLess(mod[4], mod[3])
        expect = {"MIN": b"MIN 2 MODSEQ %d" % mod[2],
                  "MAX": b"MAX 4 MODSEQ %d" % mod[4],
                  "MIN MAX": b"MIN 2 MAX 4 MODSEQ %d" % mod[4],
                  "MIN COUNT": b"MIN 2 COUNT 3 MODSEQ %d" % mod[3],
                  "MAX ALL": b"MAX 4 ALL 2:4 MODSEQ %d" % mod[3]}
        for ret, tail in expect.items():
            lines = self.c.ok("SEARCH RETURN (%s) MODSEQ %d" % (ret, base + 1))
            self.assertEqual(lines, [b'* ESEARCH (TAG "%s") %s' % (self.c.last_tag, tail)], ret)
        # The same for UID SEARCH, and with SAVE (which keeps MIN and MAX).
        lines = self.c.ok("UID SEARCH RETURN (SAVE MIN) MODSEQ %d" % (base + 1))
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") UID MIN %d MODSEQ %d'
                                 % (self.c.last_tag, self.uids[1], mod[2])])

    def test_expunge_reports_highestmodseq(self):
        self.c.ok("ENABLE CONDSTORE")
        base = self.highest(self.c.ok("SELECT " + self.box))
        self.c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        lines, tagged = self.c.run("EXPUNGE")
        self.assertEqual(lines, [b"* 1 EXPUNGE"])
        m = re.match(rb"OK \[HIGHESTMODSEQ (\d+)\]", tagged)
        self.assertTrue(m, tagged)
        self.assertGreater(int(m.group(1)), base + 1)
        self.assertEqual(self.c.ok("STATUS %s (HIGHESTMODSEQ)" % self.box),
                         [b'* STATUS "%s" (HIGHESTMODSEQ %s)' % (self.box.encode(), m.group(1))])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
