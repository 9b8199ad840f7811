"""The control channel of a cluster slot, spoken directly (doc/control.md):
mutual TLS on its TCP port refuses peers without the cluster CA's
certificate and plain TCP; hello checks the version; over the Unix socket,
malformed requests get ok:false with a code and change nothing.

One slot (m1:N of a cluster on 127.0.0.71-73) is enough; the others stay
stopped.
"""
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import unittest

from clusterlib import REPO, Cluster, ControlConn, plain_tcp_reply
from slotlib import wait_for

HELLO = {"hello": "slotmail-control", "version": 1}


class ControlTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("127.0.0.71", start=False)
        try:
            cls.slot = cls.c.master_of("s1")
            cls.c.start_slot(cls.slot.name)
            cls.c.ok("user", "add", "alice", "--password-stdin", "--slot", cls.slot.name,
                     input="secret")
        except BaseException:
            cls.c.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def log_has(self, pattern, start):
        """Waits for a line matching `pattern` in the slot's log after offset `start`."""
        return wait_for(lambda: re.search(pattern, self.slot.stderr()[start:]),
                        what="%r in the log of %s" % (pattern, self.slot.name))

    def log_size(self):
        return len(self.slot.stderr())

    def assertUnchanged(self):
        """alice is the only user, the slot master at epoch 1."""
        conn = ControlConn.unix(self.c.socket_path(self.slot.name))
        try:
            conn.hello()
            users = conn.call({"id": 1, "op": "users"})
            status = conn.call({"id": 2, "op": "status"})
        finally:
            conn.close()
        self.assertEqual(users["users"], ["alice"])
        self.assertEqual((status["role"], status["epoch"], status["serving"]), ("master", 1, True))
        with open(os.path.join(self.c.slot_dir(self.slot.name), "role")) as f:
            self.assertEqual(f.read(), "epoch 1\nrole master\nstore s1\nmaster_epoch 1\n")


class TlsTest(ControlTestCase):
    def context(self, cert=None, key=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.c.ca)
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    def exchange(self, ctx, line):
        """Connects over TLS, sends `line`, returns the first line answered:
        None when the handshake or the connection fails first."""
        raw = socket.create_connection(self.slot.control, timeout=10)
        s = None
        try:
            s = ctx.wrap_socket(raw, server_hostname=self.slot.address)
            s.sendall(json.dumps(line).encode() + b"\n")
            return ControlConn(s).line()
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            return None
        finally:
            (s or raw).close()

    def test_right_certificate_gets_hello(self):
        conn = ControlConn(self.context(self.c.cert, self.c.key).wrap_socket(
            socket.create_connection(self.slot.control, timeout=10),
            server_hostname=self.slot.address))
        try:
            hello = conn.hello()
            self.assertEqual((hello["version"], hello["slot"], hello["store"], hello["role"],
                              hello["epoch"]), (1, self.slot.name, "s1", "master", 1))
            self.assertEqual(conn.call({"id": 5, "op": "users"}),
                             {"id": 5, "ok": True, "users": ["alice"]})
        finally:
            conn.close()

    def test_client_without_certificate_is_refused(self):
        start = self.log_size()
        self.assertIsNone(self.exchange(self.context(), HELLO))
        self.log_has(r"warning control: .*127\.[0-9.]+.*TLS handshake failed", start)
        self.assertUnchanged()

    def test_certificate_from_another_ca_is_refused(self):
        other = os.path.join(self.c.tmp, "other-ca")
        subprocess.run([os.path.join(REPO, "scripts", "cluster-tls.sh"), other] + self.c.addresses,
                       check=True, capture_output=True)
        start = self.log_size()
        ctx = self.context(os.path.join(other, "cert.pem"), os.path.join(other, "key.pem"))
        self.assertIsNone(self.exchange(ctx, HELLO))
        self.log_has(r"warning control: .*TLS handshake failed", start)
        self.assertUnchanged()

    def test_plain_tcp_gets_no_answer(self):
        start = self.log_size()
        got = plain_tcp_reply(self.slot.control, HELLO)
        self.assertNotIn(b'"ok"', got)
        self.assertNotIn(b"slotmail-control", got)
        self.log_has(r"warning control: .*TLS handshake failed", start)

    def test_wrong_version_is_refused_and_closed(self):
        start = self.log_size()
        conn = ControlConn(self.context(self.c.cert, self.c.key).wrap_socket(
            socket.create_connection(self.slot.control, timeout=10),
            server_hostname=self.slot.address))
        try:
            answer = conn.call({"hello": "slotmail-control", "version": 99})
            self.assertEqual((answer["ok"], answer["code"]), (False, "Protocol"), answer)
            self.assertIn("version 1", answer["message"])
            self.assertTrue(conn.closed())
        finally:
            conn.close()
        self.log_has(r"warning control: refused 127\.[0-9.]+: unsupported protocol version", start)


