"""mailctl move (doc/mailctl.md) on a cluster of real slotds on loopback,
with IMAP and LMTP writers running: a spare slot becomes a store's new
replica, is filled and verified, and then either the store keeps three
copies or the old master is retired (moved away by a planned failover
first). Afterwards production.dat passes `mailctl check`, every
acknowledged write is on the master exactly once, and every replica equals
it."""
import email
import json
import re
import threading
import unittest

from clusterlib import Cluster, fetch_all
from failover_test import PASSWORD, USERS, Writer
from slotlib import wait_for


class SpareCluster(Cluster):
    """The usual three stores, and a spare slot m3:3."""

    def machine_slots(self, i):
        return self.numbers + ((3,) if i == 3 else ())


class MoveTest(unittest.TestCase):
    def setUp(self):
        self.c = SpareCluster("127.0.0.151")
        self.addCleanup(self.c.close)
        for u in USERS:
            self.c.ok("user", "add", u, "--store", "s1", "--password-stdin", input=PASSWORD)

    def store_line(self):
        with open(self.c.production) as f:
            return re.search(r"^store s1 .*$", f.read(), re.M).group(0)

    def run_writers(self, slots):
        stop = threading.Event()
        writers = [Writer(slots, u, lmtp, stop, seed)
                   for seed, (u, lmtp) in enumerate([(u, l) for u in USERS for l in (False, True)])]
        for w in writers:
            w.start()
        self.addCleanup(stop.set)
        wait_for(lambda: all(len(w.acked) >= 3 for w in writers), timeout=30,
                 what="every writer to have written")
        return stop, writers

    def stop_after_more_writes(self, stop, writers):
        """Every writer writes again after the move, then all stop."""
        before = {id(w): len(w.acked) for w in writers}
        wait_for(lambda: all(len(w.acked) > before[id(w)] for w in writers), timeout=30,
                 what="the writers to go on after the move")
        stop.set()
        for w in writers:
            w.join(30)

    def assert_all_there(self, writers, master, replicas):
        for u in USERS:
            seen = {}
            for (box, uid), (flags, data) in fetch_all(master.imap, u, PASSWORD).items():
                seen.setdefault(email.message_from_bytes(data)["Message-ID"], []).append(data)
            for w in writers:
                if w.user != u:
                    continue
                for mid in w.acked:
                    self.assertEqual(len(seen.get(mid, [])), 1, "%s: %s" % (u, mid))
        for r in replicas:
            wait_for(lambda: self.c.summaries(r.name) == self.c.summaries(master.name),
                     timeout=30, what=r.name + " to equal the master")

    def test_move_adds_a_verified_replica_under_load(self):
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        new = c.slots["m3:3"]
        stop, writers = self.run_writers([a])
        r = c.mailctl("move", "s1", "--to", new.name, "--json", timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = json.loads(r.stdout)
        self.assertEqual((got["added"], got["retired"], got["master"]), (new.name, "", a.name))
        self.assertEqual(got["users_verified"], len(USERS))
        self.assertIn("replicas=%s,%s" % (b.name, new.name), self.store_line())
        self.assertEqual(c.mailctl("check").returncode, 0)
        self.stop_after_more_writes(stop, writers)
        self.assert_all_there(writers, a, [b, new])
        code, st = c.status()
        self.assertEqual(code, 0, st["problems"])

    def test_move_retiring_the_master_fails_over_first(self):
        c = self.c
        a, b = c.master_of("s1"), c.replica_of("s1")
        new = c.slots["m3:3"]
        stop, writers = self.run_writers([a, new])
        r = c.mailctl("move", "s1", "--to", new.name, "--retire", a.name, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("%s retired" % a.name, r.stdout)
        line = self.store_line()
        self.assertIn("master=%s" % new.name, line)
        self.assertIn("replicas=%s " % b.name, line + " ")
        self.assertIn("epoch=2", line)
        self.assertEqual(c.mailctl("check").returncode, 0)
        self.stop_after_more_writes(stop, writers)
        self.assert_all_there(writers, new, [b])
        code, st = c.status()
        row = [s for s in st["slots"] if s["slot"] == a.name][0]
        self.assertEqual(row.get("role"), "spare")
        # A store that is not there, a slot that is not spare: refused.
        self.assertEqual(c.mailctl("move", "nope", "--to", a.name).returncode, 3)
        r = c.mailctl("move", "s1", "--to", b.name)
        self.assertEqual(r.returncode, 5, r.stderr)


if __name__ == "__main__":
    unittest.main()
