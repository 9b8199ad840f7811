"""OBJECTID (RFC 8474) against a real slotd: MAILBOXID in CREATE, SELECT and
STATUS (kept by RENAME), FETCH EMAILID (stable across COPY and MOVE) and
THREADID (NIL), SEARCH EMAILID and THREADID."""
import imaplib
import re
import sys
import unittest

import slotlib

OBJECTID = rb"[A-Za-z0-9_-]{1,255}"


def msg(n):
    return b"From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)


class ObjectId(slotlib.MailboxPerTest):
    def setUp(self):
        super().setUp()
        self.c = slotlib.RawImap(self.slot)

    def tearDown(self):
        self.c.close()

    def create(self, name):
        _, tagged = self.c.run("CREATE " + name)
        m = re.match(rb"OK \[MAILBOXID \((%s)\)\] " % OBJECTID, tagged)
        self.assertTrue(m, tagged)
        return m.group(1)

    def append(self, box, n):
        body = msg(n)
        _, tagged = self.c.run(b"APPEND %s {%d+}\r\n%s" % (box.encode(), len(body), body))
        return int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))

    def emailids(self, command):
        """{uid: emailid} from the FETCH responses of `command`."""
        out = {}
        for line in self.c.ok(command):
            uid = re.search(rb" UID (\d+)", line)
            emailid = re.search(rb"EMAILID \((%s)\)" % OBJECTID, line)
            if line.startswith(b"* ") and uid and emailid:
                out[int(uid.group(1))] = emailid.group(1)
        return out

    def test_advertised(self):
        self.assertIn("OBJECTID", self.c.m.capabilities)

    def test_mailboxid_in_create_select_status_and_kept_by_rename(self):
        box_id = self.create(self.box)
        other_id = self.create(self.box + "-other")
        self.assertNotEqual(box_id, other_id)
        lines = self.c.ok("SELECT " + self.box)
        self.assertIn(b"* OK [MAILBOXID (%s)] Ok" % box_id, lines)
        lines = self.c.ok("EXAMINE " + self.box)
        self.assertIn(b"* OK [MAILBOXID (%s)] Ok" % box_id, lines)
        self.c.ok("UNSELECT")
        self.assertEqual(self.c.ok("STATUS %s (MAILBOXID MESSAGES)" % self.box),
                         [b'* STATUS "%s" (MAILBOXID (%s) MESSAGES 0)' % (self.box.encode(), box_id)])
        self.c.ok("RENAME %s %s-renamed" % (self.box, self.box))
        self.assertEqual(self.c.ok("STATUS %s-renamed (MAILBOXID)" % self.box),
                         [b'* STATUS "%s-renamed" (MAILBOXID (%s))' % (self.box.encode(), box_id)])
        # A new mailbox under the old name is a different mailbox.
        self.assertNotEqual(self.create(self.box), box_id)
        # imaplib sees the untagged code of SELECT.
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        try:
            m.login("alice", "secret")
            m.select(self.box + "-renamed")
            self.assertEqual(m.response("MAILBOXID"), ("MAILBOXID", [b"(%s)" % box_id]))
        finally:
            m.logout()

    def test_emailid_stable_across_copy_and_move(self):
        self.create(self.box)
        self.create(self.box + "-copy")
        self.create(self.box + "-move")
        u1, u2 = self.append(self.box, 1), self.append(self.box, 2)
        self.c.ok("SELECT " + self.box)
        ids = self.emailids("UID FETCH 1:* (EMAILID)")
        self.assertEqual(sorted(ids), [u1, u2])
        self.assertNotEqual(ids[u1], ids[u2])
        self.assertEqual(self.emailids("UID FETCH %d (EMAILID)" % u1), {u1: ids[u1]})
        lines = self.c.ok("FETCH 1 (THREADID EMAILID)")
        self.assertEqual(lines, [b"* 1 FETCH (THREADID NIL EMAILID (%s))" % ids[u1]])
        self.c.ok("UID COPY %d %s-copy" % (u1, self.box))
        self.c.ok("UID MOVE %d %s-move" % (u2, self.box))
        self.c.ok("SELECT %s-copy" % self.box)
        self.assertEqual(list(self.emailids("UID FETCH 1:* (EMAILID)").values()), [ids[u1]])
        self.assertEqual(self.c.ok("SEARCH EMAILID " + ids[u1].decode()), [b"* SEARCH 1"])
        self.c.ok("SELECT %s-move" % self.box)
        self.assertEqual(list(self.emailids("UID FETCH 1:* (EMAILID)").values()), [ids[u2]])
        self.assertEqual(self.c.ok("SEARCH EMAILID " + ids[u1].decode()), [b"* SEARCH"])

    def test_search_emailid_and_threadid(self):
        self.create(self.box)
        uids = [self.append(self.box, n) for n in range(1, 4)]
        self.c.ok("SELECT " + self.box)
        ids = self.emailids("UID FETCH 1:* (EMAILID)")
        self.assertEqual(self.c.ok("UID SEARCH EMAILID " + ids[uids[1]].decode()),
                         [b"* SEARCH %d" % uids[1]])
        self.assertEqual(self.c.ok("SEARCH OR EMAILID %s EMAILID %s"
                                   % (ids[uids[0]].decode(), ids[uids[2]].decode())),
                         [b"* SEARCH 1 3"])
        self.assertEqual(self.c.ok("SEARCH NOT EMAILID " + ids[uids[0]].decode()),
                         [b"* SEARCH 2 3"])
        # No threads are kept: THREADID is NIL and matches nothing.
        self.assertEqual(self.c.ok("SEARCH THREADID T123"), [b"* SEARCH"])
        for bad in ("SEARCH EMAILID", "SEARCH EMAILID a.b", 'SEARCH EMAILID "x"',
                    "SEARCH THREADID " + "x" * 256):
            _, tagged = self.c.run(bad)
            self.assertTrue(tagged.startswith(b"BAD"), (bad, tagged))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
