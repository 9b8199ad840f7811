"""Replication between real slotds on loopback (doc/replication.md): IMAP and
LMTP writes on a master reach its replica, equal within a deadline; the
replica, promoted by a role change with a higher epoch after the master is
stopped, serves every message byte-exact; the old master, started again
from the old production.dat, is fenced by the new master's hello."""
import imaplib
import shutil
import smtplib
import sys
import unittest

from clusterlib import Cluster, fetch_all
from slotlib import wait_for

USER, PASSWORD = "alice", "secret"


def mailbox_table(c, slot, user):
    """mailctl mailbox list on one slot: name -> (messages, unseen, bytes,
    uidvalidity, uidnext, highestmodseq, special-use)."""
    r = c.mailctl("--slot", slot, "mailbox", "list", user)
    if r.returncode != 0:
        return None
    rows = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        rows[f[0]] = tuple(f[1:])
    return rows


class ReplicationTest(unittest.TestCase):
    """With the channel compressed (zlib, negotiated in the hello); the
    other tests of replication run it plain."""

    def setUp(self):
        self.c = Cluster("127.0.0.81", local_extra=["replication_compress = yes"])
        self.addCleanup(self.c.close)
        self.c.ok("user", "add", USER, "--store", "s1", "--password-stdin", input=PASSWORD)

    def replica_equal(self, store, user):
        c = self.c
        mine = mailbox_table(c, c.master_of(store).name, user)
        theirs = mailbox_table(c, c.replica_of(store).name, user)
        return mine is not None and mine == theirs

    def test_writes_reach_the_replica_and_survive_a_failover(self):
        c = self.c
        master, replica = c.master_of("s1"), c.replica_of("s1")
        m = imaplib.IMAP4(*master.imap)
        m.login(USER, PASSWORD)
        for i in range(5):
            body = ("From: a@example.com\r\nSubject: append %d\r\n\r\n%s\r\n" % (i, "x" * (i * 3000)))
            self.assertEqual(m.append("INBOX", "(\\Seen)" if i % 2 else None, None,
                                      body.encode())[0], "OK")
        m.create("Work")
        m.select("INBOX")
        m.uid("STORE", "1:2", "+FLAGS", "(\\Flagged $label1)")
        m.uid("MOVE", "3", "Work")
        m.uid("STORE", "4", "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.logout()
        with smtplib.LMTP(*master.lmtp) as l:
            l.sendmail("b@example.com", [USER + "@localhost"],
                       b"From: b@example.com\r\nSubject: over lmtp\r\n\r\nhello\r\n")
        wait_for(lambda: self.replica_equal("s1", USER), timeout=15,
                 what="the replica to equal the master")
        self.assertRegex(replica.stderr(), r"replication: 127\.0\.0\.\d+ compresses \(zlib\)")
        # The master's status says the replica is current.
        code, st = c.status()
        row = [s for s in st["slots"] if s["slot"] == master.name][0]
        self.assertEqual(row["pending_users"], 0)
        self.assertIsInstance(row["lag_seconds"], (int, float))
        before = fetch_all(master.imap, USER, PASSWORD)
        self.assertEqual(len(before), 5)
        # Failover by hand: stop the master, promote the replica with a
        # higher epoch, read everything there.
        c.stop_slot(master.name)
        c.ok("slot", "role", replica.name, "master", "--epoch", "2")
        after = fetch_all(replica.imap, USER, PASSWORD)
        self.assertEqual(after, before)
        # The old master comes back from the old production.dat (master at
        # epoch 1): the new master's replication hello fences it.
        c.start_slot(master.name)

        def fenced():
            code, st = c.status()
            row = [s for s in st["slots"] if s["slot"] == master.name][0]
            return row.get("role") == "replica" and row.get("epoch") == 2
        wait_for(fenced, timeout=15, what="the old master to become a replica at epoch 2")
        refusal = None
        m = imaplib.IMAP4(*master.imap)
        try:
            m.login(USER, PASSWORD)
        except imaplib.IMAP4.error as e:
            refusal = str(e)
        self.assertIn("UNAVAILABLE", refusal or "")
        self.assertIn("replicates store s1 at epoch 2", c.logs())
        # New writes on the new master reach the old one.
        m = imaplib.IMAP4(*replica.imap)
        m.login(USER, PASSWORD)
        m.append("INBOX", None, None, b"Subject: after failover\r\n\r\nnew\r\n")
        m.logout()
        wait_for(lambda: mailbox_table(c, master.name, USER) ==
                 mailbox_table(c, replica.name, USER), timeout=15,
                 what="the old master to catch up")

    def test_an_old_master_with_unconfirmed_changes_is_not_overwritten(self):
        """Forced failover while the replica was behind: the old master comes
        back holding a message nobody else has. The new master's sync must not
        overwrite it: the old slot stays fenced and keeps it for a rejoin."""
        c = self.c
        master, replica = c.master_of("s1"), c.replica_of("s1")
        wait_for(lambda: self.replica_equal("s1", USER), timeout=15, what="first sync")
        c.stop_slot(replica.name)
        m = imaplib.IMAP4(*master.imap)
        m.login(USER, PASSWORD)
        m.append("INBOX", None, None, b"Subject: only on the old master\r\n\r\nx\r\n")
        m.logout()
        before = mailbox_table(c, master.name, USER)
        c.stop_slot(master.name)
        c.start_slot(replica.name)
        c.ok("slot", "role", replica.name, "master", "--epoch", "2")
        c.start_slot(master.name)
        wait_for(lambda: "keeps them for a rejoin" in c.logs(), timeout=15,
                 what="the old master to refuse the sync")

        def fenced():
            code, st = c.status()
            row = [s for s in st["slots"] if s["slot"] == master.name][0]
            return row.get("role") == "fenced" and row.get("epoch") == 2
        wait_for(fenced, timeout=15, what="the old master fenced at epoch 2")
        # Its message is still there, and it serves nobody.
        self.assertEqual(mailbox_table(c, master.name, USER), before)
        m = imaplib.IMAP4(*master.imap)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login(USER, PASSWORD)

    def test_a_replica_down_catches_up_when_it_returns(self):
        c = self.c
        master, replica = c.master_of("s1"), c.replica_of("s1")
        wait_for(lambda: self.replica_equal("s1", USER), timeout=15, what="first sync")
        c.stop_slot(replica.name)
        with smtplib.LMTP(*master.lmtp) as l:
            for i in range(3):
                l.sendmail("b@example.com", [USER + "@localhost"],
                           ("Subject: while down %d\r\n\r\nx\r\n" % i).encode())
        # The master keeps serving and says what is pending.

        def pending():
            code, st = c.status()
            row = [s for s in st["slots"] if s["slot"] == master.name][0]
            return code != 0 and row["pending_users"] >= 1 and replica.name in row.get("replicas_down", [])
        wait_for(pending, timeout=15, what="status to show the replica down and a user pending")
        c.start_slot(replica.name)
        wait_for(lambda: self.replica_equal("s1", USER), timeout=20, what="the replica to catch up")

    def test_an_empty_replica_is_filled_by_a_full_pass(self):
        """Initial sync: a replica whose slot directory is gone (a new disk,
        a new slot) gets every user of the master, although the change log
        names none of them any more."""
        c = self.c
        master, replica = c.master_of("s1"), c.replica_of("s1")
        for u in ("bob", "carol", "dave"):
            c.ok("user", "add", u, "--store", "s1", "--password-stdin", input="pw")
        with smtplib.LMTP(*master.lmtp) as l:
            for i in range(20):
                l.sendmail("b@example.com", ["%s@localhost" % ("bob", "carol", "dave")[i % 3]],
                           ("Subject: m %d\r\n\r\n%s\r\n" % (i, "y" * 1000 * i)).encode())
        users = ("alice", "bob", "carol", "dave")
        wait_for(lambda: all(self.replica_equal("s1", u) for u in users), timeout=20,
                 what="the first sync")
        c.stop_slot(replica.name)
        shutil.rmtree(c.slot_dir(replica.name))
        c.start_slot(replica.name)
        wait_for(lambda: all(self.replica_equal("s1", u) for u in users), timeout=30,
                 what="the empty replica to be filled")
        self.assertIn("compared in full", c.logs())
        self.assertEqual(c.ok("--slot", replica.name, "user", "list").split(), list(users))


class SyncModeTest(unittest.TestCase):
    """Store s2 of the test cluster is mode=sync, on_replica_down=degrade:
    an OK to APPEND and a 250 to LMTP come only once the replica has the
    message; with the replica down, writes go on as in async mode and the
    slot says it is degraded."""

    def setUp(self):
        self.c = Cluster("127.0.0.87")
        self.addCleanup(self.c.close)
        self.c.ok("user", "add", "bob", "--store", "s2", "--password-stdin", input="pw")
        self.master, self.replica = self.c.master_of("s2"), self.c.replica_of("s2")
        wait_for(lambda: mailbox_table(self.c, self.replica.name, "bob") is not None,
                 timeout=15, what="bob on the replica")

    def replica_count(self):
        return int(mailbox_table(self.c, self.replica.name, "bob")["INBOX"][0])

    def test_ok_only_once_the_replica_has_it(self):
        m = imaplib.IMAP4(*self.master.imap)
        m.login("bob", "pw")
        for i in range(5):
            self.assertEqual(m.append("INBOX", None, None, b"Subject: s%d\r\n\r\nx\r\n" % i)[0], "OK")
            # No waiting: the OK itself says the replica has it.
            self.assertEqual(self.replica_count(), i + 1)
        m.logout()
        with smtplib.LMTP(*self.master.lmtp) as l:
            l.sendmail("a@example.com", ["bob@localhost"], b"Subject: lmtp\r\n\r\nx\r\n")
        self.assertEqual(self.replica_count(), 6)

    def test_a_replica_down_degrades_to_async_and_says_so(self):
        c = self.c
        c.stop_slot(self.replica.name)
        m = imaplib.IMAP4(*self.master.imap)
        m.login("bob", "pw")
        self.assertEqual(m.append("INBOX", None, None, b"Subject: while down\r\n\r\nx\r\n")[0], "OK")
        m.logout()

        def degraded():
            code, st = c.status()
            row = [s for s in st["slots"] if s["slot"] == self.master.name][0]
            return row.get("sync_degraded") is True
        wait_for(degraded, timeout=15, what="status to say sync mode is degraded")
        self.assertIn("sync replication degraded to async", c.logs())
        c.start_slot(self.replica.name)
        wait_for(lambda: self.replica_count() == 1, timeout=20, what="the replica to catch up")
        m = imaplib.IMAP4(*self.master.imap)
        m.login("bob", "pw")
        self.assertEqual(m.append("INBOX", None, None, b"Subject: back\r\n\r\nx\r\n")[0], "OK")
        m.logout()
        self.assertEqual(self.replica_count(), 2)
        wait_for(lambda: "sync replication restored" in c.logs(), timeout=5, what="restored log")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + ["-v"] + sys.argv[1:])
