"""LMTP delivery (RFC 2033) into a real slotd, checked over IMAP.

The client is Python's smtplib.LMTP (or a raw socket where the test needs
to control the bytes on the wire). Every message is read back over IMAP and
compared byte for byte, apart from the Return-Path and Received fields the
server puts on top."""
import imaplib
import os
import re
import smtplib
import socket
import sys
import unittest

import slotlib

MSG = (b"From: sender@example.org\r\nTo: alice@example.com\r\nSubject: hello\r\n"
       b"Message-ID: <1@example.org>\r\n\r\nline one\r\n.line starting with a dot\r\n"
       b"..two dots\r\n.\r\n\r\n8bit: \xc3\xa9t\xc3\xa9\r\n")


def strip_trace(data):
    """The message without the leading Return-Path and Received fields."""
    m = re.match(rb"Return-Path: <[^>]*>\r\nReceived: [^\r]*\r\n(?:[ \t][^\r]*\r\n)*", data)
    assert m, data[:200]
    return data[m.end():], data[:m.end()]


class Raw(slotlib.LineSocket):
    """A line-oriented LMTP client over a raw socket."""

    def send(self, data):
        self.sock.sendall(data)

    def replies(self, n):
        """The next n replies (multi-line ones joined), as (code, text) pairs."""
        out = []
        while len(out) < n:
            line = self.line()
            if line[3:4] == b"-":
                continue
            out.append((int(line[:3]), line[4:].decode("utf-8", "replace")))
        return out

    def close(self):
        self.sock.close()


class LmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=(("alice", "secret"), ("bob", "pw")),
                                extra=["lmtp_listen = 127.0.0.1:0",
                                       "max_message_bytes = 4096"])

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def imap(self, user, password):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login(user, password)
        self.addCleanup(m.logout)
        return m

    def messages(self, user, password, mailbox="INBOX"):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login(user, password)
        typ, _ = m.select(mailbox, readonly=True)
        self.assertEqual(typ, "OK")
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        m.logout()
        return [part[1] for part in data if isinstance(part, tuple)]

    def lmtp(self):
        c = smtplib.LMTP("127.0.0.1", self.slot.ports["lmtp"])
        self.addCleanup(c.close)
        return c

    def test_banner_names_the_lmtp_port(self):
        self.assertIn("lmtp", self.slot.ports)

    def test_mixed_recipients_each_get_their_own_reply(self):
        before_a = len(self.messages("alice", "secret"))
        before_b = len(self.messages("bob", "pw"))
        c = self.lmtp()
        refused = c.sendmail("sender@example.org",
                             ["alice@example.com", "nobody@example.com", "Bob@example.com"], MSG)
        self.assertEqual(list(refused), ["nobody@example.com"])
        self.assertEqual(refused["nobody@example.com"][0], 550)
        self.assertIn(b"5.1.1", refused["nobody@example.com"][1])
        # smtplib reads the first DATA reply (alice's); bob's follows.
        code, text = c.getreply()
        self.assertEqual(code, 250)
        self.assertTrue(text.startswith(b"2.0.0"))
        c.quit()
        a = self.messages("alice", "secret")
        b = self.messages("bob", "pw")
        self.assertEqual(len(a), before_a + 1)
        self.assertEqual(len(b), before_b + 1)
        for got in (a[-1], b[-1]):
            body, trace = strip_trace(got)
            self.assertEqual(body, MSG)  # dot-unstuffed, byte-exact
            self.assertTrue(trace.startswith(b"Return-Path: <sender@example.org>\r\n"))
            self.assertIn(b"with LMTP", trace)

    def test_pipelined_commands_are_answered_in_order(self):
        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        self.assertEqual(r.replies(1)[0][0], 220)
        body = b"Subject: piped\r\n\r\n..dot\nbare LF line\r\n"
        r.send(b"LHLO client.example\r\nMAIL FROM:<> BODY=8BITMIME SIZE=40\r\n"
               b"RCPT TO:<alice@x>\r\nRCPT TO:<ghost@x>\r\nRCPT TO:<bob@x>\r\nDATA\r\n")
        codes = [c for c, _ in r.replies(6)]
        self.assertEqual(codes, [250, 250, 250, 550, 250, 354])
        r.send(body + b".\r\nNOOP\r\nRSET\r\nQUIT\r\n")
        got = r.replies(5)
        self.assertEqual([c for c, _ in got], [250, 250, 250, 250, 221])
        self.assertTrue(got[0][1].startswith("2.0.0"))
        last, trace = strip_trace(self.messages("bob", "pw")[-1])
        self.assertEqual(last, b"Subject: piped\r\n\r\n.dot\r\nbare LF line\r\n")
        self.assertTrue(trace.startswith(b"Return-Path: <>\r\n"))

    def test_plus_folder_delivers_to_an_existing_folder_else_inbox(self):
        m = self.imap("alice", "secret")
        self.assertEqual(m.create("Lists")[0], "OK")
        before_inbox = len(self.messages("alice", "secret"))
        c = self.lmtp()
        msg = b"Subject: folder\r\n\r\nhi\r\n"
        c.sendmail("s@x", ["alice+Lists@example.com"], msg)
        c.sendmail("s@x", ["alice+lists@example.com"], msg)  # case matters: no such folder
        c.sendmail("s@x", ["alice+inbox@example.com"], msg)
        c.quit()
        lists = self.messages("alice", "secret", "Lists")
        self.assertEqual(len(lists), 1)
        self.assertEqual(strip_trace(lists[0])[0], msg)
        self.assertEqual(len(self.messages("alice", "secret")), before_inbox + 2)

    def test_too_big_message_is_refused_and_nothing_stored(self):
        before = len(self.messages("bob", "pw"))
        big = b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 100
        c = self.lmtp()
        # With SIZE= the refusal comes at MAIL FROM.
        with self.assertRaises(smtplib.SMTPSenderRefused) as e:
            c.sendmail("s@x", ["bob@x"], big)
        self.assertEqual(e.exception.smtp_code, 552)
        self.assertIn(b"5.3.4", e.exception.smtp_error)
        c.quit()
        # Without SIZE=, after the data, once per recipient.
        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        r.replies(1)
        r.send(b"LHLO x\r\nMAIL FROM:<s@x>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<alice@x>\r\nDATA\r\n")
        self.assertEqual([c for c, _ in r.replies(5)], [250, 250, 250, 250, 354])
        r.send(big + b".\r\nNOOP\r\n")
        got = r.replies(3)
        self.assertEqual([c for c, _ in got], [552, 552, 250])
        self.assertTrue(got[0][1].startswith("5.3.4"))
        self.assertEqual(len(self.messages("bob", "pw")), before)

    def test_malformed_commands_get_clear_codes_and_the_session_goes_on(self):
        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        r.replies(1)
        script = [
            (b"EHLO x", "500 5.5.1"),  # LMTP is LHLO only
            (b"MAIL FROM:<a@b>", "503 5.5.1"),  # before LHLO
            (b"LHLO", "501 5.5.4"),
            (b"LHLO client.example", "250 "),
            (b"RCPT TO:<alice@x>", "503 5.5.1"),  # before MAIL
            (b"DATA", "503 5.5.1"),
            (b"MAIL FROM:a@b", "501 5.5.4"),
            (b"MAIL FROM:<a@b> SIZE=abc", "501 5.5.4"),
            (b"MAIL FROM:<a@b> FOO=1", "555 5.5.4"),
            (b"MAIL FROM:<a@b>", "250 2.1.0"),
            (b"MAIL FROM:<a@b>", "503 5.5.1"),  # nested
            (b"RCPT TO:alice", "501 5.5.4"),
            (b"RCPT TO:<+folder@x>", "501 5.1.3"),
            (b"RCPT TO:<alice@x> NOTIFY=NEVER", "555 5.5.4"),
            (b"DATA", "503 5.5.1"),  # no valid recipient
            (b"XYZZY", "500 5.5.2"),
            (b"NOOP " + b"x" * 3000, "500 5.5.2"),
            (b"RCPT TO:<alice\x01@x>", "501 5.5.2"),
            (b"RSET", "250 2.0.0"),
            (b"QUIT", "221 2.0.0"),
        ]
        r.send(b"".join(cmd + b"\r\n" for cmd, _ in script))
        got = ["%d %s" % reply for reply in r.replies(len(script))]
        for (cmd, want), reply in zip(script, got):
            self.assertTrue(reply.startswith(want), (cmd[:40], reply))

    def test_same_message_id_twice_is_stored_once_and_both_get_250(self):
        before = len(self.messages("bob", "pw"))
        msg = b"Message-ID: <dup-1@example.org>\r\nSubject: dup\r\n\r\nonce\r\n"
        c = self.lmtp()
        self.assertEqual(c.sendmail("s@x", ["bob@x"], msg), {})
        self.assertEqual(c.sendmail("s@x", ["bob@x"], msg), {})  # raises unless 250
        c.quit()
        self.assertEqual(len(self.messages("bob", "pw")), before + 1)

    def test_bare_lf_dot_cannot_smuggle_a_second_message(self):
        # RFC 5321 4.1.1.4: only <CRLF>.<CRLF> ends DATA. Before the fix
        # "\n.\n" ended the first message and the lines after it ran as
        # commands, delivering a forged message to bob.
        before_b = len(self.messages("bob", "pw"))
        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        self.assertEqual(r.replies(1)[0][0], 220)
        r.send(b"LHLO mta.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@x>\r\n"
               b"DATA\r\n")
        self.assertEqual([c for c, _ in r.replies(4)], [250, 250, 250, 354])
        body = (b"Subject: outer\r\n\r\nhi\n.\nMAIL FROM:<ceo@example.org>\n"
                b"RCPT TO:<bob@x>\nDATA\nSubject: smuggled\n\r\n.\r\n")
        r.send(body + b"QUIT\r\n")
        got = r.replies(2)
        self.assertEqual([c for c, _ in got], [250, 221], got)
        self.assertEqual(len(self.messages("bob", "pw")), before_b)
        last, _ = strip_trace(self.messages("alice", "secret")[-1])
        self.assertEqual(last, b"Subject: outer\r\n\r\nhi\r\n.\r\nMAIL FROM:<ceo@example.org>"
                               b"\r\nRCPT TO:<bob@x>\r\nDATA\r\nSubject: smuggled\r\n\r\n")

    def test_recipients_past_100_get_452_and_the_rest_is_delivered(self):
        # RFC 5321 4.5.3.1.8 / 4.5.3.1.10: 452 for the recipients past the
        # limit; before the fix the 21st such reply dropped the session.
        before = len(self.messages("bob", "pw"))
        r = Raw(self.slot.ports["lmtp"])
        self.addCleanup(r.close)
        self.assertEqual(r.replies(1)[0][0], 220)
        rcpts = b"".join(b"RCPT TO:<bob+%d@x>\r\n" % i for i in range(150))
        r.send(b"LHLO mta.example\r\nMAIL FROM:<a@example.org>\r\n" + rcpts + b"DATA\r\n")
        codes = [c for c, _ in r.replies(2 + 150 + 1)]
        self.assertEqual(codes, [250, 250] + [250] * 100 + [452] * 50 + [354])
        r.send(b"Message-ID: <many@example.org>\r\nSubject: many\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        self.assertEqual([c for c, _ in r.replies(101)], [250] * 100 + [221])
        # One delivery id for all 100 copies: the first is stored, the rest
        # are the same delivery to the same folder (INBOX).
        self.assertEqual(len(self.messages("bob", "pw")), before + 1)

    def test_a_message_id_sent_first_by_another_sender_suppresses_nothing(self):
        # Duplicate suppression compares sender and content, not only the
        # Message-ID anyone can choose (doc/lmtp.md "Duplicate suppression").
        before = len(self.messages("alice", "secret"))
        real = b"Message-ID: <statement-7@bank.example>\r\nSubject: statement\r\n\r\nreal\r\n"
        fake = b"Message-ID: <statement-7@bank.example>\r\nSubject: statement\r\n\r\nfake\r\n"
        c = self.lmtp()
        self.assertEqual(c.sendmail("evil@example.net", ["alice@x"], real), {})
        self.assertEqual(c.sendmail("evil@example.net", ["alice@x"], fake), {})
        self.assertEqual(c.sendmail("news@bank.example", ["alice@x"], real), {})
        self.assertEqual(c.sendmail("news@bank.example", ["alice@x"], real), {})  # a retry
        c.quit()
        got = self.messages("alice", "secret")[before:]
        self.assertEqual(len(got), 3)
        self.assertTrue(got[-1].startswith(b"Return-Path: <news@bank.example>\r\n"))
        self.assertEqual(strip_trace(got[-1])[0], real)

    def test_idle_session_sees_the_delivery(self):
        r = socket.create_connection(("127.0.0.1", self.slot.ports["imap"]), timeout=10)
        self.addCleanup(r.close)
        f = r.makefile("rb")
        f.readline()
        r.sendall(b"a1 LOGIN alice secret\r\na2 SELECT INBOX\r\n")
        while not f.readline().startswith(b"a2 "):
            pass
        r.sendall(b"a3 IDLE\r\n")
        self.assertTrue(f.readline().startswith(b"+"))
        c = self.lmtp()
        c.sendmail("s@x", ["alice@x"], b"Subject: idle\r\n\r\nhi\r\n")
        c.quit()
        self.assertRegex(f.readline(), rb"^\* \d+ EXISTS")
        r.sendall(b"DONE\r\n")


class LmtpDeadlineTest(unittest.TestCase):
    def test_a_client_trickling_bytes_is_closed_when_no_line_completes(self):
        # Before, every byte restarted the idle timeout: one byte now and
        # then held the socket for good (issue 14 point 12).
        slot = slotlib.Slot(tls=False, extra=["lmtp_listen = 127.0.0.1:0", "lmtp_timeout = 2"])
        self.addCleanup(slot.close)
        s = socket.create_connection(("127.0.0.1", slot.ports["lmtp"]), timeout=10)
        self.addCleanup(s.close)
        got = slotlib.trickle_until_closed(s, b"LHLO " + b"x" * 1000)
        self.assertTrue(got.startswith(b"220 "), got)
        self.assertIn(b"\r\n421 4.4.2", got)


class LmtpUnixSocketTest(unittest.TestCase):
    def test_delivery_over_a_unix_socket(self):
        tmp = slotlib.tempfile.mkdtemp(prefix="slotmail-lmtp.")
        path = os.path.join(tmp, "lmtp.sock")
        slot = slotlib.Slot(tls=False, extra=["lmtp_socket = " + path])
        self.addCleanup(slotlib.shutil.rmtree, tmp, True)
        self.addCleanup(slot.close)
        c = smtplib.LMTP(path)
        c.sendmail("s@x", ["alice@x"], b"Subject: unix\r\n\r\nhi\r\n")
        c.quit()
        m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
        m.login("alice", "secret")
        m.select("INBOX")
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        m.logout()
        self.assertEqual(strip_trace(data[0][1])[0], b"Subject: unix\r\n\r\nhi\r\n")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
