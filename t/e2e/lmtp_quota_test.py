"""LMTP delivery to recipients over quota (RFC 2033, RFC 3463 X.2.2), in a
real slotd, checked over IMAP.

Quotas are set with the real mailctl before slotd starts (mailctl cannot
open a slot slotd serves). Users: alice (no quota), full (at most one
message, filled by the test) and tiny (300 bytes: any message here is too
big for it). One multi-recipient transaction must give each recipient its
own reply, store alice's copy and store nothing for the others: by default
"452 4.2.2" (the MTA retries), with `lmtp_over_quota = permanent`
"552 5.2.2" (the MTA bounces)."""
import imaplib
import re
import smtplib
import sys
import unittest

import slotlib
from lmtp_test import Raw, strip_trace

USERS = (("alice", "secret"), ("full", "pw"), ("tiny", "pw"))
BODY = (b"From: sender@example.org\r\nSubject: quota\r\nMessage-ID: <quota@example.org>\r\n"
        b"\r\n" + b"a line of text to make the message larger than 300 bytes\r\n" * 8)


def set_quotas(slot):
    slot.mailctl("user", "quota", "full", "--messages", "1")
    slot.mailctl("user", "quota", "tiny", "--bytes", "300")


class QuotaOutcomes:
    """The checks, run against a slot with the given setting (mixin)."""
    extra = []
    expected = None  # (code, enhanced code) for a recipient over quota

    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=USERS, setup=set_quotas,
                                extra=["lmtp_listen = 127.0.0.1:0"] + cls.extra)

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def mailbox(self, user, password):
        """(messages in INBOX, {resource: usage} from GETQUOTAROOT)."""
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        try:
            m.login(user, password)
            typ, _ = m.select("INBOX", readonly=True)
            self.assertEqual(typ, "OK")
            typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
            messages = [part[1] for part in data if isinstance(part, tuple)]
            typ, data = m.getquotaroot("INBOX")
            self.assertEqual(typ, "OK")
            text = b" ".join(x for x in sum(data, []) if x).decode()
            return messages, {k: int(v) for k, v in re.findall(r"([A-Z]+) (\d+) \d+", text)}
        finally:
            m.logout()

    def test_over_quota_recipients_fail_alone_and_nothing_is_stored(self):
        c = smtplib.LMTP("127.0.0.1", self.slot.ports["lmtp"])
        first = b"Subject: fills the quota\r\n\r\none\r\n"
        self.assertEqual(c.sendmail("s@x", ["full@x"], first), {})
        c.quit()
        full_before, full_usage = self.mailbox("full", "pw")
        self.assertEqual((len(full_before), full_usage), (1, {"MESSAGE": 1}))
        alice_before, _ = self.mailbox("alice", "secret")

        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        self.assertEqual(r.replies(1)[0][0], 220)
        r.send(b"LHLO mta.example\r\nMAIL FROM:<sender@example.org>\r\n"
               b"RCPT TO:<full@example.com>\r\nRCPT TO:<alice@example.com>\r\n"
               b"RCPT TO:<tiny@example.com>\r\nDATA\r\n")
        self.assertEqual([c for c, _ in r.replies(6)], [250, 250, 250, 250, 250, 354])
        r.send(BODY + b".\r\nNOOP\r\n")
        got = r.replies(4)
        code, enhanced = self.expected
        self.assertEqual([c for c, _ in got], [code, 250, code, 250], got)
        self.assertTrue(got[0][1].startswith(enhanced), got[0])
        self.assertTrue(got[1][1].startswith("2.0.0"), got[1])
        self.assertTrue(got[2][1].startswith(enhanced), got[2])

        # alice has her copy, byte for byte.
        alice, _ = self.mailbox("alice", "secret")
        self.assertEqual(len(alice), len(alice_before) + 1)
        self.assertEqual(strip_trace(alice[-1])[0], BODY)
        # Nothing half-stored for the others: same messages, same usage.
        self.assertEqual(self.mailbox("full", "pw"), (full_before, {"MESSAGE": 1}))
        # STORAGE usage rounds up to KiB: 0 means not one byte is counted.
        self.assertEqual(self.mailbox("tiny", "pw"), ([], {"STORAGE": 0}))

        # The refusal leaves the session usable, and a message that fits
        # (the quota has room) is still refused for full but not for alice.
        r.send(b"MAIL FROM:<>\r\nRCPT TO:<full@x>\r\nRCPT TO:<alice@x>\r\nDATA\r\n")
        self.assertEqual([c for c, _ in r.replies(4)], [250, 250, 250, 354])
        r.send(b"Subject: small\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        self.assertEqual([c for c, _ in r.replies(3)], [code, 250, 221])


class TemporaryTest(QuotaOutcomes, unittest.TestCase):
    expected = (452, "4.2.2")  # the default


class PermanentTest(QuotaOutcomes, unittest.TestCase):
    extra = ["lmtp_over_quota = permanent"]
    expected = (552, "5.2.2")


class ConfigTest(unittest.TestCase):
    def test_a_bad_value_stops_slotd_naming_the_key(self):
        with self.assertRaises(AssertionError) as e:
            slotlib.Slot(tls=False, extra=["lmtp_over_quota = sometimes"]).close()
        self.assertIn("lmtp_over_quota", str(e.exception))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
