"""TLS is real: STARTTLS and implicit TLS verified against a CA made for
the test run; without TLS, plaintext logins are refused where configured."""
import imaplib
import ssl
import sys
import unittest

import slotlib


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(extra=["plaintext_auth = never"])
        cls.ctx = ssl.create_default_context(cafile=cls.slot.ca.ca_cert)

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def test_plaintext_login_refused_before_starttls(self):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        typ, caps = m.capability()
        self.assertIn(b"LOGINDISABLED", caps[0])
        self.assertIn(b"STARTTLS", caps[0])
        self.assertNotIn(b"AUTH=PLAIN", caps[0])
        typ, data = m._simple_command("LOGIN", "alice", "secret")
        self.assertEqual(typ, "NO")
        self.assertIn(b"PRIVACYREQUIRED", data[0])
        m.logout()

    def test_starttls_with_certificate_check_then_login(self):
        m = imaplib.IMAP4("localhost", self.slot.ports["imap"])
        self.assertEqual(m.starttls(ssl_context=self.ctx)[0], "OK")
        typ, caps = m.capability()
        self.assertNotIn(b"STARTTLS", caps[0])
        self.assertIn(b"AUTH=PLAIN", caps[0])
        self.assertEqual(m.login("alice", "secret")[0], "OK")
        # Regression: the last response after STARTTLS used to be lost.
        self.assertEqual(m.logout()[0], "BYE")

    def test_implicit_tls(self):
        m = imaplib.IMAP4_SSL("localhost", self.slot.ports["imaps"], ssl_context=self.ctx)
        self.assertEqual(m.login("alice", "secret")[0], "OK")
        self.assertEqual(m.select("INBOX")[0], "OK")
        self.assertEqual(m.logout()[0], "BYE")

    def test_wrong_ca_is_rejected_by_the_client(self):
        other = ssl.create_default_context()  # system CAs do not know our test CA
        with self.assertRaises(ssl.SSLError):
            imaplib.IMAP4_SSL("localhost", self.slot.ports["imaps"], ssl_context=other)

    def test_starttls_discards_pipelined_plaintext(self):
        # A command injected after STARTTLS in the same packet must not run
        # inside the TLS session (the classic STARTTLS injection attack).
        import socket
        s = socket.create_connection(("127.0.0.1", self.slot.ports["imap"]), timeout=10)
        s.recv(4096)
        s.sendall(b"t1 STARTTLS\r\nt2 CAPABILITY\r\n")
        data = b""
        while b"t1 OK" not in data:
            data += s.recv(4096)
        tls = self.ctx.wrap_socket(s, server_hostname="localhost")
        tls.sendall(b"t3 NOOP\r\n")
        reply = b""
        while b"t3 " not in reply:
            reply += tls.recv(4096)
        self.assertNotIn(b"t2", reply)
        tls.close()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