class FramingTest(ControlTestCase):
    """Malformed requests over the Unix socket."""

    def connect(self):
        conn = ControlConn.unix(self.c.socket_path(self.slot.name))
        self.addCleanup(conn.close)
        return conn

    def assertRefused(self, conn, raw, code, message, id=None):
        conn.send_raw(raw if isinstance(raw, bytes) else json.dumps(raw).encode() + b"\n")
        answer = conn.reply()
        self.assertIs(answer.get("ok"), False, (raw, answer))
        self.assertEqual(answer.get("code"), code, (raw, answer))
        self.assertIn(message, answer.get("message", ""), (raw, answer))
        if id is not None:
            self.assertEqual(answer.get("id"), id, (raw, answer))
        # Still usable.
        self.assertEqual(conn.call({"id": 99, "op": "users"})["users"], ["alice"])

    def test_malformed_requests_change_nothing(self):
        conn = self.connect()
        conn.hello()
        cases = [
            (b'{"id":1,"op":"sta\n', "InvalidArgument", "not JSON", None),
            (b"hello world\n", "InvalidArgument", "not JSON", None),
            (b"[1,2]\n", "InvalidArgument", "a request is a JSON object", None),
            (b"[" * 40 + b"]" * 40 + b"\n", "InvalidArgument", "not JSON", None),  # > 32 levels
            ({"id": 4}, "InvalidArgument", "op", 4),
            ({"id": "x", "op": "status"}, "InvalidArgument", "id must be an integer", None),
            ({"id": 5, "op": "frobnicate"}, "InvalidArgument", "unknown op 'frobnicate'", 5),
            ({"id": 6, "op": "role", "role": "replica", "epoch": "2"}, "InvalidArgument",
             "epoch", 6),
            ({"id": 7, "op": "role", "role": "fenced", "epoch": 5}, "InvalidArgument",
             "master or replica", 7),
            ({"id": 8, "op": "role", "role": "master", "epoch": -1}, "InvalidArgument",
             "epoch", 8),
            ({"id": 9, "op": "admin", "args": "user list"}, "InvalidArgument",
             "args must be an array", 9),
            ({"id": 10, "op": "admin", "args": ["user", "del", 3]}, "InvalidArgument",
             "args must be strings", 10),
            ({"id": 11, "op": "admin", "args": ["user", "del", "alice", "--slot-dir", "/tmp"]},
             "InvalidArgument", "--slot-dir is not allowed", 11),
            ({"id": 12, "op": "admin", "args": ["user", "add", "eve", "--password-file",
                                                "/etc/hostname"]},
             "InvalidArgument", "--password-file is not allowed", 12),
            ({"id": 13, "op": "admin", "args": ["user", "add", "eve",
                                                "--password-file=/etc/hostname"]},
             "InvalidArgument", "--password-file is not allowed", 13),
            ({"id": 14, "op": "admin", "args": ["user", "del", "alice", "--config=/x"]},
             "InvalidArgument", "--config is not allowed", 14),
            ({"id": 15, "op": "admin", "args": ["status"]}, "InvalidArgument",
             "not a store command", 15),
            ({"id": 16, "op": "admin", "args": ["user", "add", "eve", "--password-stdin"],
              "stdin": 7}, "InvalidArgument", "stdin must be a string", 16),
        ]
        for raw, code, message, id in cases:
            with self.subTest(raw=raw):
                self.assertRefused(conn, raw, code, message, id)
        for args, message in ((["user", "frob"], "unknown command"), ([], "no command"),
                              (["user", "list", "--store", "s2"], "--store is not allowed"),
                              (["user", "list", "--kdf-iterations=1"], "not allowed")):
            with self.subTest(args=args):
                self.assertRefused(conn, {"id": 20, "op": "admin", "args": args},
                                   "InvalidArgument", message, 20)
        # Pipelined requests are answered one by one, in order.
        conn.send_raw(b'{"id":31,"op":"users"}\n{"id":32,"op":"status"}\n{"id":33,"op":"x"}\n')
        self.assertEqual([conn.reply().get("id") for _ in range(3)], [31, 32, 33])
        self.assertUnchanged()

    def test_request_before_hello_is_refused(self):
        start = self.log_size()
        conn = self.connect()
        answer = conn.call({"id": 1, "op": "users"})
        self.assertEqual((answer["ok"], answer["code"]), (False, "Protocol"), answer)
        self.assertTrue(conn.closed())
        self.log_has(r"warning control: refused local socket", start)

    def test_attachment_is_refused_and_closes(self):
        # Only the replication channel carries bytes after a line; here the
        # next line could not be found, so the connection ends.
        start = self.log_size()
        conn = self.connect()
        conn.hello()
        conn.send_raw(b'{"id":1,"op":"admin","args":["user","add","eve"],"attach":3}\nabc')
        answer = conn.reply()
        self.assertEqual((answer["ok"], answer["code"]), (False, "Protocol"), answer)
        self.assertIn("takes no attachments", answer["message"])
        self.assertTrue(conn.closed())
        self.log_has(r"warning control: refused local socket: this channel takes no attachments",
                     start)
        self.assertUnchanged()

    def test_oversized_line_is_too_big_and_closes(self):
        start = self.log_size()
        conn = self.connect()
        conn.hello()
        big = b'{"id":1,"op":"admin","args":["user","add","eve","--password-stdin"],"stdin":"' + \
            b"x" * ((1 << 20) + 100) + b'"}\n'

        def send():
            try:
                conn.send_raw(big)
            except (BrokenPipeError, ConnectionResetError):
                pass  # slotd stopped reading: expected

        sender = threading.Thread(target=send)
        sender.start()
        answer = conn.reply()
        sender.join(10)
        self.assertEqual((answer["ok"], answer["code"]), (False, "TooBig"), answer)
        self.assertTrue(conn.closed())
        self.log_has(r"warning control: refused local socket: a line is longer than", start)
        self.assertUnchanged()


if __name__ == "__main__":
    unittest.main()
