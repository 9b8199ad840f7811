"""Test harness: real slotd processes on loopback, in temporary directories.

Every Slot starts its own slotd (ports chosen by the kernel, read back from
the banner), creates users with the real mailctl, and stops the process by
PID when done. TLS certificates come from a CA generated per test run.
"""
import imaplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("SLOTMAIL_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "bin"))
KDF_ITERATIONS = "1000"  # tests need logins fast; production default is 100000


def wait_for(condition, timeout=10.0, what="condition"):
    """Polls condition() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def trickle_until_closed(sock, data, interval=0.2, timeout=60.0):
    """Sends `data` one byte every `interval` seconds, as a slow-loris client
    does, until the server closes the connection; returns what it sent back
    before closing. AssertionError if all of `data` went through, or
    `timeout` passed, with the connection still open."""
    import select
    got = b""
    deadline = time.monotonic() + timeout
    for byte in data:
        if time.monotonic() > deadline:
            raise AssertionError("still open after %ss: %r" % (timeout, got))
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return got  # closed while we were sending
        ready, _, _ = select.select([sock], [], [], interval)
        if ready:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                return got  # closed, and our late bytes drew a reset
            if not chunk:
                return got
            got += chunk
    raise AssertionError("all %d bytes went through without a close: %r" % (len(data), got))


class LineSocket:
    """A CRLF line reader over a raw loopback socket, for protocol tests that
    need what client libraries hide (IDLE, pipelining). Reads are bounded by
    the socket timeout."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def take_recent(slot, mailbox, user="alice", password="secret"):
    """SELECTs `mailbox` in a session of its own, then logs out: its messages
    are then \\Recent in no later session (RFC 3501 2.3.2). For tests whose
    expected FLAGS leave \\Recent out."""
    m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
    m.login(user, password)
    typ, data = m.select(mailbox)
    assert typ == "OK", (typ, data)
    m.logout()


class TestCA:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.cert = os.path.join(directory, "server.pem")
        self.key = os.path.join(directory, "server.key")
        ca_key = os.path.join(directory, "ca.key")
        csr = os.path.join(directory, "server.csr")
        ext = os.path.join(directory, "ext.cnf")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
            "-out", self.ca_cert, "-days", "2", "-subj", "/CN=slotmail test CA")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
            "-out", csr, "-subj", "/CN=localhost")
        run("openssl", "x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", ca_key,
            "-CAcreateserial", "-out", self.cert, "-days", "2", "-extfile", ext)


