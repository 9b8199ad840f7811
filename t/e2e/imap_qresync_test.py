"""QRESYNC (RFC 7162 3.2) against a real slotd: ENABLE QRESYNC, VANISHED
instead of EXPUNGE (EXPUNGE, UID EXPUNGE, MOVE, another session's expunge),
[CLOSED], UID FETCH (CHANGEDSINCE n VANISHED), and a client reconnecting with
SELECT (QRESYNC ...) after expunges, flag changes and a new message."""
import imaplib
import re
import sys
import unittest

import slotlib


def msg(n):
    return b"From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)


def modseq_of(line):
    return int(re.search(rb"MODSEQ \((\d+)\)", line).group(1))


def code_value(lines, code):
    found = [m.group(1) for l in lines for m in [re.search(rb"\[%s (\d+)\]" % code, l)] if m]
    assert len(found) == 1, (code, lines)
    return int(found[0])


class Qresync(slotlib.MailboxPerTest):
    """Each test has its own mailbox of six messages."""

    def setUp(self):
        super().setUp()
        self.sessions = []
        self.c = self.session()
        self.c.ok("CREATE " + self.box)
        self.uids = [self.append(n) for n in range(1, 7)]
        slotlib.take_recent(self.slot, self.box)

    def tearDown(self):
        for s in self.sessions:
            s.close()

    def session(self, qresync=False, select=False):
        s = slotlib.RawImap(self.slot)
        self.sessions.append(s)
        if qresync:
            self.assertEqual(s.ok("ENABLE QRESYNC"), [b"* ENABLED QRESYNC"])
        if select:
            s.ok("SELECT " + self.box)
        return s

    def append(self, n):
        body = msg(n)
        _, tagged = self.c.run(b"APPEND %s {%d+}\r\n%s" % (self.box.encode(), len(body), body))
        return int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))

    def expunge(self, s, seqs):
        s.ok("STORE %s +FLAGS.SILENT (\\Deleted)" % seqs)
        return s.run("EXPUNGE")

    def test_advertised_and_enable(self):
        self.assertIn("QRESYNC", self.c.m.capabilities)
        self.assertIn("CONDSTORE", self.c.m.capabilities)
        self.assertEqual(self.c.ok("ENABLE QRESYNC CONDSTORE"), [b"* ENABLED QRESYNC"])
        self.assertEqual(self.c.ok("ENABLE CONDSTORE QRESYNC"), [b"* ENABLED"])
        # imaplib can enable it too, and then SELECT answers HIGHESTMODSEQ.
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        try:
            m.login("alice", "secret")
            self.assertEqual(m.enable("QRESYNC")[0], "OK")
            self.assertEqual(m.response("ENABLED"), ("ENABLED", [b"QRESYNC"]))
            m.select(self.box)
            self.assertEqual(m.response("HIGHESTMODSEQ")[0], "HIGHESTMODSEQ")
        finally:
            m.logout()

    def test_own_expunge_and_uid_expunge_are_vanished(self):
        c = self.session(qresync=True, select=True)
        u = self.uids
        lines, tagged = self.expunge(c, "2,4:5")
        self.assertEqual(lines, [b"* VANISHED %d,%d:%d" % (u[1], u[3], u[4])])
        self.assertTrue(tagged.startswith(b"OK [HIGHESTMODSEQ "), tagged)
        # Sequence numbers moved: message 2 is now UID u[2].
        self.assertEqual(c.ok("FETCH 2 (UID)"), [b"* 2 FETCH (UID %d)" % u[2]])
        c.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % u[5])
        self.assertEqual(c.ok("UID EXPUNGE %d" % u[5])[-1:], [b"* VANISHED %d" % u[5]])
        # Without QRESYNC the same is told as EXPUNGE.
        plain = self.session(select=True)
        lines, _ = self.expunge(plain, "1")
        self.assertEqual(lines, [b"* 1 EXPUNGE"])

    def test_other_sessions_expunge_and_move_are_vanished(self):
        watcher = self.session(qresync=True, select=True)
        actor = self.session(select=True)
        u = self.uids
        self.expunge(actor, "1,3")
        self.assertEqual(watcher.ok("NOOP"), [b"* VANISHED %d,%d" % (u[0], u[2])])
        # Held back during a non-UID FETCH (RFC 3501 7.4.1), sent after.
        self.expunge(actor, "1")  # u[1]
        lines = watcher.ok("FETCH 2 (UID)")
        self.assertEqual(lines, [b"* 2 FETCH (UID %d)" % u[3]])
        self.assertEqual(watcher.ok("NOOP"), [b"* VANISHED %d" % u[1]])
        # A MOVE by the other session.
        self.c.ok("CREATE %s-dst" % self.box)
        actor.ok("UID MOVE %d %s-dst" % (u[3], self.box))
        self.assertEqual(watcher.ok("NOOP"), [b"* VANISHED %d" % u[3]])
        # The watcher's own MOVE: COPYUID first, then VANISHED, no EXPUNGE.
        lines = watcher.ok("MOVE 1 %s-dst" % self.box)
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[0].startswith(b"* OK [COPYUID "), lines)
        self.assertEqual(lines[1], b"* VANISHED %d" % u[4])
        self.assertEqual(watcher.ok("SEARCH ALL"), [b"* SEARCH 1"])

    def test_flag_changes_carry_uid_and_modseq(self):
        watcher = self.session(qresync=True, select=True)
        actor = self.session(select=True)
        actor.ok("STORE 2 +FLAGS (\\Flagged)")
        lines = watcher.ok("NOOP")
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], rb"^\* 2 FETCH \(FLAGS \(\\Flagged\) UID %d MODSEQ \(\d+\)\)$"
                         % self.uids[1])

    def test_idle_pushes_vanished_and_modseq(self):
        raw = slotlib.LineSocket(self.slot.ports["imap"])
        try:
            raw.line()  # greeting

            def command(tag, text, until=None):
                raw.sock.sendall(("%s %s\r\n" % (tag, text)).encode())
                lines = []
                while True:
                    line = raw.line()
                    lines.append(line)
                    if line.startswith(tag.encode() + b" ") or (until and until(line)):
                        return lines

            command("a1", "LOGIN alice secret")
            command("a2", "ENABLE QRESYNC")
            command("a3", "SELECT " + self.box)
            command("a4", "IDLE", until=lambda l: l.startswith(b"+"))
            actor = self.session(select=True)
            actor.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
            actor.ok("STORE 2 +FLAGS (\\Flagged)")
            actor.ok("EXPUNGE")
            seen = []
            while not any(l.startswith(b"* VANISHED") for l in seen):
                seen.append(raw.line())  # bounded by the socket timeout
            self.assertIn(b"* VANISHED %d" % self.uids[0], seen)
            self.assertNotIn(True, [b"EXPUNGE" in l for l in seen])
            fetch = [l for l in seen if b"FETCH" in l and b"\\Flagged" in l]
            if not fetch:  # the flag change may come in a later push
                fetch = [raw.line()]
            self.assertRegex(fetch[0], rb"^\* \d FETCH \(FLAGS \(\\Flagged\) UID %d MODSEQ \(\d+\)\)$"
                             % self.uids[1])
            raw.sock.sendall(b"DONE\r\n")
            while not raw.line().startswith(b"a4 OK"):
                pass
        finally:
            raw.sock.close()

    def test_closed_on_reselect(self):
        c = self.session(qresync=True)
        self.assertEqual([l for l in c.ok("SELECT " + self.box) if b"CLOSED" in l], [])
        lines = c.ok("EXAMINE INBOX")
        self.assertTrue(lines[0].startswith(b"* OK [CLOSED]"), lines)
        _, tagged = c.run("SELECT NoSuchBox")
        self.assertTrue(tagged.startswith(b"NO"), tagged)
        # Without QRESYNC (and IMAP4rev1) no CLOSED.
        plain = self.session(select=True)
        self.assertEqual([l for l in plain.ok("SELECT INBOX") if b"CLOSED" in l], [])

    def test_uid_fetch_changedsince_vanished(self):
        c = self.session(qresync=True)
        base = code_value(c.ok("SELECT " + self.box), b"HIGHESTMODSEQ")
        actor = self.session(select=True)
        u = self.uids
        actor.ok("STORE 3 +FLAGS (\\Seen)")
        self.expunge(actor, "5")
        lines = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % base)
        # The pending expunge goes out too (UID FETCH may carry it), then the
        # VANISHED (EARLIER) of the command, then the changed message.
        self.assertIn(b"* VANISHED (EARLIER) %d" % u[4], lines)
        # Only message 3 changed; the view may also volunteer its new flags.
        fetches = [l for l in lines if b" FETCH " in l]
        self.assertRegex(fetches[0], rb"^\* 3 FETCH \(FLAGS \(\\Seen\) MODSEQ \(\d+\) UID %d\)$"
                         % u[2])
        for l in fetches:
            self.assertTrue(l.startswith(b"* 3 FETCH (FLAGS (\\Seen) "), lines)
        # Restricted to the UID set asked.
        lines = c.ok("UID FETCH %d:%d (FLAGS) (CHANGEDSINCE %d VANISHED)" % (u[0], u[1], base))
        self.assertEqual(lines, [])
        for bad in ("FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % base,
                    "UID FETCH 1:* (FLAGS) (VANISHED)"):
            _, tagged = c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))

    def test_reconnect_resync(self):
        first = self.session(qresync=True)
        lines = first.ok("SELECT " + self.box)
        uidvalidity = code_value(lines, b"UIDVALIDITY")
        cached = code_value(lines, b"HIGHESTMODSEQ")
        u = self.uids
        first.close()
        self.sessions.remove(first)
        # While the client is away: two expunges, a flag change, a new message.
        actor = self.session(select=True)
        self.expunge(actor, "2,5")
        actor.ok("UID STORE %d +FLAGS ($Done)" % u[2])
        new_uid = self.append(7)
        # Back, with its cache.
        c = self.session(qresync=True)
        lines = c.ok("SELECT %s (QRESYNC (%d %d %d:%d))"
                     % (self.box, uidvalidity, cached, u[0], u[5]))
        self.assertIn(b"* 5 EXISTS", lines)
        now = code_value(lines, b"HIGHESTMODSEQ")
        self.assertGreater(now, cached)
        vanished = [l for l in lines if l.startswith(b"* VANISHED")]
        self.assertEqual(vanished, [b"* VANISHED (EARLIER) %d,%d" % (u[1], u[4])])
        fetches = [l for l in lines if b" FETCH " in l]
        self.assertEqual(len(fetches), 2, lines)
        self.assertRegex(fetches[0], rb"^\* 2 FETCH \(FLAGS \(\$Done\) UID %d MODSEQ \(\d+\)\)$"
                         % u[2])
        # No session was told of the new message before: \Recent here (RFC 3501 2.3.2).
        self.assertRegex(fetches[1], rb"^\* 5 FETCH \(FLAGS \(\\Recent\) UID %d MODSEQ \(%d\)\)$"
                         % (new_uid, now))
        # VANISHED comes before the FETCHes and after the mailbox data.
        self.assertLess(lines.index(vanished[0]), lines.index(fetches[0]))
        # known-uids limits VANISHED; seq-match data is accepted.
        lines = c.ok("SELECT %s (QRESYNC (%d %d %d:%d (1:3 %d:%d)))"
                     % (self.box, uidvalidity, cached, u[2], u[5], u[0], u[2]))
        self.assertIn(b"* VANISHED (EARLIER) %d" % u[4], lines)
        self.assertTrue(lines[0].startswith(b"* OK [CLOSED]"), lines)
        # Up to date: nothing to tell.
        lines = c.ok("SELECT %s (QRESYNC (%d %d))" % (self.box, uidvalidity, now))
        self.assertEqual([l for l in lines if b"VANISHED" in l or b"FETCH" in l], [])
        # A different UIDVALIDITY: the cache is void, nothing is reported.
        lines = c.ok("SELECT %s (QRESYNC (%d %d))" % (self.box, uidvalidity + 1, cached))
        self.assertEqual([l for l in lines if b"VANISHED" in l or b"FETCH" in l], [])
        # QRESYNC parameters without ENABLE QRESYNC are a BAD command.
        plain = self.session()
        _, tagged = plain.run("SELECT %s (QRESYNC (%d %d))" % (self.box, uidvalidity, cached))
        self.assertTrue(tagged.startswith(b"BAD"), tagged)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
