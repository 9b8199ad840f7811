"""POP3 against a real slotd with Python's poplib (a client nobody here
wrote): the maildrop is alice's INBOX, DELE takes effect only at QUIT, UIDLs
are <uidvalidity>.<uid> and stay the same across sessions, STLS is real
TLS, and bad input gets -ERR without spoiling the session."""
import imaplib
import poplib
import socket
import ssl
import unittest

import slotlib

POP3 = ["pop3_listen = 127.0.0.1:0", "pop3s_listen = 127.0.0.1:0"]


def message(n):
    return ("From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n.starts with a dot\r\n" %
            (n, n)).encode()


class Pop3(unittest.TestCase):
    def setUp(self):
        self.slot = slotlib.Slot(extra=POP3)
        self.addCleanup(self.slot.close)
        self.append(1, 2, 3)

    def append(self, *numbers):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login("alice", "secret")
        for n in numbers:
            m.append("INBOX", None, None, message(n))
        m.logout()

    def pop(self, login=True):
        p = poplib.POP3("127.0.0.1", self.slot.ports["pop3"], timeout=10)
        if login:
            p.user("alice")
            p.pass_("secret")
        return p

    def inbox_subjects(self):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login("alice", "secret")
        m.select("INBOX")
        typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        m.logout()
        if data == [None]:
            return []
        return [d[1].strip().decode() for d in data if isinstance(d, tuple)]

    def test_stat_list_uidl_top_retr(self):
        p = self.pop()
        count, size = p.stat()
        self.assertEqual(count, 3)
        resp, listing, _ = p.list()
        sizes = [int(line.split()[1]) for line in listing]
        self.assertEqual(sum(sizes), size)
        self.assertEqual(sizes[0], len(message(1)))
        resp, uidls, _ = p.uidl()
        self.assertEqual(len(uidls), 3)
        for i, line in enumerate(uidls, 1):
            num, uid = line.split()
            self.assertEqual(int(num), i)
            self.assertRegex(uid, rb"^\d+\.\d+$")
        resp, lines, octets = p.retr(2)
        # poplib undoes the byte-stuffing: the dot line comes back as sent.
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", message(2))
        resp, lines, _ = p.top(3, 0)
        self.assertEqual(lines, [b"From: a@example.com", b"Subject: m3", b""])
        self.assertIn("TOP", p.capa())
        p.quit()

    def test_dele_then_quit_removes(self):
        p = self.pop()
        p.dele(1)
        p.dele(3)
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        self.assertEqual(self.inbox_subjects(), ["Subject: m2"])

    def test_dele_then_dropped_connection_keeps_everything(self):
        p = self.pop()
        p.dele(1)
        p.sock.shutdown(socket.SHUT_RDWR)  # no QUIT
        p.file.close()
        p.sock.close()  # RFC 1939 6: no UPDATE state without QUIT
        # The maildrop lock is released when the server sees the close.
        p2 = slotlib.wait_for(self._login_if_unlocked, what="maildrop lock released")
        self.assertEqual(p2.stat()[0], 3)
        p2.quit()
        self.assertEqual(len(self.inbox_subjects()), 3)

    def _login_if_unlocked(self):
        p = self.pop(login=False)
        p.user("alice")
        try:
            p.pass_("secret")
            return p
        except poplib.error_proto as e:
            self.assertIn(b"[IN-USE]", e.args[0])
            p.quit()
            return None

    def test_uidl_stable_across_sessions_and_new_mail_waits(self):
        p = self.pop()
        first = p.uidl()[1]
        self.append(4)
        self.assertEqual(p.stat()[0], 3)  # the snapshot taken at login
        p.dele(1)
        p.quit()
        p = self.pop()
        second = p.uidl()[1]
        p.quit()
        uid = lambda line: line.split()[1]
        self.assertEqual([uid(x) for x in second[:2]], [uid(x) for x in first[1:]])
        self.assertEqual(len(second), 3)

    def test_second_session_gets_in_use(self):
        p = self.pop()
        q = self.pop(login=False)
        q.user("alice")
        with self.assertRaises(poplib.error_proto) as e:
            q.pass_("secret")
        self.assertIn(b"[IN-USE]", e.exception.args[0])
        q.quit()
        p.quit()

    def test_wrong_password_gets_auth_code_and_session_goes_on(self):
        p = self.pop(login=False)
        p.user("alice")
        with self.assertRaises(poplib.error_proto) as e:
            p.pass_("wrong")
        self.assertTrue(e.exception.args[0].startswith(b"-ERR [AUTH]"), e.exception.args)
        p.user("alice")
        p.pass_("secret")
        self.assertEqual(p.stat()[0], 3)
        p.quit()

    def test_oversized_and_malformed_lines_get_err_and_session_stays_usable(self):
        p = self.pop()
        for bad in [b"LIST " + b"9" * 5000, b"RETR x", b"TOP 1", b"DELE 99", b"FOO", b"\x00\xff"]:
            p._putline(bad)
            self.assertTrue(p._getline()[0].startswith(b"-ERR"), bad)
        self.assertEqual(p.stat()[0], 3)
        p.quit()

    def test_sasl_plain(self):
        import base64
        s = slotlib.LineSocket(self.slot.ports["pop3"])
        self.assertTrue(s.line().startswith(b"+OK"))
        s.sock.sendall(b"AUTH PLAIN " + base64.b64encode(b"\0alice\0secret") + b"\r\nSTAT\r\nQUIT\r\n")
        self.assertTrue(s.line().startswith(b"+OK Logged in"))
        self.assertTrue(s.line().startswith(b"+OK 3 "))
        self.assertTrue(s.line().startswith(b"+OK"))
        s.sock.close()


