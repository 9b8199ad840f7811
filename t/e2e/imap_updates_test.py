"""RFC 3501 7.4.1 / RFC 2177: what one session changes reaches the others.

Two imaplib connections on one mailbox, plus a raw-socket client in IDLE.
Waits poll with a deadline; nothing here measures time."""
import imaplib
import sys
import unittest

import slotlib

MSG = slotlib.TwoSessionsOnInbox.MESSAGE


class RawClient(slotlib.LineSocket):
    """A minimal line-oriented IMAP client, for IDLE (imaplib 3.11 has none)."""

    def __init__(self, port):
        super().__init__(port)
        self.line()  # greeting

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def until(self, predicate, what):
        """Reads lines until one satisfies predicate (the socket timeout bounds it)."""
        seen = []
        while True:
            line = self.line()
            seen.append(line)
            if predicate(line):
                return seen

    def command(self, tag, text):
        self.send(tag + " " + text)
        return self.until(lambda l: l.startswith(tag.encode() + b" "), tag)


class Updates(slotlib.TwoSessionsOnInbox):
    def test_exists_reaches_the_other_session_at_its_next_command(self):
        self.a.append("INBOX", None, None, MSG)
        self.b.untagged_responses.clear()
        self.b.noop()
        self.assertEqual(self.b.untagged_responses.get("EXISTS"), [b"4"])

    def test_flag_changes_reach_the_other_session(self):
        self.a.store("2", "+FLAGS", "\\Flagged")
        self.b.untagged_responses.clear()
        self.b.noop()
        fetches = self.b.untagged_responses.get("FETCH", [])
        self.assertEqual(fetches, [b"2 (FLAGS (\\Flagged))"])

    def test_expunge_sequence_numbers_stay_correct(self):
        # a expunges messages 1 and 3; b must hear "1 EXPUNGE" then "2 EXPUNGE"
        # (3 became 2 after the first), and numbers stay right afterwards.
        self.a.store("1,3", "+FLAGS", "\\Deleted")
        self.a.expunge()
        self.b.untagged_responses.clear()
        # FETCH may not carry EXPUNGE (RFC 3501 7.4.1): b still sees 3 messages.
        typ, data = self.b.fetch("3", "(UID)")
        self.assertNotIn("EXPUNGE", self.b.untagged_responses)
        self.b.untagged_responses.clear()
        self.b.noop()
        self.assertEqual(self.b.untagged_responses.get("EXPUNGE"), [b"1", b"2"])
        typ, data = self.b.fetch("1", "(UID)")
        self.assertEqual(data, [b"1 (UID 2)"])

    def test_rfc3501_7_2_6_new_keywords_are_announced_before_any_fetch_shows_them(self):
        # Every session with the mailbox selected hears FLAGS and PERMANENTFLAGS
        # listing a keyword before a FETCH shows it: the one that stored it,
        # one that FETCHes next, one that only NOOPs, one in IDLE.
        port = self.slot.ports["imap"]
        clients = []
        for n in range(4):
            c = RawClient(port)
            c.command("l", "LOGIN alice secret")
            lines = c.command("s", "SELECT INBOX")
            self.assertIn(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", lines)
            clients.append(c)
        storer, fetcher, nooper, idler = clients
        idler.send("i IDLE")
        idler.until(lambda l: l.startswith(b"+"), "continuation")

        def check(lines, keyword, who):
            kw = keyword.encode()
            flags = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS (") and kw in l]
            perm = [i for i, l in enumerate(lines)
                    if l.startswith(b"* OK [PERMANENTFLAGS (") and kw in l and b" \\*)]" in l]
            fetch = [i for i, l in enumerate(lines) if b" FETCH (" in l and kw in l]
            self.assertTrue(flags and perm, (who, lines))
            self.assertTrue(all(flags[0] < i and perm[0] < i for i in fetch), (who, lines))
            return fetch

        self.assertTrue(check(storer.command("t", "STORE 1 +FLAGS ($Work)"), "$Work", "storer"))
        self.assertTrue(check(fetcher.command("f", "FETCH 1 (FLAGS)"), "$Work", "fetcher"))
        self.assertTrue(check(nooper.command("n", "NOOP"), "$Work", "nooper"))
        pushed = idler.until(lambda l: b" FETCH (" in l, "pushed FETCH")
        self.assertTrue(check(pushed, "$Work", "idler"))
        # Told once: the same keyword on another message brings no FLAGS.
        lines = storer.command("t2", "STORE 2 +FLAGS ($Work)")
        self.assertFalse([l for l in lines if l.startswith(b"* FLAGS")], lines)
        # .SILENT still announces a new keyword; APPEND elsewhere does too.
        check(storer.command("t3", "STORE 2 +FLAGS.SILENT ($Silent)"), "$Silent", "silent")
        self.a.append("INBOX", "($Appended)", None, MSG)
        check(nooper.command("n2", "NOOP"), "$Appended", "append")
        # RFC 3501 9: flag-keyword is an atom, and NIL is one.
        check(storer.command("t4", "STORE 3 +FLAGS NIL"), "NIL", "nil")
        lines = storer.command("f2", "FETCH 3 (FLAGS)")
        self.assertIn(b"* 3 FETCH (FLAGS (NIL))", lines)
        # A new SELECT lists every keyword in use.
        lines = storer.command("s2", "SELECT INBOX")
        flags = [l for l in lines if l.startswith(b"* FLAGS")]
        self.assertEqual(len(flags), 1)
        for kw in (b"$Work", b"$Silent", b"$Appended", b"NIL"):
            self.assertIn(kw, flags[0])
        idler.send("DONE")
        idler.until(lambda l: l.startswith(b"i "), "IDLE end")
        for c in clients:
            c.sock.close()

    def test_idle_gets_exists_and_expunge_pushed(self):
        raw = RawClient(self.slot.ports["imap"])
        raw.command("a1", "LOGIN alice secret")
        raw.command("a2", "SELECT INBOX")
        raw.send("a3 IDLE")
        raw.until(lambda l: l.startswith(b"+"), "IDLE continuation")
        self.a.append("INBOX", None, None, MSG)
        raw.until(lambda l: l == b"* 4 EXISTS", "EXISTS during IDLE")
        self.a.store("1", "+FLAGS", "\\Deleted")
        self.a.expunge()
        raw.until(lambda l: l == b"* 1 EXPUNGE", "EXPUNGE during IDLE")
        raw.send("DONE")
        lines = raw.until(lambda l: l.startswith(b"a3 "), "IDLE end")
        self.assertTrue(lines[-1].startswith(b"a3 OK"))
        raw.command("a4", "LOGOUT")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
