"""mailctl status warns when a slot passes 80% of its size (doc/mailctl.md):
a cluster whose slot m1:1 is given 200K in production.dat, mail delivered
to a user of its store until it passes 80%, then `mailctl status` names the
slot as a problem (exit 8); the other slots are not named."""
import imaplib
import re
import unittest

from clusterlib import Cluster
from slotlib import wait_for

USER, PASSWORD = "fay", "secret"


class SlotFullTest(unittest.TestCase):
    def test_a_slot_over_80_percent_is_a_problem(self):
        c = Cluster("127.0.0.134", start=False)
        self.addCleanup(c.close)
        with open(c.production) as f:
            text = f.read()
        text = re.sub(r"^slot m1:1 size=\S+", "slot m1:1 size=200K", text, flags=re.M)
        with open(c.production, "w") as f:
            f.write(text)
        for name in c.slots:
            c.start_slot(name)
        c.ok("user", "add", USER, "--store", "s1", "--password-stdin", input=PASSWORD)
        code, st = c.status()
        self.assertEqual(code, 0, st["problems"])
        m = imaplib.IMAP4(*c.master_of("s1").imap, timeout=10)
        m.login(USER, PASSWORD)
        m.append("INBOX", None, None, b"Subject: big\r\n\r\n" + b"x" * 170000 + b"\r\n")
        m.logout()

        def full_problem():
            code, st = c.status()
            named = [p for p in st["problems"] if "% full" in p]
            return code == 8 and named and named
        named = wait_for(full_problem, timeout=20, what="status to name the full slot")
        self.assertEqual(len(named), 1, named)
        self.assertRegex(named[0], r"^slot m1:1 is (8[1-9]|9\d|\d{3})% full \(over 80% of its size 200K\)")


if __name__ == "__main__":
    unittest.main()
