"""mailctl failover (planned, and --force) on a cluster of real slotds on loopback
(doc/mailctl.md): while IMAP clients append and an LMTP client delivers, the
store's master moves to its replica and back. Afterwards every APPEND that
got OK and every delivery that got 250 is on the current master exactly
once, byte-exact; both slots are equal; production.dat names the new master
at the higher epoch and still passes `mailctl check`; a client logged in
during the failover was told BYE and logs in again on the new master. A
failover that is not safe (a slot down, a slot that is not a replica, an
unknown store) is refused and changes nothing."""
import email
import imaplib
import json
import os
import random
import re
import signal
import smtplib
import socket
import threading
import time
import unittest

from clusterlib import Cluster, fetch_all
from slotlib import wait_for

PASSWORD = "secret"
USERS = ["ann", "bob", "cid"]


def mailbox_table(c, slot, user):
    r = c.mailctl("--slot", slot, "mailbox", "list", user)
    if r.returncode != 0:
        return None
    return {f[0]: tuple(f[1:]) for f in (line.split("\t") for line in r.stdout.splitlines())}


class Writer(threading.Thread):
    """Writes to whichever slot of the store serves: IMAP APPEND as `user`,
    or LMTP to `user` (lmtp=True). Records what was acknowledged, by
    Message-ID; a refusal or a dropped session sends it to the other slot."""

    def __init__(self, slots, user, lmtp, stop, seed):
        super().__init__(daemon=True)
        self.slots, self.user, self.lmtp, self.stop = slots, user, lmtp, stop
        self.rng = random.Random(seed)
        self.acked = {}
        self.byes = 0  # sessions ended by the server while logged in
        self.n = 0

    def message(self):
        self.n += 1
        mid = "<%s-%s-%d@failover.test>" % (self.user, "l" if self.lmtp else "i", self.n)
        body = ("From: w@example.com\r\nTo: %s@localhost\r\nMessage-ID: %s\r\n"
                "Subject: %d\r\n\r\n%s\r\n" % (self.user, mid, self.n,
                                                 "x" * self.rng.randint(10, 3000)))
        return mid, body.encode()

    def run(self):
        i = 0
        while not self.stop.is_set():
            slot = self.slots[i % len(self.slots)]
            i += 1
            try:
                if self.lmtp:
                    self.deliver(slot)
                else:
                    self.append(slot)
            except (OSError, imaplib.IMAP4.error, smtplib.SMTPException, EOFError):
                pass  # refused or cut off: the next round tries the other slot

    def deliver(self, slot):
        with smtplib.LMTP(*slot.lmtp, timeout=10) as l:
            while not self.stop.is_set():
                mid, data = self.message()
                l.sendmail("w@example.com", [self.user + "@localhost"], data)  # raises unless 250
                self.acked[mid] = data

    def append(self, slot):
        m = imaplib.IMAP4(*slot.imap, timeout=10)
        try:
            m.login(self.user, PASSWORD)
        except imaplib.IMAP4.error:
            m.shutdown()
            raise
        try:
            while not self.stop.is_set():
                mid, data = self.message()
                try:
                    typ, _ = m.append("INBOX", None, None, data)
                except imaplib.IMAP4.abort:
                    self.byes += 1
                    raise
                if typ == "OK":
                    self.acked[mid] = data
        finally:
            try:
                m.shutdown()
            except OSError:
                pass


