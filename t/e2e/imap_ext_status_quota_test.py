"""STATUS=SIZE (RFC 8438), STATUS DELETED / DELETED-STORAGE / APPENDLIMIT and
QUOTA (RFC 9208: GETQUOTA, GETQUOTAROOT, SETQUOTA, the untagged QUOTA after
an over-quota APPEND) against a real slotd, over raw imaplib connections."""
import imaplib
import os
import subprocess
import sys
import unittest

import slotlib

MSG = b"From: a@example.com\r\nSubject: s\r\n\r\n" + b"x" * 700 + b"\r\n"


def restart_with_mailctl(slot, *args):
    """Stops slotd, runs mailctl (which must not run beside slotd), starts
    slotd again on the same slot and reads its new ports."""
    slot.stop()
    slot.proc.stdout.close()
    slot.mailctl(*args)
    slot.proc = subprocess.Popen([os.path.join(slotlib.BIN, "slotd"), "--config",
                                  os.path.join(slot.tmp, "slotd.conf")],
                                 stdout=subprocess.PIPE, stderr=slot.log, text=True)
    slot.ports = {}
    for line in slot.proc.stdout:
        words = line.split()
        if words == ["ready"]:
            return
        if len(words) == 2 and ":" in words[1]:
            slot.ports[words[0]] = int(words[1].rsplit(":", 1)[1])
    raise AssertionError("slotd exited during start-up: " + slot.stderr())


class Conn:
    """A logged-in imaplib connection that can run raw commands."""

    def __init__(self, test, slot):
        self.test = test
        self.m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
        self.m.login("alice", "secret")

    def run(self, command, literals=()):
        """Sends `command` (and literal payloads after each "+"); returns
        (untagged lines in order, tagged text after the tag)."""
        tag = self.m._new_tag()
        self.m.send(tag + b" " + command + b"\r\n")
        lines, pending = [], list(literals)
        while True:
            line = self.m.readline().rstrip(b"\r\n")
            if line.startswith(b"+") and pending:
                self.m.send(pending.pop(0))
                continue
            if line.startswith(tag + b" "):
                return lines, line[len(tag) + 1:]
            lines.append(line)

    def expect(self, command, status):
        lines, tagged = self.run(command)
        self.test.assertTrue(tagged.startswith(status), (command, tagged))
        return lines, tagged

    def close(self):
        self.m.logout()


class Status(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def setUp(self):
        self.c = Conn(self, self.slot)

    def tearDown(self):
        self.c.close()

    def test_capabilities(self):
        caps = self.c.m.capabilities
        for cap in ("STATUS=SIZE", "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"):
            self.assertIn(cap, caps)
        self.assertNotIn("QUOTASET", caps)

    def test_size_deleted_and_appendlimit(self):
        m = self.c.m
        m.create("Stat")
        for flags in ("(\\Seen)", "(\\Deleted)", "(\\Deleted \\Seen)"):
            m.append("Stat", flags, None, MSG)
        lines, _ = self.c.expect(b"STATUS Stat (MESSAGES SIZE DELETED DELETED-STORAGE UNSEEN "
                                 b"APPENDLIMIT messages)", b"OK")
        # DELETED-STORAGE counts 1024-octet units, rounded up (RFC 9208 5.1).
        self.assertEqual(lines, [b'* STATUS "Stat" (MESSAGES 3 SIZE %d DELETED 2 '
                                 b'DELETED-STORAGE %d UNSEEN 1 APPENDLIMIT %d)'
                                 % (3 * len(MSG), (2 * len(MSG) + 1023) // 1024, 64 << 20)])
        m.select("Stat")
        m.expunge()
        lines, _ = self.c.expect(b"STATUS Stat (SIZE DELETED DELETED-STORAGE)", b"OK")
        self.assertEqual(lines, [b'* STATUS "Stat" (SIZE %d DELETED 0 DELETED-STORAGE 0)'
                                 % len(MSG)])

    def test_status_errors(self):
        self.c.expect(b"STATUS INBOX (BOGUS)", b"BAD")
        self.c.expect(b"STATUS INBOX ()", b"BAD")
        self.c.expect(b"STATUS INBOX MESSAGES", b"BAD")
        self.c.expect(b"STATUS INBOX (MESSAGES HIGHESTMODSEQ FROB)", b"BAD")
        _, tagged = self.c.expect(b"STATUS NoSuch (MESSAGES)", b"NO")
        self.assertIn(b"NONEXISTENT", tagged)

    def test_quota_without_limits(self):
        lines, _ = self.c.expect(b"GETQUOTAROOT INBOX", b"OK")
        self.assertEqual(lines, [b'* QUOTAROOT "INBOX" ""'])  # no limit: no QUOTA
        lines, _ = self.c.expect(b'GETQUOTA ""', b"OK")
        self.assertEqual(lines, [])
        _, tagged = self.c.expect(b'GETQUOTA "other"', b"NO")
        self.assertIn(b"NONEXISTENT", tagged)
        _, tagged = self.c.expect(b"GETQUOTAROOT NoSuch", b"NO")
        self.assertIn(b"NONEXISTENT", tagged)

    def test_setquota_is_refused(self):
        _, tagged = self.c.expect(b'SETQUOTA "" (STORAGE 512)', b"NO")
        self.assertIn(b"NOPERM", tagged)
        self.c.expect(b'SETQUOTA "" (STORAGE)', b"BAD")
        self.c.expect(b'SETQUOTA "" (STORAGE x)', b"BAD")
        self.c.expect(b'SETQUOTA ""', b"BAD")
        self.c.expect(b"GETQUOTA", b"BAD")
        self.c.expect(b"GETQUOTAROOT", b"BAD")


class QuotaLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        restart_with_mailctl(cls.slot, "user", "quota", "alice", "--bytes", "10240",
                             "--messages", "3")

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def test_quota_reports_and_overquota_append(self):
        c = Conn(self, self.slot)
        lines, _ = c.expect(b"GETQUOTAROOT Sent", b"OK")
        self.assertEqual(lines, [b'* QUOTAROOT "Sent" ""',
                                 b'* QUOTA "" (STORAGE 0 10 MESSAGE 0 3)'])
        c.m.append("INBOX", None, None, MSG)
        c.m.append("Sent", None, None, MSG)
        lines, _ = c.expect(b'GETQUOTA ""', b"OK")
        used_kib = (2 * len(MSG) + 1023) // 1024
        self.assertEqual(lines, [b'* QUOTA "" (STORAGE %d 10 MESSAGE 2 3)' % used_kib])
        # Two more would pass the message limit: refused, with the numbers.
        lines, tagged = c.run(b"APPEND INBOX {%d+}\r\n" % len(MSG) + MSG +
                              b" {%d+}\r\n" % len(MSG) + MSG)
        self.assertTrue(tagged.startswith(b"NO [OVERQUOTA]"), tagged)
        self.assertEqual(lines, [b'* QUOTA "" (STORAGE %d 10 MESSAGE 2 3)' % used_kib])
        lines, _ = c.expect(b"STATUS INBOX (MESSAGES)", b"OK")
        self.assertEqual(lines, [b'* STATUS "INBOX" (MESSAGES 1)'])
        c.close()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
