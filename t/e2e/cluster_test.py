"""A three-machine cluster from production.dat (issue 9, point 10): status,
check and config; user administration over the control channel while IMAP
clients work; mailctl on a stopped slot; replicas refusing clients; role
changes and the epoch fence. Control-channel security and framing are in
cluster_control_test.py.

Each class has its own loopback addresses (127.0.0.41 onwards), so that no
two classes, and no `make run` (127.0.0.11-13), share a port.
"""
import imaplib
import os
import re
import smtplib
import socket
import subprocess
import threading
import unittest

from clusterlib import Cluster, ControlConn, REPO
from slotlib import wait_for

MESSAGE = b"From: a@example.com\r\nSubject: cluster\r\n\r\nbody\r\n"


def imap_login(slot, user, password):
    m = imaplib.IMAP4(*slot.imap)
    m.login(user, password)
    return m


def login_refusal(slot, user, password):
    """The text of the NO a LOGIN gets (fails the test if it succeeds)."""
    m = imaplib.IMAP4(*slot.imap)
    try:
        m.login(user, password)
    except imaplib.IMAP4.error as e:
        return str(e)
    finally:
        try:
            m.logout()
        except Exception:
            pass
    raise AssertionError("login of %s on %s succeeded" % (user, slot.name))


class RawImap:
    """A line-oriented IMAP connection to a cluster slot."""

    def __init__(self, slot, timeout=10):
        self.sock = socket.create_connection(slot.imap, timeout=timeout)
        self.buf = b""
        self.line()  # greeting

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def rest(self):
        """Every line until the server closes (a reset ends it too: the
        server may close with our last command unread)."""
        lines = []
        try:
            while (line := self.line()) is not None:
                lines.append(line)
        except ConnectionResetError:
            pass
        return lines

    def command(self, tag, text):
        """Sends a command; returns every line up to its tagged reply, or up
        to the end of the stream."""
        self.sock.sendall(tag + b" " + text + b"\r\n")
        lines = []
        while True:
            line = self.line()
            if line is None:
                return lines
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def close(self):
        self.sock.close()


class ClusterTestCase(unittest.TestCase):
    """A fresh cluster per test on ADDRESS; users created by `users`."""
    ADDRESS = None
    users = ()  # (name, password, store)

    def setUp(self):
        self.c = Cluster(self.ADDRESS)
        self.addCleanup(self.c.close)
        for name, password, store in self.users:
            self.c.ok("user", "add", name, "--password-stdin", "--store", store, input=password)

    def assertNoLockErrors(self):
        self.assertNotIn("database is locked", self.c.logs())


