"""APPENDLIMIT (RFC 7889) and MULTIAPPEND (RFC 3502) against a real slotd:
the advertised limit, [TOOBIG] refusals, several messages in one APPEND with
synchronising and non-synchronising literals, APPENDUID with a UID set, and
all-or-nothing failure."""
import os
import re
import sys
import unittest

import slotlib
from imap_ext_status_quota_test import Conn  # raw commands with literals

LIMIT = 4096  # max_message_bytes for this slot


def msg(n, size=0):
    body = b"message %d\r\n" % n
    head = b"From: a@example.com\r\nSubject: m%d\r\n\r\n" % n
    return head + body + b"p" * max(0, size - len(head) - len(body))


class Append(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, extra=["max_message_bytes = %d" % LIMIT])

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def setUp(self):
        self.c = Conn(self, self.slot)
        self.m = self.c.m

    def tearDown(self):
        self.c.close()

    def run_cmd(self, command, literals=()):
        return self.c.run(command, literals)

    def count(self, box):
        typ, data = self.m.status(box, "(MESSAGES)")
        return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))

    def blob_files(self):
        n = 0
        for _, _, files in os.walk(os.path.join(self.slot.slot_dir, "users")):
            n += sum(1 for f in files if re.fullmatch(r"[0-9a-f]{64}", f))
        return n

    def test_appendlimit_advertised_and_enforced(self):
        self.assertIn("APPENDLIMIT=%d" % LIMIT, self.m.capabilities)
        self.assertIn("MULTIAPPEND", self.m.capabilities)
        typ, data = self.m.append("INBOX", None, None, msg(1, LIMIT))
        self.assertEqual(typ, "OK")
        typ, data = self.m.append("INBOX", None, None, msg(2, LIMIT + 1))
        self.assertEqual(typ, "NO")
        self.assertIn(b"[TOOBIG]", data[0])
        lines, tagged = self.run_cmd(b"STATUS INBOX (APPENDLIMIT)")
        self.assertEqual(lines, [b'* STATUS "INBOX" (APPENDLIMIT %d)' % LIMIT])

    def test_multiappend_synchronising_literals(self):
        self.m.create("Multi")
        a, b, c = msg(1), msg(2), msg(3)
        command = (b'APPEND Multi (\\Seen) "07-Feb-1994 21:52:25 -0800" {%d}' % len(a))
        lines, tagged = self.run_cmd(command, [
            a + b" {%d}\r\n" % len(b),
            b + b" (\\Flagged $Work) {%d}\r\n" % len(c),
            c + b"\r\n"])
        m = re.match(rb"OK \[APPENDUID (\d+) (\d+):(\d+)\] ", tagged)
        self.assertIsNotNone(m, tagged)
        self.assertEqual(int(m.group(3)) - int(m.group(2)), 2)
        slotlib.take_recent(self.slot, "Multi")
        self.m.select("Multi")
        typ, data = self.m.fetch("1:3", "(FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject)])")
        texts = [d[0] for d in data if isinstance(d, tuple)]
        self.assertIn(b"FLAGS (\\Seen)", texts[0])
        self.assertIn(b'INTERNALDATE "08-Feb-1994 05:52:25 +0000"', texts[0])
        self.assertIn(b"FLAGS ()", texts[1])
        self.assertIn(b"FLAGS (\\Flagged $Work)", texts[2])
        subjects = [d[1] for d in data if isinstance(d, tuple)]
        self.assertEqual(subjects, [b"Subject: m%d\r\n\r\n" % i for i in (1, 2, 3)])

    def test_multiappend_nonsynchronising_literals(self):
        self.m.create("Plus")
        payload = b" ".join(b"{%d+}\r\n" % len(msg(i)) + msg(i) for i in range(5))
        lines, tagged = self.run_cmd(b"APPEND Plus " + payload)
        self.assertRegex(tagged, rb"^OK \[APPENDUID \d+ 1:5\] ")
        self.assertEqual(self.count("Plus"), 5)

    def test_multiappend_is_all_or_nothing(self):
        self.m.create("Atomic")
        blobs = self.blob_files()
        big = msg(9, LIMIT + 1)
        lines, tagged = self.run_cmd(
            b"APPEND Atomic {%d+}\r\n" % len(msg(1)) + msg(1) + b" {%d}" % len(big),
            [big + b"\r\n"])
        self.assertTrue(tagged.startswith(b"NO [TOOBIG]"), tagged)
        self.assertEqual(self.count("Atomic"), 0)
        self.assertEqual(self.blob_files(), blobs)  # nothing left on disk either
        # A bad flag in the last message: BAD, nothing stored.
        lines, tagged = self.run_cmd(b"APPEND Atomic {%d+}\r\n" % len(msg(1)) + msg(1) +
                                     b" (\\Bogus) {%d+}\r\n" % len(msg(2)) + msg(2))
        self.assertTrue(tagged.startswith(b"BAD"), tagged)
        self.assertEqual(self.count("Atomic"), 0)
        # A missing mailbox: TRYCREATE.
        lines, tagged = self.run_cmd(b"APPEND NoSuch {%d+}\r\n" % len(msg(1)) + msg(1) +
                                     b" {%d+}\r\n" % len(msg(2)) + msg(2))
        self.assertTrue(tagged.startswith(b"NO [TRYCREATE]"), tagged)

    def test_malformed_appends(self):
        for command in [b"APPEND INBOX", b"APPEND INBOX (\\Seen)",
                        b"APPEND INBOX {0+}\r\n",
                        b'APPEND INBOX "not a date" {1+}\r\nx',
                        b"APPEND INBOX {3+}\r\nabc extra"]:
            lines, tagged = self.run_cmd(command)
            self.assertTrue(tagged.startswith(b"BAD"), (command, tagged))
        self.assertEqual(self.m.noop()[0], "OK")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
