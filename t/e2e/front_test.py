"""The front door end to end (doc/front.md): a cluster of real slotds on
127.0.0.181-183, slotdir and a private nginx on 127.0.0.184. Python imaplib
(plain, STARTTLS, IMAP4_SSL) and poplib log in as users of each of the three
stores through the one front address, append, fetch and retrieve mail;
after `mailctl failover s1` a new login reaches the new master; a wrong
password, an unknown user and a stopped slotdir each give a NO / -ERR
within the socket timeout, never a hang. Fails (does not skip) without
nginx."""
import imaplib
import poplib
import smtplib
import ssl
import time
import unittest

from clusterlib import Cluster
from frontlib import Front
from slotlib import wait_for

USERS = {"alice": "s1", "bob": "s2", "cid": "s3"}
PASSWORD = "secret"
FRONT = "127.0.0.184"
TIMEOUT = 10  # socket timeout: a hang fails the test instead of blocking it
REFUSAL_SECONDS = 8  # a refusal (with nginx's Auth-Wait) arrives within this


def message(subject):
    return ("From: t@example.com\r\nSubject: %s\r\n\r\nbody of %s\r\n" % (subject, subject)).encode()


def close_imap(conn):
    """LOGOUT, or just close the socket when the server already dropped us."""
    try:
        conn.logout()
    except (imaplib.IMAP4.error, OSError):
        conn.shutdown()


class FrontTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("127.0.0.181")
        cls.f = None
        try:
            for user, store in USERS.items():
                cls.c.ok("user", "add", user, "--password-stdin", "--store", store,
                         input=PASSWORD)
            cls.f = Front(cls.c, FRONT)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.f is not None:
            cls.f.close()
        cls.c.close()

    def tls_context(self):  # the front's own certificate (frontlib makes it)
        return ssl.create_default_context(cafile=self.f.ca)

    def imap(self, how):
        if how == "imaps":
            return imaplib.IMAP4_SSL(FRONT, self.f.imaps, ssl_context=self.tls_context(),
                                     timeout=TIMEOUT)
        conn = imaplib.IMAP4(FRONT, self.f.imap, timeout=TIMEOUT)
        if how == "starttls":
            conn.starttls(ssl_context=self.tls_context())
        return conn

    def pop(self):
        return poplib.POP3(FRONT, self.f.pop3, timeout=TIMEOUT)

    def test_1_imap_every_store_every_transport(self):
        for how in ("plain", "starttls", "imaps"):
            for user in USERS:
                subject = "%s via %s" % (user, how)
                conn = self.imap(how)
                try:
                    self.assertEqual(conn.login(user, PASSWORD)[0], "OK", (user, how))
                    typ, _ = conn.append("INBOX", None, None, message(subject))
                    self.assertEqual(typ, "OK")
                    conn.select("INBOX")
                    typ, data = conn.search(None, "SUBJECT", '"%s"' % subject)
                    self.assertEqual(typ, "OK")
                    nums = data[0].split()
                    self.assertEqual(len(nums), 1, (user, how, data))
                    typ, data = conn.fetch(nums[0], "(BODY[TEXT])")
                    self.assertIn(("body of " + subject).encode(), data[0][1])
                finally:
                    conn.logout()

    def test_2_pop3_every_store(self):
        for user, store in USERS.items():
            host, port = self.c.current(store)[0].lmtp
            with smtplib.LMTP(host, port) as lmtp:
                self.assertEqual(lmtp.sendmail("x@example.com", [user],
                                               message("pop for " + user)), {})
            pop = self.pop()
            try:
                pop.user(user)
                self.assertTrue(pop.pass_(PASSWORD).startswith(b"+OK"), user)
                count, _ = pop.stat()
                found = any(b"Subject: pop for " + user.encode() in
                            pop.retr(i)[1] for i in range(1, count + 1))
                self.assertTrue(found, user)
            finally:
                pop.quit()

    def refused_quickly(self, attempt):
        t0 = time.monotonic()
        attempt()
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, REFUSAL_SECONDS)
        return elapsed

    def imap_login_refused(self, user, password):
        conn = self.imap("plain")
        try:
            with self.assertRaises(imaplib.IMAP4.error) as cm:
                conn.login(user, password)
            # imaplib's IMAP4.error (not .abort): a tagged NO, not a dropped connection
            self.assertNotIsInstance(cm.exception, imaplib.IMAP4.abort, cm.exception)
            return str(cm.exception)
        finally:
            close_imap(conn)

    def pop_login_refused(self, user, password):
        pop = self.pop()
        try:
            pop.user(user)
            with self.assertRaises(poplib.error_proto) as cm:
                pop.pass_(password)
            self.assertTrue(str(cm.exception).startswith("b'-ERR"), cm.exception)
            return str(cm.exception)
        finally:
            pop.close()

    def test_3_wrong_password_and_unknown_user_are_refused(self):
        for user in ("alice", "nobody"):
            password = "wrong" if user == "alice" else PASSWORD
            self.refused_quickly(lambda: self.imap_login_refused(user, password))
            self.refused_quickly(lambda: self.pop_login_refused(user, password))

    def test_8_directory_down_gives_a_temporary_refusal(self):
        self.f.slotdir.stop()
        try:
            text = []
            self.refused_quickly(lambda: text.append(self.imap_login_refused("bob", PASSWORD)))
            self.refused_quickly(lambda: text.append(self.pop_login_refused("bob", PASSWORD)))
            for t in text:
                self.assertIn("Temporary", t)
        finally:
            self.f.slotdir.start()
        conn = self.imap("plain")
        try:
            self.assertEqual(conn.login("bob", PASSWORD)[0], "OK")
        finally:
            conn.logout()

    def test_9_after_failover_a_new_login_reaches_the_new_master(self):
        old = self.c.current("s1")[0]
        r = self.c.mailctl("failover", "s1", timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        new = self.c.current("s1")[0]
        self.assertNotEqual(new.name, old.name)
        subject = "after failover"

        def append_through_front():
            conn = self.imap("plain")
            try:
                try:
                    conn.login("alice", PASSWORD)
                    return conn.append("INBOX", None, None, message(subject))[0] == "OK"
                except imaplib.IMAP4.error:
                    return False
            finally:
                close_imap(conn)

        wait_for(append_through_front, timeout=20, what="a login through the front to append")
        # The message is on the new master: read it there directly.
        conn = imaplib.IMAP4(*new.imap, timeout=TIMEOUT)
        try:
            conn.login("alice", PASSWORD)
            conn.select("INBOX")
            typ, data = conn.search(None, "SUBJECT", '"%s"' % subject)
            self.assertEqual(len(data[0].split()), 1, data)
        finally:
            conn.logout()


if __name__ == "__main__":
    unittest.main()