class FailoverTest(unittest.TestCase):
    def setUp(self):
        self.c = Cluster("127.0.0.121")
        self.addCleanup(self.c.close)
        for u in USERS:
            self.c.ok("user", "add", u, "--store", "s1", "--password-stdin", input=PASSWORD)

    def production(self):
        with open(self.c.production) as f:
            return f.read()

    def store_line(self):
        return re.search(r"^store s1 .*$", self.production(), re.M).group(0)

    def failover(self, *args):
        r = self.c.mailctl("failover", "s1", *args, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def test_planned_failover_under_load_loses_nothing(self):
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        stop = threading.Event()
        writers = [Writer([a, b], u, lmtp, stop, seed)
                   for seed, (u, lmtp) in enumerate([(u, l) for u in USERS for l in (False, True)])]
        for w in writers:
            w.start()
        self.addCleanup(stop.set)
        wait_for(lambda: all(len(w.acked) >= 3 for w in writers), timeout=30,
                 what="every writer to have written")
        # Over to the replica, and (with load still running) back again.
        # There every user compared, back only the users changed since the
        # new master's replicator verified them all (every user: all write).
        for new_master, epoch, how in ((b, 2, "all"), (a, 3, "changed")):
            code, out, err = self.failover("--json", *(["--verify-all"] if how == "all" else []))
            self.assertEqual(code, 0, out + err)
            got = json.loads(out)
            self.assertEqual((got["new_master"], got["epoch"]), (new_master.name, epoch), got)
            self.assertEqual(got["verified"], how)
            self.assertEqual(got["users_compared"], len(USERS))
            self.assertIn("master=%s" % new_master.name, self.store_line())
            self.assertIn("epoch=%d" % epoch, self.store_line())
            self.assertIn("serial=%d" % epoch, self.production())
            before = {w.user + str(w.lmtp): len(w.acked) for w in writers}
            wait_for(lambda: all(len(w.acked) > before[w.user + str(w.lmtp)] for w in writers),
                     timeout=30, what="every writer to write on the new master")
        stop.set()
        for w in writers:
            w.join(30)
        self.assertTrue(any(w.byes for w in writers if not w.lmtp),
                        "no IMAP session was told BYE during the failovers")
        master, replica = c.master_of("s1"), c.replica_of("s1")
        self.assertEqual(master.name, a.name)
        # Every acknowledged write, exactly once, byte-exact, on the master.
        for u in USERS:
            acked = {}  # Message-ID -> (bytes sent, over LMTP)
            for w in writers:
                if w.user == u:
                    acked.update({mid: (data, w.lmtp) for mid, data in w.acked.items()})
            seen = {}
            for (box, uid), (flags, data) in fetch_all(master.imap, u, PASSWORD).items():
                mid = email.message_from_bytes(data)["Message-ID"]
                seen.setdefault(mid, []).append(data)
            for mid, (data, lmtp) in acked.items():
                self.assertEqual(len(seen.get(mid, [])), 1, "%s: %s" % (u, mid))
                if lmtp:  # below the trace fields LMTP adds
                    self.assertTrue(seen[mid][0].endswith(b"\r\n" + data), mid)
                else:
                    self.assertEqual(seen[mid][0], data, mid)
            wait_for(lambda: mailbox_table(c, master.name, u) == mailbox_table(c, replica.name, u),
                     timeout=20, what="the replica to equal the master for " + u)
        self.assertEqual(c.mailctl("check").returncode, 0)
        code, st = c.status()
        self.assertEqual(code, 0, st["problems"])

    def append(self, slot, subject, flags=None):
        """APPEND as USERS[0] on `slot`; returns the message's bytes."""
        data = ("Message-ID: <%s@f>\r\nSubject: %s\r\n\r\n%s\r\n" %
                (subject, subject, subject)).encode()
        m = imaplib.IMAP4(*slot.imap, timeout=10)
        m.login(USERS[0], PASSWORD)
        self.assertEqual(m.append("INBOX", flags, None, data)[0], "OK")
        m.logout()
        return data

    def flag_first(self, slot, flag):
        m = imaplib.IMAP4(*slot.imap, timeout=10)
        m.login(USERS[0], PASSWORD)
        m.select("INBOX")
        self.assertEqual(m.uid("STORE", "1", "+FLAGS", flag)[0], "OK")
        m.logout()

    def role_of(self, name):
        code, st = self.c.status()
        row = [s for s in st["slots"] if s["slot"] == name][0]
        return row.get("role"), row.get("epoch")

    def assert_rejoined(self, a, b, mine, theirs):
        """mailctl rejoin a: what only a had (`mine`: subject -> bytes) is
        copied back to the master b, next to b's own writes (`theirs`), each
        exactly once; \\Flagged set on a's first message survives; then a is
        b's replica, equal to it."""
        c = self.c
        self.assertEqual(self.role_of(a.name), ("fenced", 2))
        m = imaplib.IMAP4(*a.imap, timeout=10)
        self.addCleanup(m.shutdown)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login(USERS[0], PASSWORD)  # fenced: serves nobody
        r = c.mailctl("rejoin", a.name, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for subject in mine:
            self.assertRegex(r.stdout, r"copied back: %s INBOX UID \d+ -> UID \d+ \(new on the "
                             r"old master\)" % USERS[0], subject)
        self.assertIn("1 flag changes", r.stdout)
        self.assertIn("equal to " + b.name, r.stdout)
        self.assertEqual(self.role_of(a.name), ("replica", 2))
        got = {}
        flagged = None
        for (box, uid), (flags, data) in fetch_all(b.imap, USERS[0], PASSWORD).items():
            subject = email.message_from_bytes(data)["Subject"]
            got.setdefault(subject, []).append(data)
            if uid == 1:
                flagged = "\\Flagged" in flags
        for subject, data in list(mine.items()) + list(theirs.items()) + [("before", None)]:
            self.assertEqual(len(got.get(subject, [])), 1, subject)
            if data is not None:
                self.assertEqual(got[subject][0], data, subject)
        self.assertTrue(flagged, "the old master's \\Flagged was lost")
        self.assertEqual(mailbox_table(c, a.name, USERS[0]), mailbox_table(c, b.name, USERS[0]))
        # Again: refused, nothing left to rejoin.
        r = c.mailctl("rejoin", a.name)
        self.assertEqual(r.returncode, 8, r.stdout + r.stderr)
        self.assertIn("not fenced", r.stderr)

    def write_only_on_the_master(self, a, b):
        """With the replica b stopped, the master a takes a message and a
        flag change that b never gets; returns {subject: bytes}."""
        self.append(a, "before")
        wait_for(lambda: mailbox_table(self.c, a.name, USERS[0]) ==
                 mailbox_table(self.c, b.name, USERS[0]),
                 timeout=20, what="the replica to have the first message")
        self.c.stop_slot(b.name)
        mine = {"only-on-a": self.append(a, "only-on-a")}  # async: OK without the replica
        self.flag_first(a, "\\Flagged")
        return mine

    def test_forced_failover_when_the_master_is_gone_then_rejoin(self):
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        mine = self.write_only_on_the_master(a, b)
        c.start_slot(b.name)
        # While the master answers, --force is refused.
        code, out, err = self.failover("--force")
        self.assertEqual(code, 8, err)
        self.assertIn("answers as master", err)
        c.kill_slot(a.name)
        code, out, err = self.failover("--force")
        self.assertEqual(code, 0, out + err)
        self.assertIn("%s is master at epoch 2" % b.name, out)
        self.assertRegex(out, r"last heard from it .* before the failover")
        self.assertIn("master=%s" % b.name, self.store_line())
        self.assertIn("epoch=2", self.store_line())
        theirs = {"on-b": self.append(b, "on-b")}
        # The old master comes back from the new production.dat, which names
        # it replica at epoch 2: it may hold unreplicated changes, so it
        # starts fenced, keeping them for the rejoin.
        c.start_slot(a.name)
        self.assert_rejoined(a, b, mine, theirs)

    def test_split_brain_the_resumed_old_master_stops_writing_and_rejoins(self):
        # Split brain on purpose: the master stopped (SIGSTOP) holding a
        # write its replica never got, the replica promoted by force, a
        # client writes there, the old master resumed.
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        mine = self.write_only_on_the_master(a, b)
        os.kill(a.proc.pid, signal.SIGSTOP)
        self.addCleanup(lambda: a.running() and os.kill(a.proc.pid, signal.SIGCONT))
        c.start_slot(b.name)
        code, out, err = self.failover("--force")
        self.assertEqual(code, 0, out + err)
        theirs = {"on-b": self.append(b, "on-b")}
        os.kill(a.proc.pid, signal.SIGCONT)

        def fenced():
            code, st = c.status()
            row = [s for s in st["slots"] if s["slot"] == a.name][0]
            return row.get("up") and row.get("serving") is False
        # Its replicator hears from its replica that it is master now (or
        # the new master's hello reaches it first): no more writes.
        wait_for(fenced, timeout=30, what="the old master to stop serving")
        self.assertRegex(a.stderr(), r"says it is master|stays fenced")
        m = imaplib.IMAP4(*a.imap, timeout=10)
        self.addCleanup(m.shutdown)
        with self.assertRaises(imaplib.IMAP4.error) as refused:
            m.login(USERS[0], PASSWORD)
        self.assertIn("UNAVAILABLE", str(refused.exception))
        with self.assertRaises(smtplib.SMTPException):
            with smtplib.LMTP(*a.lmtp, timeout=10) as l:
                l.sendmail("w@example.com", [USERS[0] + "@localhost"], b"Subject: no\r\n\r\nno\r\n")
        wait_for(lambda: self.role_of(a.name) == ("fenced", 2), timeout=30,
                 what="the new master's hello to reach the old one")
        self.assert_rejoined(a, b, mine, theirs)

    def test_a_delivery_admitted_before_the_freeze_is_on_the_new_master(self):
        # Regression: the freeze did not wait for a delivery already in the
        # worker pool; the drain check passed at once, the delivery then
        # committed on the demoted master, got its 250, and the new master's
        # first sync removed it. A big message keeps it in the pool while
        # the failover starts; whatever the interleaving, a 250 means the
        # message is on the new master.
        c = self.c
        body = b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 30000  # 30 MB
        for round_ in range(2):
            # There and back: production.dat's first master, then its replica.
            a, new_master = c.master_of("s1"), c.replica_of("s1")
            if round_ == 1:
                a, new_master = new_master, a
            mid = "<big-%d@failover.test>" % round_
            s = socket.create_connection(a.lmtp, timeout=60)
            f = s.makefile("rb")
            f.readline()
            # Every user: three 30 MB deliveries keep the pool busy longer.
            for line in [b"LHLO t", b"MAIL FROM:<w@example.com>"] + [
                    ("RCPT TO:<%s@localhost>" % u).encode() for u in USERS] + [b"DATA"]:
                s.sendall(line + b"\r\n")
                while True:
                    reply = f.readline()
                    if reply[3:4] != b"-":
                        break
            self.assertTrue(reply.startswith(b"354"), reply)
            s.sendall(b"Message-ID: " + mid.encode() + b"\r\n" + body + b".\r\n")
            code, out, err = self.failover("--json")
            self.assertEqual(code, 0, out + err)
            replies = [f.readline() for u in USERS]
            s.close()
            print("round %d: %s" % (round_, [r.decode().strip() for r in replies]))
            self.assertIn("master=%s" % new_master.name, self.store_line())
            for u, reply in zip(USERS, replies):
                found = [d for (box, uid), (flags, d) in
                         fetch_all(new_master.imap, u, PASSWORD).items()
                         if mid.encode() in d[:4096]]
                if reply.startswith(b"250"):
                    self.assertEqual(len(found), 1, "acknowledged %s lost for %s" % (mid, u))
                else:
                    self.assertTrue(reply.startswith(b"451"), reply)

    def test_drain_moves_every_master_off_a_machine_under_load(self):
        c = self.c
        c.ok("user", "add", "dee", "--store", "s2", "--password-stdin", input=PASSWORD)
        s2 = [c.slots["m2:2"], c.slots["m3:1"]]
        stop = threading.Event()
        writers = [Writer(s2, "dee", lmtp, stop, seed) for seed, lmtp in enumerate((False, True))]
        for w in writers:
            w.start()
        self.addCleanup(stop.set)
        wait_for(lambda: all(len(w.acked) >= 3 for w in writers), timeout=30,
                 what="the writers to have written")
        # m2 holds s2's master: it moves to its replica m3:1.
        r = c.mailctl("drain", "m2", "--json", timeout=180)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = json.loads(r.stdout)
        self.assertEqual([(s["store"], s["to"], s["exit"]) for s in got["stores"]],
                         [("s2", "m3:1", 0)], got)
        self.assertTrue(got["ok"])
        # Now m3 holds two masters (s2, s3): both move at once, and both
        # changes land in production.dat.
        before = len(writers[0].acked) + len(writers[1].acked)
        wait_for(lambda: len(writers[0].acked) + len(writers[1].acked) > before + 3, timeout=30,
                 what="writes on the new master")
        r = c.mailctl("drain", "m3", "--json", timeout=180)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = json.loads(r.stdout)
        self.assertEqual(sorted((s["store"], s["to"], s["exit"]) for s in got["stores"]),
                         [("s2", "m2:2", 0), ("s3", "m1:2", 0)], got)
        text = self.production()
        self.assertIn("serial=4", text)
        self.assertRegex(text, r"(?m)^store s2 .*epoch=3 .*master=m2:2 ")
        self.assertRegex(text, r"(?m)^store s3 .*epoch=2 .*master=m1:2 ")
        self.assertNotRegex(text, r"(?m)^store .*master=m3:")
        before = len(writers[0].acked) + len(writers[1].acked)
        wait_for(lambda: len(writers[0].acked) + len(writers[1].acked) > before + 3, timeout=30,
                 what="writes on s2's master again")
        stop.set()
        for w in writers:
            w.join(30)
        seen = {}
        for (box, uid), (flags, data) in fetch_all(c.slots["m2:2"].imap, "dee", PASSWORD).items():
            seen.setdefault(email.message_from_bytes(data)["Message-ID"], []).append(data)
        for w in writers:
            for mid, data in w.acked.items():
                self.assertEqual(len(seen.get(mid, [])), 1, mid)
                self.assertTrue(seen[mid][0].endswith(data), mid)
        self.assertEqual(c.mailctl("check").returncode, 0)
        wait_for(lambda: c.status()[0] == 0, timeout=20, what="status without problems")

    def test_unsafe_failovers_are_refused_and_change_nothing(self):
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        before = self.production()
        code, out, err = self.failover("--to", a.name)  # the master itself
        self.assertEqual(code, 5, err)
        self.assertIn("not a replica", err)
        r = c.mailctl("failover", "nosuch")
        self.assertEqual(r.returncode, 3, r.stderr)
        c.stop_slot(b.name)
        code, out, err = self.failover()
        self.assertEqual(code, 8, err)
        self.assertIn("cannot reach " + b.name, err)
        self.assertEqual(self.production(), before)
        # The master still serves: nothing was frozen.
        m = imaplib.IMAP4(*a.imap, timeout=10)
        m.login(USERS[0], PASSWORD)
        self.assertEqual(m.append("INBOX", None, None, b"Subject: still\r\n\r\nhere\r\n")[0], "OK")
        m.logout()


if __name__ == "__main__":
    unittest.main()