class Pop3Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(extra=POP3 + ["plaintext_auth = never"])
        cls.ctx = ssl.create_default_context(cafile=cls.slot.ca.ca_cert)

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def test_plaintext_refused_then_stls_and_login(self):
        p = poplib.POP3("localhost", self.slot.ports["pop3"], timeout=10)
        caps = p.capa()
        self.assertIn("STLS", caps)
        self.assertNotIn("USER", caps)
        with self.assertRaises(poplib.error_proto) as e:
            p.user("alice")
        self.assertIn(b"[AUTH]", e.exception.args[0])
        p.stls(context=self.ctx)
        self.assertNotIn("STLS", p.capa())
        p.user("alice")
        p.pass_("secret")
        self.assertEqual(p.stat(), (0, 0))
        p.quit()

    def test_implicit_tls(self):
        p = poplib.POP3_SSL("localhost", self.slot.ports["pop3s"], context=self.ctx, timeout=10)
        p.user("alice")
        p.pass_("secret")
        self.assertEqual(p.stat(), (0, 0))
        p.quit()

    def test_stls_discards_pipelined_plaintext(self):
        s = socket.create_connection(("127.0.0.1", self.slot.ports["pop3"]), timeout=10)
        s.recv(4096)
        s.sendall(b"STLS\r\nCAPA\r\n")
        data = b""
        while b"\r\n" not in data:
            data += s.recv(4096)
        self.assertTrue(data.startswith(b"+OK Begin TLS"), data)
        tls = self.ctx.wrap_socket(s, server_hostname="localhost")
        tls.sendall(b"NOOP\r\n")
        # The CAPA sent in plain never ran: the first answer inside TLS is NOOP's.
        self.assertTrue(tls.recv(4096).startswith(b"-ERR Log in first"))
        tls.close()


class Pop3Replica(unittest.TestCase):
    def test_replica_refuses_login(self):
        slot = slotlib.Slot(tls=False, extra=["pop3_listen = 127.0.0.1:0", "slot = m1:1",
                                              "store = s1", "role = replica", "epoch = 1"])
        self.addCleanup(slot.close)
        p = poplib.POP3("127.0.0.1", slot.ports["pop3"], timeout=10)
        p.user("alice")
        with self.assertRaises(poplib.error_proto) as e:
            p.pass_("secret")
        self.assertTrue(e.exception.args[0].startswith(b"-ERR [SYS/TEMP]"), e.exception.args)
        p.quit()


if __name__ == "__main__":
    unittest.main()