class StatusTest(unittest.TestCase):
    """The cluster as production.dat describes it."""

    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("127.0.0.41")

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def test_status_matches_production_dat(self):
        code, st = self.c.status()
        self.assertEqual(code, 0, st["problems"])
        self.assertEqual(st["problems"], [])
        stores = {s["name"]: s for s in st["stores"]}
        self.assertEqual(set(stores), set(self.c.stores))
        for name, (master, replicas, mode) in self.c.stores.items():
            self.assertEqual(stores[name]["master"], master)
            self.assertEqual(stores[name]["replicas"], replicas)
            self.assertEqual(stores[name]["epoch"], 1)
            self.assertEqual(stores[name]["mode"], mode)
        slots = {s["slot"]: s for s in st["slots"]}
        self.assertEqual(set(slots), set(self.c.slots))
        for name, proc in self.c.slots.items():
            s = slots[name]
            store = next(k for k, v in self.c.stores.items() if name == v[0] or name in v[1])
            expected = "master" if self.c.stores[store][0] == name else "replica"
            self.assertTrue(s["up"], s)
            self.assertEqual(s["machine"], proc.machine)
            self.assertEqual(s["store"], store)
            self.assertEqual(s["expected_role"], expected)
            self.assertEqual(s["role"], expected)
            self.assertEqual(s["epoch"], 1)
            self.assertEqual(s["serving"], expected == "master")
            self.assertEqual(s["imap"], "%s:%d" % proc.imap)
            self.assertEqual(s["lmtp"], "%s:%d" % proc.lmtp)
            self.assertEqual(s["size"], 1 << 30)
            self.assertEqual((s["users"], s["messages"], s["bytes"]), (0, 0, 0))
            # A master reports its replication; a replica has none to report.
            if expected == "master":
                self.assertIsInstance(s["lag_seconds"], (int, float))
                self.assertIsInstance(s["pending_users"], int)
            else:
                self.assertIsNone(s["lag_seconds"])
            # The banner says the same.
            self.assertIn("role %s store %s epoch 1" % (expected, store), proc.banner)

    def test_status_text(self):
        r = self.c.mailctl("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok: every slot is up", r.stdout)
        self.assertNotIn("DOWN", r.stdout)

    def test_check(self):
        r = self.c.mailctl("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok (3 machines, 6 slots, 3 stores, serial 1)", r.stdout)
        # ... and it does find problems: a store with its master twice.
        bad = os.path.join(self.c.tmp, "bad.dat")
        with open(self.c.production) as f, open(bad, "w") as g:
            g.write(f.read() + "store s9 epoch=1 mode=async master=m1:1 replicas=m1:2\n")
        r = self.c.mailctl("check", bad)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, re.escape(bad) + r":\d+: ")

    def test_config_names_listeners(self):
        slot = self.c.slots["m2:2"]
        out = self.c.ok("config", "m2:2")
        config = dict(line.split(" = ", 1) for line in out.splitlines()
                      if " = " in line and not line.startswith("#"))
        self.assertEqual(config["imap_listen"], "%s:%d" % slot.imap)
        self.assertEqual(config["lmtp_listen"], "%s:%d" % slot.lmtp)
        self.assertEqual(config["control_listen"], "%s:%d" % slot.control)
        self.assertEqual(config["control_socket"], self.c.socket_path("m2:2"))
        self.assertEqual(config["slot_dir"], self.c.slot_dir("m2:2"))
        self.assertEqual((config["store"], config["role"], config["epoch"]), ("s2", "master", "1"))
        self.assertEqual(config["kdf_iterations"], "1000")
        r = self.c.mailctl("config", "m9:1")
        self.assertNotEqual(r.returncode, 0)


