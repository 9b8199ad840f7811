"""Before login (issue 14 point 12): a connection that has not logged in
within login_timeout is closed however slowly it trickles bytes, and the
connections one address may hold are limited, tighter before login.
RFC 3501 5.4 allows the server to close an idle connection; a client that
never logs in is never more than a login_timeout's worth of descriptor."""
import imaplib
import socket
import unittest

import slotlib

LOGIN_TIMEOUT = 2  # seconds; the test's only wait is for the server to act


def greeted(port):
    """A raw connection and its greeting line."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    return s, f, f.readline()


class LoginDeadlineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, extra=["login_timeout = %d" % LOGIN_TIMEOUT])

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def test_a_client_trickling_bytes_is_closed_at_the_login_deadline(self):
        port = self.slot.ports["imap"]
        logged_in = imaplib.IMAP4("127.0.0.1", port)
        logged_in.login("alice", "secret")
        self.addCleanup(logged_in.logout)
        s, f, greeting = greeted(port)
        self.addCleanup(s.close)
        self.assertTrue(greeting.startswith(b"* OK"))
        # One byte of a LOGIN line every 0.2 s: the read timeout never
        # fires, and before the fix the connection stayed open for good.
        got = slotlib.trickle_until_closed(s, b"a1 LOGIN alice " + b"x" * 1000)
        self.assertIn(b"* BYE", got)
        # A session that logged in is not subject to it.
        typ, _ = logged_in.noop()
        self.assertEqual(typ, "OK")


class PerAddressLimitTest(unittest.TestCase):
    def test_connections_not_logged_in_are_limited_per_address_then_all(self):
        slot = slotlib.Slot(tls=False, extra=["max_login_connections_per_ip = 3",
                                              "max_connections_per_ip = 5"])
        self.addCleanup(slot.close)
        port = slot.ports["imap"]

        def connect():
            s, f, greeting = greeted(port)
            self.addCleanup(s.close)
            return s, f, greeting

        def login(conn, tag):
            s, f, _ = conn
            s.sendall(tag + b" LOGIN alice secret\r\n")
            while True:
                line = f.readline()
                self.assertTrue(line, "closed during LOGIN")
                if line.startswith(tag + b" "):
                    self.assertTrue(line.startswith(tag + b" OK"), line)
                    return

        waiting = [connect() for _ in range(3)]
        for _, _, greeting in waiting:
            self.assertTrue(greeting.startswith(b"* OK"), greeting)
        _, f, greeting = connect()
        self.assertTrue(greeting.startswith(b"* BYE Too many connections"), greeting)
        self.assertEqual(f.readline(), b"")  # and closed
        # A login frees its place among those not logged in.
        login(waiting[0], b"a1")
        fourth = connect()
        self.assertTrue(fourth[2].startswith(b"* OK"), fourth[2])
        login(waiting[1], b"a2")
        fifth = connect()
        self.assertTrue(fifth[2].startswith(b"* OK"), fifth[2])
        # Five from this address now (two logged in): the total limit holds.
        _, _, greeting = connect()
        self.assertTrue(greeting.startswith(b"* BYE Too many connections"), greeting)


if __name__ == "__main__":
    unittest.main(verbosity=2)
