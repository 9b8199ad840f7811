#!/usr/bin/env python3
"""FETCH of ENVELOPE, BODY and BODYSTRUCTURE answers from the MIME
structures kept in the user's index, not from the message files: every
message of t/mime_corpus is appended (bytes exactly as in the corpus, via
LITERAL+), then every message file of the user is deleted, and FETCH still
gives the hand-checked ENVELOPE and BODYSTRUCTURE of the corpus (nothing
was fetched before, so the server's in-memory cache was empty). Items that
need the bytes (BODY[], BODY[HEADER]) then fail with a tagged NO, and the
server goes on serving. Exits non-zero on failure; slotd is stopped by PID
and its directory removed.
"""
import os
import sys
import unittest

import slotlib

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mime_corpus")


def expected(name, kind):
    with open(os.path.join(CORPUS, name + "." + kind), "rb") as f:
        data = f.read()
    assert data.endswith(b"\n")
    return data[:-1]


class FetchFromIndex(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        cls.names = sorted(f[:-4] for f in os.listdir(CORPUS) if f.endswith(".eml"))
        raw = slotlib.RawImap(cls.slot)
        for name in cls.names:
            with open(os.path.join(CORPUS, name + ".eml"), "rb") as f:
                data = f.read()
            raw.ok(b"APPEND INBOX {%d+}\r\n" % len(data) + data)
        raw.close()
        slotlib.take_recent(cls.slot, "INBOX")
        removed = cls.slot.remove_message_files()
        assert removed == len(cls.names), removed

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def setUp(self):
        self.raw = slotlib.RawImap(self.slot)
        self.raw.ok("SELECT INBOX")

    def tearDown(self):
        self.raw.close()

    def test_envelope_and_bodystructure_without_files(self):
        self.assertGreaterEqual(len(self.names), 15)
        for seq, name in enumerate(self.names, 1):
            with self.subTest(message=name):
                env, bs = expected(name, "envelope"), expected(name, "bodystructure")
                lines = self.raw.ok("FETCH %d (ENVELOPE BODYSTRUCTURE)" % seq)
                self.assertEqual(lines, [b"* %d FETCH (ENVELOPE %s BODYSTRUCTURE %s)"
                                         % (seq, env, bs)])

    def test_bulk_fetch_like_a_client_listing(self):
        lines = self.raw.ok("UID FETCH 1:* (FLAGS ENVELOPE BODY RFC822.SIZE)")
        self.assertEqual(len(lines), len(self.names))
        for seq, (name, line) in enumerate(zip(self.names, lines), 1):
            self.assertTrue(line.startswith(b"* %d FETCH (FLAGS () ENVELOPE %s BODY ("
                                            % (seq, expected(name, "envelope"))), line)
            self.assertTrue(line.endswith(b" UID %d)" % seq), line)

    def test_items_needing_the_bytes_fail_cleanly(self):
        for items in ("BODY.PEEK[]", "BODY.PEEK[HEADER]", "(ENVELOPE BODY.PEEK[TEXT])"):
            with self.subTest(items=items):
                lines, tagged = self.raw.run("FETCH 1 " + items)
                self.assertTrue(tagged.startswith(b"NO "), tagged)
        self.raw.ok("NOOP")
        self.assertIsNone(self.slot.proc.poll())
        self.assertEqual(len(self.raw.ok("FETCH 1:* FLAGS")), len(self.names))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