class Slot:
    """One slotd serving a fresh slot directory."""

    def __init__(self, tls=True, users=(("alice", "secret"),), extra=None, setup=None):
        """setup(slot), if given, runs after the users exist and before slotd
        starts: the place for mailctl commands (mailctl cannot open a slot
        that slotd serves)."""
        self.tmp = tempfile.mkdtemp(prefix="slotmail-e2e.")
        self.proc = None
        try:
            self._start(tls, users, extra, setup)
        except BaseException:
            # A failed start leaves no process and no directory behind.
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                self.proc.stdout.close()
                self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _start(self, tls, users, extra, setup):
        self.slot_dir = os.path.join(self.tmp, "slot")
        os.makedirs(self.slot_dir)
        self.ca = TestCA(self.tmp) if tls else None
        for user, password in users:
            self.mailctl("user", "add", user, "--password-stdin", input=password)
        if setup:
            setup(self)
        conf = os.path.join(self.tmp, "slotd.conf")
        lines = ["slot_dir = " + self.slot_dir, "imap_listen = 127.0.0.1:0",
                 "kdf_iterations = " + KDF_ITERATIONS, "workers = 8"]
        if tls:
            lines += ["imaps_listen = 127.0.0.1:0", "tls_cert = " + self.ca.cert,
                      "tls_key = " + self.ca.key]
        lines += list(extra or [])
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(self.tmp, "slotd.log"), "w+")
        self.proc = subprocess.Popen([os.path.join(BIN, "slotd"), "--config", conf],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.ports = {}
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError("slotd exited during start-up: " + self.stderr())
            words = line.split()
            if words == ["ready"]:
                break
            if len(words) == 2 and ":" in words[1]:
                self.ports[words[0]] = int(words[1].rsplit(":", 1)[1])

    def mailctl(self, *args, input=None):
        return subprocess.run([os.path.join(BIN, "mailctl"), "--slot-dir", self.slot_dir,
                               "--kdf-iterations", KDF_ITERATIONS] + list(args),
                              input=input, text=True, capture_output=True, check=True)

    def remove_message_files(self):
        """Deletes every message file (blob) in the slot; returns how many."""
        removed = 0
        for root, _dirs, files in os.walk(self.slot_dir):
            if os.sep + "blobs" in root:
                for f in files:
                    os.remove(os.path.join(root, f))
                    removed += 1
        return removed

    def stderr(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        """SIGTERM by PID, then wait; returns slotd's exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self):
        self.stop()
        self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RawImap:
    """A logged-in imaplib connection for raw commands. run() sends one
    command line (literals inline: use {n+} / ~{n+}) and returns the untagged
    responses in order, each with its literals read in place, and the text of
    the tagged response after the tag."""

    def __init__(self, slot, user="alice", password="secret", login=True):
        self.m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
        if login:
            self.m.login(user, password)

    def response(self):
        """One whole response: a line, and the literal data it announces."""
        out = b""
        while True:
            line = self.m.readline()
            if not line:
                raise AssertionError("connection closed")
            out += line
            literal = re.search(rb"~?\{(\d+)\}\r\n$", line)
            if not literal:
                return out.rstrip(b"\r\n")
            out += self.m.read(int(literal.group(1)))

    def run(self, command):
        """Returns (untagged responses, tagged text); self.last_tag is the tag."""
        if isinstance(command, str):
            command = command.encode()
        tag = self.last_tag = self.m._new_tag()
        self.m.send(tag + b" " + command + b"\r\n")
        lines = []
        while True:
            line = self.response()
            if line.startswith(tag + b" "):
                return lines, line[len(tag) + 1:]
            lines.append(line)

    def expect(self, status, command):
        """run(), checking that the tagged response starts with `status`;
        returns the untagged responses."""
        lines, tagged = self.run(command)
        if not tagged.startswith(status):
            raise AssertionError("%r answered %r" % (command, tagged))
        return lines

    def ok(self, command):
        return self.expect(b"OK", command)

    def bad(self, command):
        return self.expect(b"BAD", command)

    def close(self):
        self.m.logout()


class MailboxPerTest(unittest.TestCase):
    """One plain-IMAP slot per test class (user "alice"), and a
    fresh mailbox name, self.box, for each test. Subclasses that define
    setUp call super().setUp() first."""

    @classmethod
    def setUpClass(cls):
        cls.slot = Slot(tls=False)
        cls.boxes = 0

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def setUp(self):
        type(self).boxes += 1
        self.box = "Box%d" % type(self).boxes

    def session(self, enable=None):
        """A logged-in RawImap, closed after the test; with `enable`, after
        ENABLE of those capabilities."""
        c = RawImap(self.slot)
        self.addCleanup(c.close)
        if enable:
            lines = c.ok("ENABLE " + enable)
            self.assertTrue(lines[0].startswith(b"* ENABLED"), lines)
        return c


class TwoSessionsOnInbox(unittest.TestCase):
    """A fresh plain-IMAP slot per test; alice's INBOX holds three messages
    (MESSAGE) and two imaplib sessions, self.a and self.b, have it selected."""

    MESSAGE = b"From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n"

    def setUp(self):
        self.slot = Slot(tls=False)
        self.a = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        self.b = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        for m in (self.a, self.b):
            m.login("alice", "secret")
        for _ in range(3):
            self.a.append("INBOX", None, None, self.MESSAGE)
        take_recent(self.slot, "INBOX")
        self.a.select("INBOX")
        self.b.select("INBOX")

    def tearDown(self):
        for m in (self.a, self.b):
            m.logout()
        self.slot.close()
