#!/usr/bin/env python3
"""SORT, UID SORT, SORT=DISPLAY, ESORT, THREAD=ORDEREDSUBJECT and
THREAD=REFERENCES (RFC 5256, 5957, 5267) against a real slotd, through
Python's imaplib (and a raw connection for ESORT's ESEARCH responses).

INBOX holds messages 1-6 (UIDs are sequence numbers + 1: a first message
is expunged); "Threads" holds 1-11 (UIDs = sequence numbers). Every
expected order and tree was worked out by hand from the messages below
(see the comments). Finally every message file of the user is deleted and
SORT and THREAD still answer the same: sorting reads only the index.
Exits non-zero on failure; slotd is stopped by PID and its directory removed.
"""
import datetime
import imaplib
import sys
import unittest

import slotlib

UTC = datetime.timezone.utc


def message(headers, size):
    head = "".join("%s: %s\r\n" % h for h in headers)
    return (head + "\r\n" + "x" * size + "\r\n").encode("utf-8")


def day(d, h=0):
    return datetime.datetime(2003, 7, d, h, 0, tzinfo=UTC)


# (headers, body size, internal date). Sent dates in UTC are in comments.
MESSAGES = [
    # 1: sent Jul 1 10:00Z; reply to the missing-here <a0@x>... which is 2.
    ([("From", '"Zed" <zed@x>'), ("To", "bob@y"), ("Cc", "carl@z"), ("Subject", "Re: Lunch"),
      ("Date", "Tue, 01 Jul 2003 12:00:00 +0200"), ("Message-ID", "<a1@x>"),
      ("References", "<a0@x>")], 5000, day(5)),
    # 2: sent Jul 1 09:00Z.
    ([("From", "Alice <alice@x>"), ("To", '"Aaron" <yo@y>'), ("Subject", "Lunch"),
      ("Date", "Tue, 01 Jul 2003 09:00:00 +0000"), ("Message-ID", "<a0@x>")], 1000, day(4)),
    # 3: sent Jul 1 04:00Z; base subject BUDGET.
    ([("From", "bob@y"), ("To", "alice@x"), ("Subject", "[list] Fwd: Budget"),
      ("Date", "30 Jun 2003 23:00:00 -0500"), ("Message-ID", "<b1@x>")], 4000, day(3)),
    # 4: no Date: sent date is the internal date, Jul 2 00:00Z.
    ([("From", "=?UTF-8?Q?=C3=89mile?= <emile@x>"), ("Subject", "Re: Budget (fwd)"),
      ("In-Reply-To", "<b1@x>"), ("Message-ID", "<b2@x>")], 3000, day(2)),
    # 5: sent Jun 30 08:00Z; references itself (a loop, ignored).
    ([("From", "carl@z"), ("To", "zed@x"), ("Subject", "Misc"),
      ("Date", "Mon, 30 Jun 2003 08:00:00 +0000"), ("Message-ID", "<c1@x>"),
      ("References", "<c1@x>")], 2000, day(6)),
    # 6: sent Jul 1 11:00Z; a duplicate Message-ID (1 owns <a1@x>).
    ([("From", "dave@w"), ("Subject", "Re: Lunch"), ("Date", "Tue, 01 Jul 2003 11:00:00 +0000"),
      ("Message-ID", "<a1@x>"), ("References", "<a0@x> <a1@x>")], 6000, day(1)),
    # 7-11 only in "Threads".
    # 7: reply to a missing message; merged under 5 by subject.
    ([("From", "e@x"), ("Subject", "Re: Misc"), ("Date", "Thu, 03 Jul 2003 00:00:00 +0000"),
      ("Message-ID", "<d1@x>"), ("References", "<zz@x>")], 10, day(7)),
    # 8, 9: two replies to the same missing <p0@x>: a dummy parent.
    ([("From", "f@x"), ("Subject", "Re: Party"), ("Date", "Fri, 04 Jul 2003 00:00:00 +0000"),
      ("Message-ID", "<p1@x>"), ("References", "<p0@x>")], 10, day(7)),
    ([("From", "g@x"), ("Subject", "Re: Party"), ("Date", "Fri, 04 Jul 2003 01:00:00 +0000"),
      ("Message-ID", "<p2@x>"), ("References", "<p0@x>")], 10, day(7)),
    # 10: same subject as that dummy's thread: joins the dummy.
    ([("From", "h@x"), ("Subject", "Party"), ("Date", "Sat, 05 Jul 2003 00:00:00 +0000"),
      ("Message-ID", "<p3@x>")], 10, day(7)),
    # 11: same subject as 5, neither a reply: both go under a new dummy.
    ([("From", "i@x"), ("Subject", "Misc"), ("Date", "Sun, 06 Jul 2003 00:00:00 +0000"),
      ("Message-ID", "<e1@x>")], 10, day(7)),
]


