"""Chaos (issue 11, doc/mailctl.md): random planned failovers, drains, kill -9
of masters and replicas, forced failovers of a killed master's store and
rejoins of the old master, one after another, on a cluster of real slotds
on loopback while IMAP and LMTP writers run against every store. After each
operation the cluster is brought back to health (every slot running, every
fenced old master rejoined). At the end: every APPEND that got OK and every
delivery that got 250 is on its store's master exactly once; every store has
exactly one master and its epoch is the highest any of its slots has seen;
every replica equals its master.

The seed is printed; CHAOS_SEED=N replays a run, CHAOS_SECONDS sets how long
operations go on (30 here; `make soak` may run it longer)."""
import email
import os
import random
import threading
import time
import unittest

from clusterlib import Cluster, fetch_all
from failover_test import PASSWORD, Writer
from slotlib import wait_for

SECONDS = float(os.environ.get("CHAOS_SECONDS", "30"))
USERS = {"s1": "ann", "s2": "bob", "s3": "cid"}  # s2 is mode=sync


class ChaosTest(unittest.TestCase):
    def setUp(self):
        self.seed = int(os.environ.get("CHAOS_SEED", random.randrange(1 << 30)))
        print("chaos seed %d (replay: CHAOS_SEED=%d)" % (self.seed, self.seed), flush=True)
        self.rng = random.Random(self.seed)
        self.c = Cluster("127.0.0.161")
        self.addCleanup(self.c.close)
        for store, u in USERS.items():
            self.c.ok("user", "add", u, "--store", store, "--password-stdin", input=PASSWORD)
        self.done = []  # what happened, for the failure message

    def note(self, what):
        self.done.append("%.1fs %s" % (time.time() - self.t0, what))
        print(self.done[-1], flush=True)

    def mailctl(self, *args):
        r = self.c.mailctl(*args, timeout=180)
        last = r.stdout.strip().splitlines()[-1:] if args[0] == "rejoin" else []
        self.note("mailctl %s -> %d %s" % (" ".join(args), r.returncode, "".join(last)[:160]))
        return r

    def role(self, name):
        code, st = self.c.status()
        row = [s for s in st["slots"] if s["slot"] == name][0]
        return row.get("role")

    def heal(self):
        """Every slot running; a fenced old master rejoined."""
        for name, s in self.c.slots.items():
            if not s.running():
                self.c.start_slot(name)
                self.note("started " + name)
        for name in self.c.slots:
            wait_for(lambda: self.role(name) in ("master", "replica", "fenced"), timeout=30,
                     what=name + " to answer")
            if self.role(name) == "fenced":
                r = self.mailctl("rejoin", name)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr + "\n".join(self.done))

    # ---- the operations; each leaves the cluster to heal()

    def planned_failover(self):
        store = self.rng.choice(sorted(USERS))
        r = self.mailctl("failover", store)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def drain(self):
        machine = self.rng.choice(["m1", "m2", "m3"])
        r = self.mailctl("drain", machine)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def kill_replica(self):
        store = self.rng.choice(sorted(USERS))
        replica = self.c.current(store)[1][0]
        self.c.kill_slot(replica.name)
        self.note("kill -9 replica %s of %s" % (replica.name, store))

    def kill_master_and_force(self):
        store = self.rng.choice(sorted(USERS))
        master = self.c.current(store)[0]
        self.c.kill_slot(master.name)
        self.note("kill -9 master %s of %s" % (master.name, store))
        r = self.mailctl("failover", store, "--force")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_random_operations_under_load_lose_nothing(self):
        c = self.c
        stop = threading.Event()
        writers = []
        for seed, (store, u) in enumerate(sorted(USERS.items())):
            slots = [c.master_of(store), c.replica_of(store)]
            for lmtp in (False, True):
                writers.append(Writer(slots, u, lmtp, stop, self.seed + seed * 2 + lmtp))
        for w in writers:
            w.start()
        self.addCleanup(stop.set)
        wait_for(lambda: all(len(w.acked) >= 2 for w in writers), timeout=30,
                 what="every writer to have written")
        ops = [self.planned_failover, self.drain, self.kill_replica, self.kill_master_and_force]
        self.t0 = time.time()
        while time.time() - self.t0 < SECONDS:
            op = self.rng.choice(ops)
            self.note(op.__name__)
            op()
            self.heal()
            before = {id(w): len(w.acked) for w in writers}
            wait_for(lambda: all(len(w.acked) > before[id(w)] for w in writers), timeout=60,
                     what="every writer to write again after " + op.__name__)
        stop.set()
        for w in writers:
            w.join(30)
        history = "\nseed %d:\n%s" % (self.seed, "\n".join(self.done))

        # One master per store, at the highest epoch any of its slots saw.
        code, st = c.status()
        for store in USERS:
            rows = [s for s in st["slots"] if s.get("store") == store]
            masters = [s for s in rows if s.get("role") == "master"]
            self.assertEqual(len(masters), 1, "%s: %r%s" % (store, rows, history))
            self.assertEqual(masters[0]["epoch"], max(s["epoch"] for s in rows), history)
            self.assertEqual(masters[0]["slot"], c.current(store)[0].name, history)

        # Every acknowledged write on the master exactly once; replicas equal.
        for store, u in USERS.items():
            master, replicas = c.current(store)
            seen = {}
            for (box, uid), (flags, data) in fetch_all(master.imap, u, PASSWORD).items():
                seen.setdefault(email.message_from_bytes(data)["Message-ID"], []).append(data)
            acked = 0
            for w in writers:
                if w.user != u:
                    continue
                for mid, data in w.acked.items():
                    acked += 1
                    self.assertEqual(len(seen.get(mid, [])), 1, "%s %s%s" % (u, mid, history))
                    self.assertTrue(seen[mid][0].endswith(data), mid)
            self.note("%s: %d acknowledged writes, all there once" % (store, acked))
            for r in replicas:
                wait_for(lambda: c.summaries(r.name) == c.summaries(master.name), timeout=30,
                         what="%s to equal %s%s" % (r.name, master.name, history))


if __name__ == "__main__":
    unittest.main()