class AdminUnderLoadTest(ClusterTestCase):
    """mailctl user/mailbox commands through the control channel while IMAP
    clients of store s1 SELECT/APPEND/FETCH/NOOP in a loop."""
    ADDRESS = "127.0.0.44"
    users = [("load%d" % i, "pw-load%d" % i, "s1") for i in range(3)]

    def start_load(self):
        self.stop = threading.Event()
        self.errors = []
        self.rounds = {}
        master = self.c.master_of("s1")

        def run(user, password):
            try:
                m = imap_login(master, user, password)
                try:
                    while not self.stop.is_set():
                        for cmd in (lambda: m.select("INBOX"),
                                    lambda: m.append("INBOX", None, None, MESSAGE),
                                    lambda: m.fetch("1:*", "(UID FLAGS)"),
                                    lambda: m.noop()):
                            typ, data = cmd()
                            if typ != "OK":
                                raise AssertionError("%s: %s %r" % (user, typ, data))
                        self.rounds[user] += 1
                finally:
                    m.logout()
            except Exception as e:  # reported by the test
                self.errors.append("%s: %r" % (user, e))

        self.threads = []
        for user, password, _ in self.users:
            self.rounds[user] = 0
            t = threading.Thread(target=run, args=(user, password))
            t.start()
            self.threads.append(t)
        self.addCleanup(self.stop_load)

    def stop_load(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def test_admin_while_clients_work(self):
        c = self.c
        self.start_load()
        wait_for(lambda: self.errors or all(n >= 2 for n in self.rounds.values()),
                 what="every IMAP client to complete two rounds")
        self.assertEqual(self.errors, [])

        # Placement: s1 holds mail now; new users go to the least used stores.
        new = ["new%d" % i for i in range(4)]
        for user in new:
            c.ok("user", "add", user, "--password-stdin", input="old-" + user)
        by_store = {s: c.ok("user", "list", "--store", s).split() for s in c.stores}
        self.assertEqual(sorted(by_store["s1"]), ["load0", "load1", "load2"])
        self.assertEqual(sorted(by_store["s2"] + by_store["s3"]), new)
        self.assertEqual(len(by_store["s2"]), 2, by_store)
        self.assertEqual(len(by_store["s3"]), 2, by_store)
        r = c.mailctl("user", "add", "new0", "--password-stdin", input="x")
        self.assertEqual(r.returncode, 4, r.stderr)  # exists, wherever it lives

        # passwd: on the user's master the new password works, the old not.
        user = by_store["s3"][0]
        c.ok("user", "passwd", user, "--password-stdin", input="fresh")
        m = imap_login(c.master_of("s3"), user, "fresh")
        m.logout()
        self.assertIn("AUTHENTICATIONFAILED", login_refusal(c.master_of("s3"), user, "old-" + user))
        # ... also for a user logged in right now (the session goes on).
        c.ok("user", "passwd", "load1", "--password-stdin", input="pw-new")
        imap_login(c.master_of("s1"), "load1", "pw-new").logout()
        self.assertIn("AUTHENTICATIONFAILED", login_refusal(c.master_of("s1"), "load1", "pw-load1"))

        # quota and show
        c.ok("user", "quota", "load2", "--bytes", "100M", "--messages", "100000")
        show = dict(l.split("\t") for l in c.ok("user", "show", "load2").splitlines())
        self.assertEqual(show["quota_bytes"], str(100 << 20))
        self.assertEqual(show["quota_messages"], "100000")
        self.assertGreater(int(show["messages"]), 0)

        # mailboxes of a user whose client is logged in
        c.ok("mailbox", "create", "load0", "Projects/2026")
        names = [l.split("\t")[0] for l in c.ok("mailbox", "list", "load0").splitlines()]
        self.assertIn("Projects", names)
        self.assertIn("Projects/2026", names)
        m = imap_login(c.master_of("s1"), "load0", "pw-load0")
        typ, data = m.list("\"\"", "Projects*")
        m.logout()
        self.assertEqual(typ, "OK")
        self.assertTrue(any(b"Projects/2026" in d for d in data), data)
        r = c.mailctl("mailbox", "delete", "load0", "Projects")
        self.assertEqual(r.returncode, 1, r.stderr)  # has children
        c.ok("mailbox", "delete", "load0", "Projects/2026")
        c.ok("mailbox", "delete", "load0", "Projects")
        self.assertEqual(c.ok("mailbox", "list", "load0", "Projects*"), "")

        # del
        gone = by_store["s2"][1]
        c.ok("user", "del", gone)
        r = c.mailctl("user", "show", gone)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("AUTHENTICATIONFAILED", login_refusal(c.master_of("s2"), gone, "old-" + gone))

        self.assertEqual(c.ok("user", "list").split(),
                         sorted(["load0", "load1", "load2"] + [u for u in new if u != gone]))

        # The clients went on through all of it without an error.
        before = dict(self.rounds)
        wait_for(lambda: self.errors or all(self.rounds[u] > before[u] for u in before),
                 what="every IMAP client to complete another round")
        self.stop_load()
        self.assertEqual(self.errors, [])
        self.assertNoLockErrors()
        code, st = c.status()
        self.assertEqual(code, 0, st["problems"])
        s1 = next(s for s in st["slots"] if s["slot"] == c.master_of("s1").name)
        self.assertEqual(s1["users"], 3)
        self.assertGreaterEqual(s1["messages"], 3 * 3)


class StoppedSlotTest(ClusterTestCase):
    """mailctl opens a stopped slot's directory itself; a running slot whose
    control channel does not answer is refused, not opened."""
    ADDRESS = "127.0.0.47"
    users = [("alice", "secret", "s1")]

    def test_stopped_replica_is_opened_directly(self):
        replica = self.c.replica_of("s1").name
        self.assertEqual(self.c.stop_slot(replica), 0)
        # slotd leaves its socket file behind; nobody answers on it.
        if os.path.exists(self.c.socket_path(replica)):
            with self.assertRaises(ConnectionRefusedError):
                ControlConn.unix(self.c.socket_path(replica))
        r = self.c.mailctl("--slot", replica, "user", "list")
        # alice is there if replication reached the replica before the stop.
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertIn(r.stdout, ("", "alice\n"))
        # The store was opened: a missing user is "not found" (3), not a failure (1).
        r = self.c.mailctl("--slot", replica, "user", "show", "nobody")
        self.assertEqual(r.returncode, 3, r.stderr)
        # Reads only: a write would fork the replica from its master.
        r = self.c.mailctl("--slot", replica, "user", "add", "bob", "--password-stdin", input="pw")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("is a replica (stopped)", r.stderr)
        code, st = self.c.status()
        self.assertEqual(code, 8)
        self.assertTrue(any(p.startswith("slot %s is down" % replica) for p in st["problems"]),
                        st["problems"])
        self.c.start_slot(replica)
        self.assertEqual(self.c.status()[0], 0)
        # Running, it refuses writes over the control channel too.
        r = self.c.mailctl("--slot", replica, "user", "add", "bob", "--password-stdin", input="pw")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("is a replica of store s1", r.stderr)
        # Neither refused add created bob (alice arrives by replication).
        self.assertNotIn("bob", self.c.ok("--slot", replica, "user", "list"))

    def test_running_slot_without_control_channel_is_refused(self):
        master = self.c.master_of("s1").name
        # Without its Unix socket, mailctl goes over TCP with mutual TLS.
        os.remove(self.c.socket_path(master))
        self.assertEqual(self.c.ok("--slot", master, "user", "list").split(), ["alice"])
        # With an identity from another CA, TCP fails too: mailctl must not
        # open the served directory behind slotd's back.
        other = os.path.join(self.c.tmp, "other-tls")
        subprocess.run([os.path.join(REPO, "scripts", "cluster-tls.sh"), other] + self.c.addresses,
                       check=True, capture_output=True)
        foreign = os.path.join(self.c.tmp, "foreign.conf")
        self.c.write_local(foreign, os.path.join(other, "cert.pem"), os.path.join(other, "key.pem"),
                           os.path.join(other, "ca.pem"))
        r = self.c.mailctl("--slot", master, "user", "add", "mallory", "--password-stdin",
                           input="pw", local=foreign)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("slotd serves it", r.stderr)
        self.assertIn("control channel does not answer", r.stderr)
        self.assertEqual(self.c.ok("--slot", master, "user", "list").split(), ["alice"])
        wait_for(lambda: re.search(r"control: .*TLS handshake failed",
                                   self.c.slots[master].stderr()),
                 what="the refused handshake in the slot's log")


class ReplicaRefusesTest(ClusterTestCase):
    ADDRESS = "127.0.0.50"
    users = [("alice", "secret", "s1")]

    def messages(self, slot_name, user="alice"):
        show = dict(l.split("\t") for l in self.c.ok("--slot", slot_name, "user", "show", user)
                    .splitlines())
        return int(show["messages"])

    def test_replica_refuses_login_and_delivery(self):
        master, replica = self.c.master_of("s1"), self.c.replica_of("s1")
        with smtplib.LMTP(*master.lmtp) as l:
            self.assertEqual(l.sendmail("x@example.com", ["alice@example.com"], MESSAGE), {})
        self.assertEqual(self.messages(master.name), 1)

        text = login_refusal(replica, "alice", "secret")
        self.assertIn("[UNAVAILABLE] This slot (%s) is a replica of store s1; its master is %s at "
                      "%s:%d" % ((replica.name, master.name) + master.imap), text)

        with smtplib.LMTP(*replica.lmtp) as l:
            l.ehlo_or_helo_if_needed()
            self.assertEqual(l.mail("x@example.com")[0], 250)
            code, msg = l.rcpt("alice@example.com")
            self.assertEqual(code, 451, msg)
            self.assertTrue(msg.startswith(b"4.3.0 "), msg)
            self.assertIn(master.name.encode(), msg)
            code, _ = l.docmd("DATA")
            self.assertNotEqual(code, 354)  # no recipient, no data
        with self.assertRaises(smtplib.SMTPRecipientsRefused):
            with smtplib.LMTP(*replica.lmtp) as l:
                l.sendmail("x@example.com", ["alice@example.com"], MESSAGE)

        # Nothing arrived anywhere: not on the master, not on the replica.
        self.assertEqual(self.messages(master.name), 1)
        m = imap_login(master, "alice", "secret")
        typ, data = m.select("INBOX")
        m.logout()
        self.assertEqual(data, [b"1"])
        # The replica has alice only as a copy, with the same one message
        # (replication), and took nothing itself.
        wait_for(lambda: self.c.ok("--slot", replica.name, "user", "list") == "alice\n",
                 what="alice replicated")
        wait_for(lambda: self.c.ok("--slot", replica.name, "mailbox", "list", "alice", "INBOX")
                 .split("\t")[1] == "1", what="alice's one message replicated")
        code, st = self.c.status()
        self.assertEqual(code, 0, st["problems"])
        r = next(s for s in st["slots"] if s["slot"] == replica.name)
        self.assertFalse(r["serving"])


class RoleChangeTest(ClusterTestCase):
    ADDRESS = "127.0.0.53"
    users = [("alice", "secret", "s1")]

    def test_demoted_master_closes_sessions_and_refuses(self):
        c, master = self.c, self.c.master_of("s1")
        session = RawImap(master)
        self.assertTrue(session.command(b"a1", b"LOGIN alice secret")[-1].startswith(b"a1 OK"))
        self.assertTrue(session.command(b"a2", b"SELECT INBOX")[-1].startswith(b"a2 OK"))

        self.assertEqual(c.ok("slot", "role", master.name, "replica", "--epoch", "2"),
                         "%s\treplica\tepoch 2\n" % master.name)
        # The BYE may come at once (test_session_gets_bye_when_demoted checks
        # its text); whatever comes, NOOP is not answered OK.
        try:
            session.sock.sendall(b"a3 NOOP\r\n")
        except (ConnectionResetError, BrokenPipeError):
            pass
        lines = session.rest()
        self.assertFalse(any(l.startswith(b"a3 OK") for l in lines), lines)
        self.assertTrue(all(l.startswith(b"* BYE [UNAVAILABLE] ") for l in lines), lines)
        session.close()
        self.assertIn("[UNAVAILABLE]", login_refusal(master, "alice", "secret"))
        with open(os.path.join(c.slot_dir(master.name), "role")) as f:
            self.assertIn("epoch 2", f.read())

        r = c.mailctl("slot", "role", master.name, "replica", "--epoch", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("older than epoch 2", r.stderr)
        r = c.mailctl("slot", "role", master.name, "master", "--epoch", "2")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("needs an epoch above 2", r.stderr)

        code, st = c.status()
        self.assertEqual(code, 8)
        problems = " | ".join(st["problems"])
        self.assertIn("slot %s reports role replica" % master.name, problems)
        self.assertIn("store s1 has no live master", problems)
        s = next(s for s in st["slots"] if s["slot"] == master.name)
        self.assertEqual((s["role"], s["epoch"], s["serving"]), ("replica", 2, False))
        self.assertEqual(c.mailctl("status").returncode, 8)

        # A higher epoch makes it master again.
        self.assertEqual(c.ok("slot", "role", master.name, "master", "--epoch", "3"),
                         "%s\tmaster\tepoch 3\n" % master.name)
        imap_login(master, "alice", "secret").logout()
        self.assertIn("role master epoch 1 -> replica epoch 2", master.stderr())

    def test_master_repeat_at_same_epoch(self):
        master = self.c.master_of("s1").name
        self.assertEqual(self.c.ok("slot", "role", master, "master", "--epoch", "1"),
                         "%s\tmaster\tepoch 1\n" % master)
        self.assertEqual(self.c.status()[0], 0)

    def test_in_flight_writes_are_fenced(self):
        """A delivery whose RCPT was accepted before the demotion, and an
        APPEND whose literal comes after it, store nothing."""
        c, master = self.c, self.c.master_of("s1")
        lmtp = smtplib.LMTP(*master.lmtp)
        self.addCleanup(lmtp.close)
        lmtp.ehlo_or_helo_if_needed()
        self.assertEqual(lmtp.mail("x@example.com")[0], 250)
        self.assertEqual(lmtp.rcpt("alice@example.com")[0], 250)
        session = RawImap(master)
        self.addCleanup(session.close)
        self.assertTrue(session.command(b"a1", b"LOGIN alice secret")[-1].startswith(b"a1 OK"))
        session.sock.sendall(b"a2 APPEND INBOX {%d}\r\n" % len(MESSAGE))
        self.assertTrue(session.line().startswith(b"+ "))

        c.ok("slot", "role", master.name, "replica", "--epoch", "2")
        code, msg = lmtp.data(MESSAGE)
        self.assertEqual(code, 451, msg)
        try:
            session.sock.sendall(MESSAGE + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        lines = session.rest()
        self.assertFalse(any(l.startswith(b"a2 OK") for l in lines), lines)
        show = dict(l.split("\t") for l in c.ok("--slot", master.name, "user", "show", "alice")
                    .splitlines())
        self.assertEqual(show["messages"], "0")

    def test_session_gets_bye_when_demoted(self):
        """The BYE text itself, read by a session that sends nothing."""
        c, master = self.c, self.c.master_of("s1")
        session = RawImap(master)
        self.assertTrue(session.command(b"a1", b"LOGIN alice secret")[-1].startswith(b"a1 OK"))
        c.ok("slot", "role", master.name, "replica", "--epoch", "2")
        lines = session.rest()
        session.close()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(b"* BYE [UNAVAILABLE] This slot (%s) is a replica"
                                            % master.name.encode()), lines)


class FencedStartTest(ClusterTestCase):
    ADDRESS = "127.0.0.56"
    users = [("alice", "secret", "s1")]

    def test_restart_with_lower_epoch_is_fenced(self):
        c, master = self.c, self.c.master_of("s1")
        c.ok("slot", "role", master.name, "replica", "--epoch", "2")
        self.assertEqual(c.stop_slot(master.name), 0)
        banner = c.start_slot(master.name)  # production.dat still says master, epoch 1
        self.assertIn("role fenced store s1 epoch 2", banner)
        self.assertIn("warning", master.stderr())
        self.assertRegex(master.stderr(), r"slot %s is fenced: .* epoch 1, but it has seen epoch 2"
                         % re.escape(master.name))

        text = login_refusal(master, "alice", "secret")
        self.assertIn("[UNAVAILABLE]", text)
        self.assertIn("fenced", text)
        with smtplib.LMTP(*master.lmtp) as l:
            l.ehlo_or_helo_if_needed()
            l.mail("x@example.com")
            code, msg = l.rcpt("alice@example.com")
        self.assertEqual(code, 451, msg)

        code, st = c.status()
        self.assertEqual(code, 8)
        s = next(s for s in st["slots"] if s["slot"] == master.name)
        self.assertEqual((s["role"], s["epoch"], s["serving"]), ("fenced", 2, False))
        self.assertIn("store s1 has no live master", st["problems"])
        # The user is still there; only serving stopped.
        self.assertEqual(c.ok("user", "list", "--slot", master.name).split(), ["alice"])

        r = c.mailctl("user", "passwd", "alice", "--password-stdin", input="other")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("fenced", r.stderr)
        # The fence holds at its epoch; a newer one lifts it.
        r = c.mailctl("slot", "role", master.name, "master", "--epoch", "2")
        self.assertNotEqual(r.returncode, 0)
        c.ok("slot", "role", master.name, "master", "--epoch", "3")
        imap_login(master, "alice", "secret").logout()

    def test_restarted_replica_keeps_its_epoch(self):
        replica = self.c.replica_of("s1")
        self.c.ok("slot", "role", replica.name, "replica", "--epoch", "5")
        self.c.stop_slot(replica.name)
        self.assertIn("role replica store s1 epoch 5", self.c.start_slot(replica.name))
        self.assertNotIn("fenced", replica.stderr())
        r = self.c.mailctl("slot", "role", replica.name, "replica", "--epoch", "4")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("older than epoch 5", r.stderr)


class RoutingTest(ClusterTestCase):
    """Where cluster-mode mailctl sends a command, and what it says when a
    store's master is down."""
    ADDRESS = "127.0.0.59"
    users = [("alice", "secret", "s1")]

    def test_a_master_down(self):
        c = self.c
        c.stop_slot(c.master_of("s3").name)
        # alice's store answers: her commands work.
        c.ok("user", "quota", "alice", "--messages", "10")
        # A new user cannot be checked against s3: refused, naming the master.
        r = c.mailctl("user", "add", "bob", "--password-stdin", input="pw")
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("m3:%d does not answer" % c.numbers[1], r.stderr)
        # user list lists what it can and says what it could not.
        r = c.mailctl("user", "list")
        self.assertEqual((r.returncode, r.stdout), (1, "alice\n"))
        self.assertIn("store s3", r.stderr)

    def test_deleting_a_user_ends_their_sessions(self):
        """A session of a deleted user must not live on into a new account
        of the same name: user del says BYE to it."""
        c = self.c
        m = imap_login(c.master_of("s1"), "alice", "secret")
        m.select("INBOX")
        c.ok("user", "del", "alice")
        with self.assertRaises((imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError)):
            wait_for(lambda: m.noop() and False, timeout=10, what="BYE to alice's session")
        c.ok("user", "add", "alice", "--store", "s1", "--password-stdin", input="new")
        self.assertIn("Authentication failed", login_refusal(c.master_of("s1"), "alice", "secret"))

    def test_unknown_user_while_a_master_is_down_is_not_not_found(self):
        """doc/mailctl.md: codes 3-6 never describe the slot, so a script may
        take 3 from `user del` as "already gone". With a master down mailctl
        cannot know that: it must not answer 3."""
        c = self.c
        c.stop_slot(c.master_of("s3").name)
        r = c.mailctl("user", "del", "carol")
        self.assertIn("masters not answering", r.stderr)
        self.assertNotEqual(r.returncode, 3, r.stderr)

    def test_mailbox_name_starting_with_dash(self):
        """`--` ends the options (doc/mailctl.md); --slot-dir mode creates
        "-x", cluster mode must too."""
        r = self.c.mailctl("mailbox", "create", "alice", "--", "-x")
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [l.split("\t")[0] for l in self.c.ok("mailbox", "list", "alice").splitlines()]
        self.assertIn("-x", names)


if __name__ == "__main__":
    unittest.main()
