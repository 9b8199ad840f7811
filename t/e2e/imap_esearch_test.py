"""ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) for an IMAP4rev1 session
against a real slotd: RETURN options, the ESEARCH response, SAVE and "$" in
FETCH, STORE, COPY, MOVE, SEARCH and their UID forms, "$" after expunges,
and when the saved result is reset."""
import re
import sys
import unittest

import slotlib


def msg(n):
    return b"From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)


class Esearch(slotlib.MailboxPerTest):
    """Each test has its own mailbox of six messages: 2, 4 and 5 \\Flagged."""

    def setUp(self):
        super().setUp()
        self.c = slotlib.RawImap(self.slot)
        self.c.ok("CREATE " + self.box)
        self.uids = []
        for n in range(1, 7):
            flags = b"(\\Flagged) " if n in (2, 4, 5) else b""
            body = msg(n)
            _, tagged = self.c.run(b"APPEND %s %s{%d+}\r\n%s" %
                                   (self.box.encode(), flags, len(body), body))
            self.uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1)))
        self.c.ok("SELECT " + self.box)

    def tearDown(self):
        self.c.close()

    def esearch(self, command):
        """The one ESEARCH response of `command`, after its tag correlator."""
        lines = self.c.ok(command)
        found = [l for l in lines if l.startswith(b"* ESEARCH")]
        self.assertEqual(len(found), 1, lines)
        self.assertNotIn(True, [l.startswith(b"* SEARCH") for l in lines])
        prefix = b'* ESEARCH (TAG "' + self.c.last_tag + b'")'
        self.assertTrue(found[0].startswith(prefix), found[0])
        return found[0][len(prefix):].decode()

    def fetched(self, command):
        """(sequence number, UID) of each FETCH response of `command`."""
        out = []
        for line in self.c.ok(command):
            m = re.match(rb"\* (\d+) FETCH \(.*UID (\d+)", line)
            if m:
                out.append((int(m.group(1)), int(m.group(2))))
        return out

    def test_advertised(self):
        caps = self.c.m.capabilities
        self.assertIn("ESEARCH", caps)
        self.assertIn("SEARCHRES", caps)

    def test_return_options(self):
        self.assertEqual(self.esearch("SEARCH RETURN (MIN MAX ALL COUNT) FLAGGED"),
                         " MIN 2 MAX 5 ALL 2,4:5 COUNT 3")
        self.assertEqual(self.esearch("SEARCH RETURN (COUNT) ALL"), " COUNT 6")
        self.assertEqual(self.esearch("SEARCH RETURN () FLAGGED"), " ALL 2,4:5")
        self.assertEqual(self.esearch("SEARCH RETURN (max min) CHARSET UTF-8 FLAGGED"),
                         " MIN 2 MAX 5")
        u = self.uids
        self.assertEqual(self.esearch("UID SEARCH RETURN (ALL MIN) FLAGGED"),
                         " UID MIN %d ALL %d,%d:%d" % (u[1], u[1], u[3], u[4]))
        # Nothing found: COUNT 0, and no MIN, MAX or ALL.
        self.assertEqual(self.esearch("SEARCH RETURN (MIN MAX ALL COUNT) DELETED"), " COUNT 0")
        self.assertEqual(self.esearch("UID SEARCH RETURN (ALL) DELETED"), " UID")
        # Without RETURN an IMAP4rev1 client still gets SEARCH.
        self.assertEqual(self.c.ok("SEARCH FLAGGED"), [b"* SEARCH 2 4 5"])
        for bad in ("SEARCH RETURN (FROB) ALL", "SEARCH RETURN ALL", "SEARCH RETURN (MIN)"):
            _, tagged = self.c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))

    def test_save_alone_answers_nothing_and_dollar_uses_it(self):
        self.assertEqual(self.c.ok("SEARCH RETURN (SAVE) FLAGGED"), [])
        u = self.uids
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(2, u[1]), (4, u[3]), (5, u[4])])
        self.assertEqual(self.fetched("UID FETCH $ (FLAGS)"), [(2, u[1]), (4, u[3]), (5, u[4])])
        # $ as a search key, in both spellings, and inside other criteria.
        self.assertEqual(self.c.ok("SEARCH $"), [b"* SEARCH 2 4 5"])
        self.assertEqual(self.c.ok("SEARCH UID $"), [b"* SEARCH 2 4 5"])
        self.assertEqual(self.c.ok("SEARCH OR $ 1"), [b"* SEARCH 1 2 4 5"])
        self.assertEqual(self.c.ok("UID SEARCH NOT $"),
                         [b"* SEARCH %d %d %d" % (u[0], u[2], u[5])])
        # STORE on $, then a search that uses and replaces the saved result.
        lines = self.c.ok("STORE $ +FLAGS (\\Seen)")
        self.assertEqual(len(lines), 3)
        self.assertEqual(self.c.ok("UID STORE $ -FLAGS.SILENT (\\Seen)"), [])
        self.assertEqual(self.c.ok("SEARCH RETURN (SAVE) $ UID %d:%d" % (u[3], u[5])), [])
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(4, u[3]), (5, u[4])])
        # A different search without SAVE leaves it alone.
        self.assertEqual(self.esearch("SEARCH RETURN (ALL) 1"), " ALL 1")
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(4, u[3]), (5, u[4])])

    def test_save_with_min_max_keeps_only_those(self):
        u = self.uids
        self.assertEqual(self.esearch("SEARCH RETURN (MIN SAVE) FLAGGED"), " MIN 2")
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(2, u[1])])
        self.assertEqual(self.esearch("SEARCH RETURN (MIN MAX SAVE) FLAGGED"), " MIN 2 MAX 5")
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(2, u[1]), (5, u[4])])
        self.assertEqual(self.esearch("UID SEARCH RETURN (MAX COUNT SAVE) FLAGGED"),
                         " UID MAX %d COUNT 3" % u[4])
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(2, u[1]), (4, u[3]), (5, u[4])])

    def test_copy_and_move_dollar(self):
        self.c.ok("CREATE %s-to" % self.box)
        u = self.uids
        self.c.ok("UID SEARCH RETURN (SAVE) UID %d,%d" % (u[0], u[5]))
        _, tagged = self.c.run("COPY $ %s-to" % self.box)
        self.assertRegex(tagged, rb"^OK \[COPYUID \d+ %d,%d 1:2\]" % (u[0], u[5]))
        lines, tagged = self.c.run("UID MOVE $ %s-to" % self.box)
        self.assertTrue(tagged.startswith(b"OK"), tagged)
        self.assertEqual(lines[1:], [b"* 1 EXPUNGE", b"* 5 EXPUNGE"])
        self.assertEqual(self.fetched("FETCH $ (UID)"), [])  # both are gone
        lines = self.c.ok("STATUS %s-to (MESSAGES)" % self.box)
        self.assertIn(b"MESSAGES 4", lines[0])

    def test_dollar_after_expunge(self):
        u = self.uids
        self.c.ok("SEARCH RETURN (SAVE) FLAGGED")
        self.c.ok("STORE 4 +FLAGS.SILENT (\\Deleted)")
        self.assertEqual(self.c.ok("EXPUNGE"), [b"* 4 EXPUNGE"])
        # Message 5 is now number 4; the expunged one is simply gone from $.
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(2, u[1]), (4, u[4])])
        self.assertEqual(self.fetched("UID FETCH $ (UID)"), [(2, u[1]), (4, u[4])])
        self.assertEqual(self.c.ok("SEARCH $"), [b"* SEARCH 2 4"])
        # An expunge by another session, reported at the next NOOP.
        other = slotlib.RawImap(self.slot)
        other.run("SELECT " + self.box)
        other.run("UID STORE %d +FLAGS.SILENT (\\Deleted)" % u[1])
        other.run("EXPUNGE")
        other.close()
        self.assertIn(b"* 2 EXPUNGE", self.c.ok("NOOP"))
        self.assertEqual(self.fetched("FETCH $ (UID)"), [(3, u[4])])
        lines = self.c.ok("STORE $ +FLAGS (\\Answered)")
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith(b"* 3 FETCH"), lines)

    def test_reset_by_select_close_unselect_and_failed_search(self):
        u = self.uids
        for reset in ("SELECT %s" % self.box, "EXAMINE %s" % self.box):
            self.c.ok("SEARCH RETURN (SAVE) ALL")
            self.assertEqual(len(self.fetched("FETCH $ (UID)")), 6)
            self.c.ok(reset)
            self.assertEqual(self.fetched("FETCH $ (UID)"), [])
        for reset in ("UNSELECT", "CLOSE"):
            self.c.ok("SELECT " + self.box)
            self.c.ok("SEARCH RETURN (SAVE) ALL")
            self.c.ok(reset)
            self.c.ok("SELECT " + self.box)
            self.assertEqual(self.fetched("FETCH $ (UID)"), [])
        # A SEARCH with SAVE that fails empties the result (RFC 5182 2.1).
        self.c.ok("SEARCH RETURN (SAVE) ALL")
        _, tagged = self.c.run("SEARCH RETURN (SAVE) FROB")
        self.assertTrue(tagged.startswith(b"BAD"), tagged)
        self.assertEqual(self.fetched("UID FETCH $ (UID)"), [])
        # One without SAVE that fails does not.
        self.c.ok("SEARCH RETURN (SAVE) UID %d" % u[2])
        _, tagged = self.c.run("SEARCH FROB")
        self.assertTrue(tagged.startswith(b"BAD"), tagged)
        self.assertEqual(self.fetched("UID FETCH $ (UID)"), [(3, u[2])])
        # $ outside the selected state is still a BAD command, as before.
        self.c.ok("UNSELECT")
        _, tagged = self.c.run("FETCH $ (UID)")
        self.assertTrue(tagged.startswith(b"BAD"), tagged)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
