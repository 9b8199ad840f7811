"""BINARY (RFC 3516, part of IMAP4rev2) against a real slotd: FETCH
BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE decode the transfer
encoding, decoded data with NUL comes as a literal8, an unknown encoding
ends the FETCH with NO [UNKNOWN-CTE], and APPEND takes literal8. Messages
holding NUL (from APPEND's literal8 or from LMTP) are kept with the binary
parts base64-encoded; BODY[] never carries NUL (issue 14 point 3)."""
import base64
import re
import smtplib
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
        cls.slot = slotlib.Slot(tls=False, extra=["lmtp_listen = 127.0.0.1:0"])
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

    def fetch(self, uid, items):
        """The one FETCH response of UID FETCH `uid` `items`, as bytes."""
        lines = self.c.ok("UID FETCH %d %s" % (uid, items))
        self.assertEqual(len(lines), 1, lines)
        return lines[0]

    def check_binary_message(self, uid, blob):
        """RFC 3516 4.3 / RFC 9051 4.3.1: BINARY[1] returns `blob` as a
        literal8; BODY[] is a plain literal without NUL, the part in base64,
        and its length is RFC822.SIZE."""
        self.assertIn(b"BINARY[1] ~{%d}\r\n%s " % (len(blob), blob),
                      self.fetch(uid, "(BINARY.PEEK[1])"))
        whole = self.fetch(uid, "(BODY.PEEK[] RFC822.SIZE)")
        m = re.match(rb"\* \d+ FETCH \(BODY\[\] \{(\d+)\}\r\n", whole)
        self.assertTrue(m, whole)
        body = whole[m.end():m.end() + int(m.group(1))]
        self.assertNotIn(b"\x00", whole)
        self.assertIn(b"Content-Transfer-Encoding: base64\r\n", body)
        self.assertIn(base64.b64encode(blob), body.replace(b"\r\n", b""))
        self.assertIn(b"RFC822.SIZE %d" % len(body), whole)
        return body

    def test_append_literal8_with_nul(self):
        # Issue 14 point 3, RFC 3516 4.4: stored (the server may change the
        # part's transfer encoding, but loses no data), not refused.
        blob = b"\x00\x01 nul\xff\r\n"
        body = (b"From: a@example.com\r\nSubject: nul\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: binary\r\n\r\n" + blob)
        _, tagged = self.c.run(b"APPEND Bin ~{%d+}\r\n%s" % (len(body), body))
        self.assertTrue(tagged.startswith(b"OK [APPENDUID"), tagged)
        uid = int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))
        self.c.ok("NOOP")
        stored = self.check_binary_message(uid, blob)
        self.assertTrue(stored.startswith(b"From: a@example.com\r\nSubject: nul\r\n"), stored)
        self.assertIn(b"BINARY.SIZE[1] %d" % len(blob), self.fetch(uid, "(BINARY.SIZE[1])"))

    def test_lmtp_message_with_nul(self):
        # Issue 14 point 3: NUL delivered over LMTP, in a part and in a
        # header. The part is kept as for APPEND; the header's NUL, which no
        # transfer encoding covers, goes out as 0x80 in BODY[] (RFC 9051
        # 4.3.1: no NUL outside a literal8) and as itself in BINARY[].
        blob = b"bin\x00ary\r\n"
        msg = (b"From: lmtp@example.com\r\nSubject: a\x00b\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=QQ\r\n\r\n"
               b"--QQ\r\nContent-Type: application/octet-stream\r\n\r\n" + blob +
               b"\r\n--QQ--\r\n")
        lmtp = smtplib.LMTP("127.0.0.1", self.slot.ports["lmtp"])
        self.addCleanup(lmtp.close)
        lmtp.sendmail("s@example.com", ["alice@localhost"], msg)
        self.c.ok("SELECT INBOX")
        uid = int(re.search(rb"UID (\d+)", self.fetch_last_uid()).group(1))
        body = self.check_binary_message(uid, blob)
        self.assertIn(b"Subject: a\x80b\r\n", body)
        whole = self.fetch(uid, "(BINARY.PEEK[])")
        self.assertIn(b"Subject: a\x00b\r\n", whole)
        self.assertTrue(whole.startswith(b"* 1 FETCH (BINARY[] ~{"), whole[:40])

    def fetch_last_uid(self):
        lines = self.c.ok("FETCH * (UID)")
        self.assertEqual(len(lines), 1, lines)
        return lines[0]


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
