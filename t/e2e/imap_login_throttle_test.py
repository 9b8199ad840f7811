"""Login throttling that holds (issue 14 point 11), against a real slotd.

Once an address or a user name has failed more than a few times, every
attempt from that address or for that name waits before its password is
checked, right password or wrong: the wait is decided before the check, so
a fast answer does not give the right password away. One account's success
resets neither the address's count nor another account's. Failed logins
are logged. And password checks (key derivation) run apart from the worker
pool of logged-in sessions: clients looping wrong LOGINs from ever new
addresses do not stall a logged-in client's commands.

Every address is on loopback (127.0.0.0/8 is all local on Linux): each test
uses its own, so the server's counts do not mix between tests. The waits
are read from the server's log, never timed."""
import imaplib
import re
import socket
import threading
import time
import unittest

import slotlib

LOGIN_WAIT = re.compile(r'IMAP login as "([^"]*)" from (\S+) waits (\d+) ms before its check')


def login(port, src, user, password, sock=None):
    """One LOGIN from address `src` (a new connection unless `sock` is given);
    returns (tagged answer line, socket)."""
    if sock is None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(src, 0))
        sock.makefile("rb").readline()  # greeting
    sock.sendall(b"t LOGIN %s %s\r\n" % (user.encode(), password.encode()))
    f = sock.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            raise AssertionError("closed during LOGIN")
        if line.startswith(b"t "):
            return line.rstrip(b"\r\n"), sock


class ThrottleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=[("alice", "secret"), ("bob", "other"),
                                                  ("carol", "third"), ("dave", "fourth")])
        cls.port = cls.slot.ports["imap"]

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def attempt(self, src, user, password):
        line, sock = login(self.port, src, user, password)
        sock.close()
        return line

    def waits(self, src):
        """{user: [ms, ...]} of the waits the log shows for address `src`."""
        out = {}
        for user, ip, ms in LOGIN_WAIT.findall(self.slot.stderr()):
            if ip == src:
                out.setdefault(user, []).append(int(ms))
        return out

    def test_right_password_waits_like_a_wrong_one_and_success_resets_no_count(self):
        src = "127.0.0.2"
        for i in range(4):
            self.assertIn(b"NO [AUTHENTICATIONFAILED]", self.attempt(src, "nobody%d" % i, "x"))
        # Four failures from this address: the next attempts wait, whatever
        # their password. Before the fix a right one was answered at once
        # (and then cleared the address's failures).
        self.assertIn(b"OK", self.attempt(src, "alice", "secret"))
        # alice's success reset neither the address nor anyone else.
        self.assertIn(b"OK", self.attempt(src, "bob", "other"))
        self.assertIn(b"NO [AUTHENTICATIONFAILED]", self.attempt(src, "carol", "Pw-4711"))
        waits = slotlib.wait_for(lambda: (lambda w: w if len(w) == 3 else None)(self.waits(src)),
                                 what="three waits logged")
        self.assertEqual(set(waits), {"alice", "bob", "carol"})
        self.assertGreater(waits["alice"][0], 0)
        self.assertEqual(waits["alice"], waits["bob"])
        self.assertEqual(waits["alice"], waits["carol"])
        # The failures are logged (without the password).
        log = self.slot.stderr()
        # (doc/logging.md: one event=login line per attempt)
        self.assertIn("event=login result=fail peer=127.0.0.2 mech=login reason=bad_credentials "
                      "user=nobody0", log)
        self.assertIn("event=login result=fail peer=127.0.0.2 mech=login reason=bad_credentials "
                      "user=carol", log)
        self.assertNotIn("Pw-4711", log)

    def test_a_name_guessed_from_many_addresses_waits_from_a_fresh_one(self):
        for i in range(4):
            src = "127.0.1.%d" % (i + 1)
            self.assertIn(b"NO", self.attempt(src, "dave", "guess%d" % i))
        self.assertEqual(self.waits("127.0.1.1"), {})  # each address failed once only
        self.assertIn(b"OK", self.attempt("127.0.1.99", "dave", "fourth"))
        waits = slotlib.wait_for(lambda: self.waits("127.0.1.99"), what="dave's wait logged")
        self.assertGreater(waits["dave"][0], 0)

    def test_logged_in_commands_are_not_starved_by_looping_wrong_logins(self):
        # Slow key derivation for the unknown names the attackers use, and
        # few disk workers: before the fix the password checks ran on those
        # workers, and each logged-in command queued behind them.
        slot = slotlib.Slot(tls=False, extra=["kdf_iterations = 1000000", "workers = 2"])
        self.addCleanup(slot.close)
        port = slot.ports["imap"]
        user = imaplib.IMAP4("127.0.0.1", port)
        user.login("alice", "secret")
        self.addCleanup(user.logout)
        stop = threading.Event()
        answers = [0]
        lock = threading.Lock()

        def attacker(n):
            # A fresh address and name for every try: no throttle applies.
            i = 0
            while not stop.is_set():
                i += 1
                src = "127.2.%d.%d" % (n, i % 250 + 1)
                try:
                    line, sock = login(port, src, "nobody-%d-%d" % (n, i), "wrong")
                    sock.close()
                except OSError:
                    continue
                if line.startswith(b"t NO"):
                    with lock:
                        answers[0] += 1

        threads = [threading.Thread(target=attacker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            slotlib.wait_for(lambda: answers[0] >= 1, timeout=60, what="the attack to run")
            # Progress is counted against the attackers' own: the logged-in
            # client must finish its commands while they get a few answers.
            with lock:
                base = answers[0]
            done, goal, deadline = 0, 30, time.monotonic() + 120
            while done < goal and time.monotonic() < deadline:
                with lock:
                    if answers[0] - base >= 8:
                        break
                self.assertEqual(user.status("INBOX", "(MESSAGES)")[0], "OK")
                self.assertEqual(user.select("INBOX")[0], "OK")
                done += 1
            with lock:
                attack = answers[0] - base
            self.assertEqual(done, goal, "the logged-in client finished %d of %d commands while "
                             "the attackers got %d answers" % (done, goal, attack))
        finally:
            stop.set()
            for t in threads:
                t.join()


if __name__ == "__main__":
    unittest.main(verbosity=2)
