"""BINARY (RFC 3516, part of IMAP4rev2) against a real slotd: FETCH
BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE decode the transfer
encoding, decoded data with NUL comes as a literal8, an unknown encoding
ends the FETCH with NO [UNKNOWN-CTE], and APPEND takes literal8."""
import base64
import re
import sys
import unittest

import slotlib

BLOB = b"\x00\x01\x02binary\xff"  # decodes to bytes with NUL in them
MIXED = (b"From: a@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
         b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =3D ok\r\n"
         b"--XX\r\nContent-Type: application/octet-stream\r\n"
         b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(BLOB) + b"\r\n"
         b"--XX\r\nContent-Type: application/x-foo\r\n"
         b"Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 f\r\n#86)C\r\n`\r\nend\r\n"
         b"--XX\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
         b"--XX--\r\n")
SINGLE = (b"From: a@example.com\r\nSubject: one\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
          base64.b64encode(b"hello world") + b"\r\n")


class Binary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        c = slotlib.RawImap(cls.slot)
        c.run(b"CREATE Bin")
        for body in (MIXED, SINGLE):
            _, tagged = c.run(b"APPEND Bin {%d+}\r\n%s" % (len(body), body))
            assert tagged.startswith(b"OK"), tagged
        c.close()

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def setUp(self):
        self.c = slotlib.RawImap(self.slot)
        self.c.ok("SELECT Bin")

    def tearDown(self):
        self.c.close()

    def test_advertised(self):
        self.assertIn("BINARY", self.c.m.capabilities)

    def test_decoded_parts(self):
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.PEEK[1])"),
                         [b"* 1 FETCH (BINARY[1] {10}\r\n" + "café = ok".encode() + b")"])
        # NUL in the decoded data: a literal8.
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.PEEK[2])"),
                         [b"* 1 FETCH (BINARY[2] ~{%d}\r\n%s)" % (len(BLOB), BLOB)])
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.PEEK[4] BINARY.SIZE[4])"),
                         [b"* 1 FETCH (BINARY[4] {5}\r\nplain BINARY.SIZE[4] 5)"])
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2])"),
                         [b"* 1 FETCH (BINARY.SIZE[1] 10 BINARY.SIZE[2] %d)" % len(BLOB)])
        self.assertEqual(self.c.ok("FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])"),
                         [b"* 2 FETCH (BINARY[1] {11}\r\nhello world BINARY.SIZE[1] 11)"])

    def test_partial_counts_decoded_octets(self):
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.PEEK[2]<1.3>)"),
                         [b"* 1 FETCH (BINARY[2]<1> {3}\r\n\x01\x02b)"])
        self.assertEqual(self.c.ok("FETCH 1 (BINARY.PEEK[2]<0.2>)"),
                         [b"* 1 FETCH (BINARY[2]<0> ~{2}\r\n\x00\x01)"])
        self.assertEqual(self.c.ok("UID FETCH 1:* (BINARY.PEEK[1]<6.100>)")[1],
                         b"* 2 FETCH (BINARY[1]<6> {5}\r\nworld UID 2)")

    def test_unknown_transfer_encoding(self):
        lines, tagged = self.c.run("FETCH 1 (BINARY.PEEK[3])")
        self.assertEqual(lines, [])
        self.assertTrue(tagged.startswith(b"NO [UNKNOWN-CTE]"), tagged)
        lines, tagged = self.c.run("UID FETCH 1 (BINARY.SIZE[3] BINARY.SIZE[4])")
        self.assertEqual(lines, [b"* 1 FETCH (BINARY.SIZE[4] 5 UID 1)"])
        self.assertTrue(tagged.startswith(b"NO [UNKNOWN-CTE]"), tagged)
        # The other messages are still answered.
        lines, tagged = self.c.run("FETCH 1:2 (BINARY.PEEK[3])")
        self.assertEqual(lines, [b"* 2 FETCH (BINARY[3] {0}\r\n)"])
        self.assertTrue(tagged.startswith(b"NO [UNKNOWN-CTE]"), tagged)

    def test_binary_sets_seen_and_peek_does_not(self):
        self.c.ok("STORE 2 -FLAGS.SILENT (\\Seen)")
        self.assertEqual(self.c.ok("FETCH 2 (BINARY.PEEK[1])"),
                         [b"* 2 FETCH (BINARY[1] {11}\r\nhello world)"])
        self.assertEqual(self.c.ok("FETCH 2 (BINARY[1])"),
                         [b"* 2 FETCH (BINARY[1] {11}\r\nhello world FLAGS (\\Seen))"])

    def test_bad_binary_items(self):
        for item in ("BINARY[HEADER]", "BINARY.PEEK[1.MIME]", "BINARY.SIZE[1]<0.1>",
                     "BINARY[1]<1>"):
            _, tagged = self.c.run("FETCH 1 (%s)" % item)
            self.assertTrue(tagged.startswith(b"BAD"), (item, tagged))

    def test_append_literal8(self):
        body = (b"From: a@example.com\r\nSubject: raw\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: binary\r\n\r\n\x01\x02\xfe\xff raw\r\n")
        _, tagged = self.c.run(b"APPEND Bin ~{%d+}\r\n%s" % (len(body), body))
        self.assertTrue(tagged.startswith(b"OK [APPENDUID"), tagged)
        uid = int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))
        self.c.ok("NOOP")
        lines = self.c.ok("UID FETCH %d (BODY.PEEK[] BINARY.PEEK[1])" % uid)
        self.assertEqual(lines[0], b"* 3 FETCH (BODY[] {%d}\r\n%s BINARY[1] {10}\r\n"
                         b"\x01\x02\xfe\xff raw\r\n UID %d)" % (len(body), body, uid))
        # NUL could not be sent back in BODY[]: such a message is refused.
        with_nul = body.replace(b"\x01", b"\x00")
        _, tagged = self.c.run(b"APPEND Bin ~{%d+}\r\n%s" % (len(with_nul), with_nul))
        self.assertTrue(tagged.startswith(b"NO [UNKNOWN-CTE]"), tagged)
        lines = self.c.ok("STATUS Bin (MESSAGES)")
        self.assertIn(b"MESSAGES 3", lines[0])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
