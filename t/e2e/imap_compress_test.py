"""COMPRESS=DEFLATE (RFC 4978) end to end: imaplib has no COMPRESS, so this
test's client speaks IMAP over a raw socket (plain TCP, implicit TLS or
STARTTLS) and runs both directions through zlib raw deflate after the OK."""
import base64
import imaplib
import os
import re
import socket
import ssl
import sys
import unittest
import zlib

import slotlib


class Client:
    """An IMAP client over a socket that can switch on deflate both ways."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.out = None  # zlib compressobj once COMPRESS is on
        self.inp = None
        self.n = 0
        self.line()  # greeting

    def compress(self):
        self.out = zlib.compressobj(wbits=-15)
        self.inp = zlib.decompressobj(wbits=-15)
        # Bytes that arrived after the OK belong to the compressed stream.
        rest, self.buf = self.buf, b""
        if rest:
            self.buf = self.inp.decompress(rest)

    def send(self, data):
        if self.out is not None:
            data = self.out.compress(data) + self.out.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += self.inp.decompress(data) if self.inp is not None else data

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """One response line with its literals (as (line, [literals]))."""
        text, literals = b"", []
        while True:
            line = self.line()
            text += line
            m = re.search(rb"\{(\d+)\}$", line)
            if not m:
                return text, literals
            literals.append(self.read(int(m.group(1))))
            text += b"{}"

    def command(self, cmd, literal=None):
        """Sends a command (with one synchronising literal appended when
        given) and returns (untagged [(line, literals)], tagged text)."""
        self.n += 1
        tag = b"c%d" % self.n
        if literal is None:
            self.send(tag + b" " + cmd + b"\r\n")
        else:
            self.send(tag + b" " + cmd + b" {%d}\r\n" % len(literal))
            line = self.line()
            if not line.startswith(b"+"):
                raise AssertionError("no continuation: %r" % line)
            self.send(literal + b"\r\n")
        untagged = []
        while True:
            text, literals = self.response()
            if text.startswith(tag + b" "):
                return untagged, text[len(tag) + 1:]
            untagged.append((text, literals))

    def ok(self, cmd, literal=None):
        untagged, tagged = self.command(cmd, literal)
        if not tagged.startswith(b"OK"):
            raise AssertionError("%r answered %r" % (cmd, tagged))
        return untagged


def big_message():
    """About 6 MB: text that compresses and base64 of random bytes that does
    not, so the compressed output still backs up behind a slow reader."""
    body = b"".join(b"line %d of a long and repetitive text part\r\n" % i
                    for i in range(40000))
    blob = base64.encodebytes(os.urandom(3 << 20)).replace(b"\n", b"\r\n")
    return (b"From: a@example.com\r\nTo: alice@example.com\r\nSubject: big\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\n" + body +
            b"\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"\r\n--b--\r\n")


class Compress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot()
        cls.ctx = ssl.create_default_context(cafile=cls.slot.ca.ca_cert)
        cls.big = big_message()

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def connect(self, how):
        port = self.slot.ports["imaps" if how == "tls" else "imap"]
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        if how == "tls":
            sock = self.ctx.wrap_socket(sock, server_hostname="localhost")
        c = Client(sock)
        if how == "starttls":
            c.ok(b"STARTTLS")
            c.sock = self.ctx.wrap_socket(sock, server_hostname="localhost")
        return c

    def session(self, how):
        c = self.connect(how)
        c.ok(b"LOGIN alice secret")
        caps = c.ok(b"CAPABILITY")[0][0]
        self.assertIn(b" COMPRESS=DEFLATE", caps)
        self.assertIn(b"OK", c.command(b"COMPRESS DEFLATE")[1])
        c.compress()
        return c

    def full_conversation(self, how):
        box = "Big-" + how
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        m.login("alice", "secret")
        m.create(box)
        self.assertEqual(m.append(box, None, None, self.big)[0], "OK")
        m.logout()
        c = self.session(how)
        tagged = c.command(b"COMPRESS DEFLATE")[1]
        self.assertTrue(tagged.startswith(b"NO [COMPRESSIONACTIVE]"), tagged)
        untagged = c.ok(b"SELECT " + box.encode())
        self.assertIn(b"* 1 EXISTS", [u[0] for u in untagged])
        untagged = c.ok(b"FETCH 1 BODY.PEEK[]")
        self.assertEqual(len(untagged), 1)
        self.assertEqual(untagged[0][1][0], self.big)  # byte-exact through deflate
        # APPEND with a synchronising literal, then read it back.
        msg = b"From: c@example.com\r\nSubject: via deflate (%s)\r\n\r\nhello\r\n" % how.encode()
        untagged = c.ok(b"APPEND " + box.encode() + b" (\\Seen)", literal=msg)
        untagged += c.ok(b"NOOP")
        self.assertIn(b"* 2 EXISTS", [u[0] for u in untagged])
        self.assertEqual(c.ok(b"FETCH 2 BODY.PEEK[]")[0][1][0], msg)
        # IDLE: another session's APPEND arrives as EXISTS, compressed.
        c.send(b"idle1 IDLE\r\n")
        self.assertTrue(c.line().startswith(b"+"))
        other = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        other.login("alice", "secret")
        self.assertEqual(other.append(box, None, None, b"Subject: x\r\n\r\nx\r\n")[0], "OK")
        other.logout()
        self.assertEqual(c.line(), b"* 3 EXISTS")
        c.send(b"DONE\r\n")
        line = c.line()
        while not line.startswith(b"idle1 "):
            line = c.line()
        self.assertTrue(line.startswith(b"idle1 OK"), line)
        untagged, tagged = c.command(b"LOGOUT")
        self.assertTrue(untagged[0][0].startswith(b"* BYE"))
        self.assertTrue(tagged.startswith(b"OK"))
        # The server closes after LOGOUT; the deflate stream ended cleanly.
        with self.assertRaises(EOFError):
            c._fill()
        c.sock.close()

    def test_plain_tcp(self):
        self.full_conversation("plain")

    def test_implicit_tls(self):
        self.full_conversation("tls")

    def test_starttls(self):
        self.full_conversation("starttls")

    def test_not_before_login_and_unknown_mechanism(self):
        c = self.connect("plain")
        caps = c.ok(b"CAPABILITY")[0][0]
        self.assertNotIn(b"COMPRESS=", caps)
        self.assertTrue(c.command(b"COMPRESS DEFLATE")[1].startswith(b"BAD"))
        c.ok(b"LOGIN alice secret")
        self.assertTrue(c.command(b"COMPRESS LZ4")[1].startswith(b"BAD"))
        self.assertTrue(c.command(b"COMPRESS")[1].startswith(b"BAD"))
        c.ok(b"NOOP")  # still uncompressed
        c.sock.close()

    def test_commands_sent_right_after_compress_are_inflated(self):
        # A client that pipelines: the compressed NOOP rides in the same
        # packet as COMPRESS and must be read as deflate data.
        c = self.connect("plain")
        c.ok(b"LOGIN alice secret")
        z = zlib.compressobj(wbits=-15)
        c.sock.sendall(b"z1 COMPRESS DEFLATE\r\n" + z.compress(b"z2 NOOP\r\n") +
                       z.flush(zlib.Z_SYNC_FLUSH))
        self.assertTrue(c.line().startswith(b"z1 OK"))
        c.compress()
        c.out = z
        self.assertTrue(c.line().startswith(b"z2 OK"))
        c.ok(b"NOOP")
        c.sock.close()

    def test_corrupt_stream_closes_only_that_connection(self):
        c = self.session("plain")
        c.sock.sendall(b"\xff\xff\xff\xff not deflate")
        with self.assertRaises((EOFError, ConnectionResetError)):
            while True:
                c._fill()
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        self.assertEqual(m.login("alice", "secret")[0], "OK")
        m.logout()

    def test_compression_bomb_is_bounded(self):
        # 64 MB of one byte compresses to ~64 KB: a line far over the line
        # limit. The server must refuse it, not buffer it.
        c = self.session("plain")
        c.send(b"x NOOP " + b"a" * (64 << 20))
        with self.assertRaises((EOFError, ConnectionResetError)):
            while True:
                c.line()
        c.sock.close()


class AppendSizes(unittest.TestCase):
    """APPEND literals of every size up to APPENDLIMIT (RFC 7889) over
    COMPRESS=DEFLATE (RFC 4978), TLS and both. Past 256 KiB the inflated
    input exceeded the filter's read watermark and the server stopped
    reading until the idle timeout."""
    LIMIT = 3 << 20

    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(extra=["max_message_bytes = %d" % cls.LIMIT])
        cls.ctx = ssl.create_default_context(cafile=cls.slot.ca.ca_cert)

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    connect = Compress.connect

    def login(self, how, compress):
        c = self.connect(how)
        c.ok(b"LOGIN alice secret")
        if compress:
            self.assertTrue(c.command(b"COMPRESS DEFLATE")[1].startswith(b"OK"))
            c.compress()
        return c

    def message(self, size, random):
        """`size` bytes: base64 of random bytes (barely compressible), or
        one repeated line (a few KB of deflate inflate to the whole)."""
        head = b"From: a@example.com\r\nSubject: %d bytes\r\n\r\n" % size
        if random:
            body = base64.encodebytes(os.urandom(size)).replace(b"\n", b"\r\n")
        else:
            body = b"all work and no play makes jack a dull boy\r\n" * (size // 44 + 1)
        return head + body[:size - len(head)]

    def check_sizes(self, how, compress):
        box = ("Sizes-%s-%s" % (how, compress)).encode()
        c = self.login(how, compress)
        caps = c.ok(b"CAPABILITY")[0][0]
        self.assertIn(b" APPENDLIMIT=%d" % self.LIMIT, caps)
        c.ok(b"CREATE " + box)
        sizes = [(256 << 10) - 1, (256 << 10) + 1, 1 << 20, self.LIMIT]
        messages = [self.message(size, random) for random in (False, True) for size in sizes]
        for msg in messages:
            c.ok(b"APPEND " + box, literal=msg)
        untagged = c.ok(b"SELECT " + box)
        self.assertIn(b"* %d EXISTS" % len(messages), [u[0] for u in untagged])
        for i, msg in enumerate(messages):
            got = c.ok(b"FETCH %d BODY.PEEK[]" % (i + 1))[0][1][0]
            self.assertEqual(got, msg, "message %d" % (i + 1))
        # One byte over the limit is refused before upload, and the
        # connection stays usable (RFC 7889: NO [TOOBIG], no "+").
        c.n += 1
        c.send(b"c%d APPEND %s {%d}\r\n" % (c.n, box, self.LIMIT + 1))
        self.assertTrue(c.line().startswith(b"c%d NO [TOOBIG]" % c.n))
        c.ok(b"NOOP")
        c.sock.close()

    def test_rfc4978_append_sizes_over_compress(self):
        self.check_sizes("plain", True)

    def test_append_sizes_over_tls(self):
        self.check_sizes("tls", False)

    def test_rfc4978_append_sizes_over_tls_and_compress(self):
        self.check_sizes("tls", True)

    def test_rfc4978_append_sizes_over_starttls_and_compress(self):
        self.check_sizes("starttls", True)

    def test_rfc4978_long_line_gets_one_bad(self):
        # A command line over the 64 KiB limit: one tagged BAD, one BYE,
        # then the server closes, over compression as without.
        for how, compress in (("plain", True), ("plain", False), ("starttls", False),
                              ("tls", True)):
            c = self.login(how, compress)
            c.send(b"x1 NOOP " + b"a" * (128 << 10) + b"\r\n")
            lines = []
            try:
                while True:
                    lines.append(c.line())
            except (EOFError, ConnectionResetError, ssl.SSLError):
                pass
            bad = [l for l in lines if b" BAD " in l]
            self.assertEqual(len(bad), 1, (how, compress, lines))
            self.assertTrue(bad[0].startswith(b"x1 BAD"), (how, compress, lines))
            self.assertTrue(lines[-1].startswith(b"* BYE"), (how, compress, lines))
            c.sock.close()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