class Sort(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        c = cls.connect()
        c.append("INBOX", None, None, b"Subject: gone\r\n\r\nx\r\n")
        c.select("INBOX")
        c.store("1", "+FLAGS", "\\Deleted")
        c.expunge()
        c.create("Threads")
        for i, (headers, size, when) in enumerate(MESSAGES):
            for box in (["INBOX", "Threads"] if i < 6 else ["Threads"]):
                typ, data = c.append(box, None, imaplib.Time2Internaldate(when),
                                     message(headers, size))
                assert typ == "OK", (typ, data)
        c.logout()

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    @classmethod
    def connect(cls):
        c = imaplib.IMAP4("127.0.0.1", cls.slot.ports["imap"])
        c.login("alice", "secret")
        return c

    def setUp(self):
        self.c = self.connect()
        self.c.select("INBOX")

    def tearDown(self):
        self.c.logout()

    def sort(self, criteria, search="ALL", uid=False):
        if uid:
            typ, data = self.c.uid("SORT", criteria, "UTF-8", search)
        else:
            typ, data = self.c.sort(criteria, "UTF-8", search)
        self.assertEqual(typ, "OK", data)
        return [int(n) for n in (data[0] or b"").split()]

    def thread(self, algorithm, search="ALL"):
        typ, data = self.c.thread(algorithm, "UTF-8", search)
        self.assertEqual(typ, "OK", data)
        return data[0].decode()

    def test_capabilities(self):
        caps = self.c.capabilities
        for cap in ("SORT", "SORT=DISPLAY", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"):
            self.assertIn(cap, caps)

    def test_each_key(self):
        self.assertEqual(self.sort("(ARRIVAL)"), [6, 4, 3, 2, 1, 5])
        self.assertEqual(self.sort("(DATE)"), [5, 3, 2, 1, 6, 4])
        self.assertEqual(self.sort("(FROM)"), [2, 3, 5, 6, 4, 1])
        # Missing To sorts first (empty string); then ALICE BOB YO ZED.
        self.assertEqual(self.sort("(TO)"), [4, 6, 3, 1, 2, 5])
        self.assertEqual(self.sort("(CC)"), [2, 3, 4, 5, 6, 1])
        self.assertEqual(self.sort("(SIZE)"), [2, 5, 4, 3, 1, 6])
        # BUDGET (3 4) LUNCH (1 2 6) MISC (5); ties by sequence number.
        self.assertEqual(self.sort("(SUBJECT)"), [3, 4, 1, 2, 6, 5])

    def test_combined_and_reverse(self):
        self.assertEqual(self.sort("(SUBJECT DATE)"), [3, 4, 2, 1, 6, 5])
        self.assertEqual(self.sort("(REVERSE DATE)"), [4, 6, 1, 2, 3, 5])
        # REVERSE leaves the sequence-number tie-break ascending.
        self.assertEqual(self.sort("(REVERSE SUBJECT)"), [5, 1, 2, 6, 3, 4])
        self.assertEqual(self.sort("(SUBJECT REVERSE DATE)"), [4, 3, 6, 1, 2, 5])

    def test_display(self):
        # ALICE, BOB@Y, CARL@Z, DAVE@W, ZED, then the decoded "Émile" (non-ASCII).
        self.assertEqual(self.sort("(DISPLAYFROM)"), [2, 3, 5, 6, 1, 4])
        # "" "" AARON ALICE@X BOB@Y ZED@X
        self.assertEqual(self.sort("(DISPLAYTO)"), [4, 6, 2, 3, 1, 5])

    def test_search_criteria_and_uid(self):
        # From headers containing "a": Alice, carl, dave.
        self.assertEqual(self.sort("(DATE)", 'FROM "a"'), [5, 2, 6])
        self.assertEqual(self.sort("(DATE)", "2:4"), [3, 2, 4])
        self.assertEqual(self.sort("(DATE)", uid=True), [6, 4, 3, 2, 7, 5])
        self.assertEqual(self.sort("(SUBJECT)", "UID 2:4", uid=True), [4, 2, 3])
        self.assertEqual(self.sort("(DATE)", "SUBJECT nothing"), [])

    def test_errors(self):
        typ, data = self.c._simple_command("SORT", "(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"BADCHARSET", data[0])
        for bad in [("(NOPE)", "UTF-8", "ALL"), ("()", "UTF-8", "ALL"), ("(REVERSE)", "UTF-8", "ALL"),
                    ("(DATE)", "UTF-8")]:
            with self.assertRaises(imaplib.IMAP4.error, msg=bad):
                self.c.sort(*bad)
        with self.assertRaises(imaplib.IMAP4.error):
            self.c.thread("NOPE", "UTF-8", "ALL")

    def test_esort(self):
        raw = slotlib.RawImap(self.slot)
        try:
            raw.ok("SELECT INBOX")

            def esearch(command):
                lines = [l for l in raw.ok(command) if l.startswith(b"* ")]
                self.assertEqual(len(lines), 1, lines)
                prefix = b'* ESEARCH (TAG "' + raw.last_tag + b'")'
                self.assertTrue(lines[0].startswith(prefix), lines[0])
                return lines[0][len(prefix):].decode()

            # SUBJECT order 3 4 1 2 6 5: MIN and MAX are first and last in
            # that order, ALL keeps it (RFC 5267 4.2).
            self.assertEqual(esearch("SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL"),
                             " MIN 3 MAX 5 COUNT 6 ALL 3:4,1:2,6,5")
            self.assertEqual(esearch("UID SORT RETURN (ALL) (DATE) UTF-8 ALL"),
                             " UID ALL 6,4,3,2,7,5")
            self.assertEqual(esearch("SORT RETURN () (REVERSE ARRIVAL) UTF-8 ALL"),
                             " ALL 5,1:4,6")
            self.assertEqual(esearch('SORT RETURN (COUNT MIN) (DATE) UTF-8 SUBJECT "nothing"'),
                             " COUNT 0")
            # SAVE keeps the found set for "$" (RFC 5182), and sends nothing.
            lines = raw.ok('SORT RETURN (SAVE) (REVERSE DATE) UTF-8 FROM "a"')
            self.assertEqual([l for l in lines if l.startswith(b"* ")], [])
            self.assertIn(b"* SEARCH 2 5 6", raw.ok("SEARCH $"))
            self.assertEqual(esearch("SORT RETURN (ALL) (SUBJECT) UTF-8 $"), " ALL 2,6,5")
            # A SORT with SAVE that fails empties it.
            raw.bad("SORT RETURN (SAVE) (NOPE) UTF-8 ALL")
            self.assertIn(b"* SEARCH", raw.ok("SEARCH $"))
            self.assertNotIn(b"* SEARCH 2 5 6", raw.ok("SEARCH $"))
            # Without RETURN the answer is a plain SORT response.
            lines = raw.ok("SORT (DATE) UTF-8 ALL")
            self.assertIn(b"* SORT 5 3 2 1 6 4", lines)
        finally:
            raw.close()

    def test_threads(self):
        self.c.select("Threads")
        self.assertEqual(self.thread("ORDEREDSUBJECT"),
                         "(5 (7)(11))(3 4)(2 (1)(6))(8 (9)(10))")
        self.assertEqual(self.thread("REFERENCES"),
                         "((5 7)(11))(3 4)(2 1 6)((8)(9)(10))")
        self.assertEqual(self.thread("REFERENCES", "1:6"), "(5)(3 4)(2 1 6)")
        # 1 without its parent 2: the link from References stays a dummy,
        # pruned; 6 stays under 1.
        self.assertEqual(self.thread("REFERENCES", "1,6"), "(1 6)")
        typ, data = self.c.uid("THREAD", "ORDEREDSUBJECT", "UTF-8", "3:4")
        self.assertEqual((typ, data[0]), ("OK", b"(3 4)"))
        self.assertEqual(self.thread("REFERENCES", "SUBJECT nothing"), "")

    def test_zz_no_message_file_read(self):
        # Delete every message file of the user: SORT and THREAD answer from
        # the index alone (a FETCH of a body would now fail).
        self.assertGreaterEqual(self.slot.remove_message_files(), 11)
        self.assertEqual(self.sort("(SUBJECT DATE)"), [3, 4, 2, 1, 6, 5])
        self.assertEqual(self.sort("(DISPLAYFROM)"), [2, 3, 5, 6, 1, 4])
        self.c.select("Threads")
        self.assertEqual(self.thread("REFERENCES"),
                         "((5 7)(11))(3 4)(2 1 6)((8)(9)(10))")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
