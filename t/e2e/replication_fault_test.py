"""Replication under faults (issue 10, point 9; doc/replication.md).

RefusalTest: a replica's replication port spoken to directly, as a broken
or hostile peer would. Every bad hello (garbage, wrong version or name, an
old epoch, another store) and every failed TLS handshake (no certificate,
a certificate from another CA, plain TCP) is refused with a log line in the
replica's stderr and the connection closed; with a valid hello, malformed
requests (apply with a bad image, a blob that does not hash to its GUID, a
user name with "../", an unknown op, a line that is not JSON) get ok:false
and the connection stays usable. After each, the replica is unchanged: its
users, its mailboxes, its role and epoch. The replica is alone (its master
stopped after the first sync), so nothing else can change it.

KillTest: kill -9 of the master or the replica at random moments while an
IMAP writer (APPEND with flags, STORE, COPY, EXPUNGE) and LMTP deliveries
go on against the master. Every acknowledged message (APPEND OK, LMTP 250)
must be on the master exactly once, byte-exact; the replica must converge
to the master (same mailbox list) and, promoted, serve the same messages.
The kill schedule is seeded: the seed is printed, and
SLOTMAIL_FAULT_SEED=N replays it (the writers' timing is not replayable).
The writers pause up to SLOTMAIL_FAULT_PACE seconds (0.04) between writes,
so that the replica keeps up and kills land inside its syncs and applies;
SLOTMAIL_FAULT_PACE=0 writes as fast as slotd takes it, and then the
replica catches up only after the last kill.

Addresses: RefusalTest on 127.0.0.91-93, KillTest on 127.0.0.94-96.
"""
import hashlib
import imaplib
import json
import os
import random
import re
import smtplib
import socket
import ssl
import sys
import threading
import time
import unittest

from clusterlib import REPLICATION, Cluster, ControlConn, fetch_all, plain_tcp_reply, port_of
from slotlib import TestCA, wait_for

USER, PASSWORD = "alice", "secret"
HELLO = {"hello": "slotmail-replication", "version": 2, "store": "s1", "from": "m1:1",
         "epoch": 1}
# The kill loop runs at least KILL_MIN_SECONDS and until MIN_KILLS kills,
# never longer than KILL_MAX_SECONDS.
MIN_KILLS = 100
KILL_MIN_SECONDS = float(os.environ.get("SLOTMAIL_KILL_SECONDS", "35"))
KILL_MAX_SECONDS = 55.0
PACE = float(os.environ.get("SLOTMAIL_FAULT_PACE", "0.04"))  # max pause between writes
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]*>)\r?$", re.M | re.I)


def mailbox_table(c, slot, user):
    """mailctl mailbox list on one slot: name -> (messages, unseen, bytes,
    uidvalidity, uidnext, highestmodseq, special-use); None on failure."""
    r = c.mailctl("--slot", slot, "mailbox", "list", user)
    if r.returncode != 0:
        return None
    return {f[0]: tuple(f[1:]) for f in (line.split("\t") for line in r.stdout.splitlines())}


def slot_row(c, slot):
    """The slot's row of mailctl status --json."""
    code, st = c.status()
    return [s for s in st["slots"] if s["slot"] == slot][0]


# ---------------------------------------------------------------- refusals


class RefusalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("127.0.0.91", start=False)
        try:
            c = cls.c
            cls.master, cls.replica = c.master_of("s1"), c.replica_of("s1")
            c.start_slot(cls.master.name)
            c.start_slot(cls.replica.name)
            c.ok("user", "add", USER, "--slot", cls.master.name, "--password-stdin",
                 input=PASSWORD)
            m = imaplib.IMAP4(*cls.master.imap, timeout=10)
            m.login(USER, PASSWORD)
            m.create("Work")
            for i in range(3):
                m.append("INBOX" if i else "Work", "(\\Seen)", None,
                         b"From: a@example.com\r\nSubject: r%d\r\n\r\nbody %d\r\n" % (i, i))
            m.logout()
            wait_for(lambda: mailbox_table(c, cls.master.name, USER) ==
                     mailbox_table(c, cls.replica.name, USER), timeout=20,
                     what="the replica's first sync")
            # The replica alone from now on: only this test's peers reach it.
            c.stop_slot(cls.master.name)
            cls.port = (cls.replica.address, port_of(cls.replica.number, REPLICATION))
            cls.tables = mailbox_table(c, cls.replica.name, USER)
            assert cls.tables and cls.tables["INBOX"][0] == "2", cls.tables
            # An inbox message's GUID (for the blob and missing requests).
            conn = cls.connect_valid()
            image = conn.call({"id": 1, "op": "summary", "user": USER})["image"]
            conn.close()
            cls.image = image
        except BaseException:
            cls.c.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    # ---- helpers

    @classmethod
    def context(cls, cert=None, key=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cls.c.ca)
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    @classmethod
    def connect_tls(cls, ctx=None):
        raw = socket.create_connection(cls.port, timeout=10)
        try:
            return ControlConn((ctx or cls.context(cls.c.cert, cls.c.key)).wrap_socket(
                raw, server_hostname=cls.replica.address))
        except BaseException:
            raw.close()
            raise

    @classmethod
    def connect_valid(cls):
        conn = cls.connect_tls()
        answer = conn.call(HELLO)
        if answer.get("ok") is not True:
            conn.close()
            raise AssertionError("valid hello refused: %r" % answer)
        return conn

    def snapshot(self):
        """What must not change: users, mailboxes, role and epoch (status and
        the role file)."""
        c, name = self.c, self.replica.name
        users = c.ok("--slot", name, "user", "list")
        boxes = c.ok("--slot", name, "mailbox", "list", USER)
        row = slot_row(c, name)
        role_file = os.path.join(c.slot_dir(name), "role")
        recorded = None
        if os.path.exists(role_file):
            with open(role_file) as f:
                recorded = f.read()
        return {"users": users, "mailboxes": boxes, "role": row.get("role"),
                "epoch": row.get("epoch"), "serving": row.get("serving"), "role_file": recorded}

    def assertUnchanged(self, before, what):
        after = self.snapshot()
        self.assertEqual(after, before, "the replica changed after " + what)
        self.assertEqual((after["role"], after["epoch"]), ("replica", 1))
        self.assertTrue(self.replica.running(), "the replica died after " + what)

    def log_size(self):
        return len(self.replica.stderr())

    def log_has(self, pattern, start, timeout=10):
        return wait_for(lambda: re.search(pattern, self.replica.stderr()[start:]), timeout=timeout,
                        what="%r in the log of %s" % (pattern, self.replica.name))

    # ---- hellos

    def test_bad_hellos_are_refused_logged_and_closed(self):
        before = self.snapshot()
        refused = r"(?:control|replication): refused 127\.0\.0\.1: "
        cases = [
            ("truncated line", b'{"hello":"slotmail-replication","vers\n', "Protocol",
             "expected a hello object first", refused + "expected a hello object first"),
            ("garbage", b"\x00\xff\xfe garbage \x7f\n", "Protocol",
             "expected a hello object first", refused + "expected a hello object first"),
            ("a JSON array", b"[1,2,3]\n", "Protocol", "expected a hello object first",
             refused + "expected a hello object first"),
            ("wrong version", dict(HELLO, version=99), "Protocol",
             "this slot speaks version 2", refused + "unsupported protocol version"),
            ("wrong hello name", dict(HELLO, hello="slotmail-control"), "Protocol",
             '"hello":"slotmail-replication"', refused + 'expected \\{"hello":"slotmail-replication"'),
            ("no hello name", {"version": 2, "store": "s1", "from": "m1:1", "epoch": 1},
             "Protocol", "slotmail-replication", refused + "expected \\{\"hello\""),
            ("old epoch", dict(HELLO, epoch=0), "Permission", "older than epoch 1",
             refused + "sender m1:1 has epoch 0, older than epoch 1"),
            ("negative epoch", dict(HELLO, epoch=-1), "InvalidArgument", "epoch",
             refused + "epoch must be >= 0"),
            ("epoch as a string", dict(HELLO, epoch="2"), "InvalidArgument", "epoch",
             refused + '"epoch" must be an integer'),
            ("another store", dict(HELLO, store="s2"), "Permission",
             "does not belong to store s2", refused + "this slot does not belong to store s2"),
            ("no store", {k: v for k, v in HELLO.items() if k != "store"}, "InvalidArgument",
             "store", refused + 'missing "store"'),
        ]
        for what, line, code, message, logged in cases:
            with self.subTest(what):
                start = self.log_size()
                conn = self.connect_tls()
                try:
                    if isinstance(line, bytes):
                        conn.send_raw(line)
                    else:
                        conn.send(line)
                    answer = conn.reply()
                    self.assertEqual((answer.get("ok"), answer.get("code")), (False, code), answer)
                    self.assertIn(message, answer.get("message", ""), answer)
                    self.assertTrue(conn.closed(), "the connection stays open after " + what)
                finally:
                    conn.close()
                self.log_has(logged, start)
                self.assertUnchanged(before, what)

    def test_tls_failures_are_refused_and_logged(self):
        before = self.snapshot()
        other = os.path.join(self.c.tmp, "other-ca")
        os.makedirs(other, exist_ok=True)
        foreign = TestCA(other)  # openssl: another CA and a certificate it signed
        cases = [
            ("a client without a certificate", self.context()),
            ("a certificate from another CA", self.context(foreign.cert, foreign.key)),
        ]
        for what, ctx in cases:
            with self.subTest(what):
                start = self.log_size()
                got = None
                raw = socket.create_connection(self.port, timeout=10)
                s = None
                try:
                    s = ctx.wrap_socket(raw, server_hostname=self.replica.address)
                    s.sendall(json.dumps(HELLO).encode() + b"\n")
                    got = ControlConn(s).line()
                except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
                    got = None
                finally:
                    (s or raw).close()
                self.assertIsNone(got, what + " got an answer")
                self.log_has(r"(?:control|replication): connection from 127\.0\.0\.1 closed "
                             r"before hello \(TLS handshake failed: [^)]+\)", start)
                self.assertUnchanged(before, what)
        with self.subTest("plain TCP"):
            start = self.log_size()
            got = plain_tcp_reply(self.port, HELLO)
            self.assertNotIn(b"ok", got)
            self.assertNotIn(b"slotmail", got)
            self.log_has(r"connection from 127\.0\.0\.1 closed before hello "
                         r"\(TLS handshake failed: [^)]*wrong version number", start)
            self.assertUnchanged(before, "plain TCP")

    # ---- requests after a valid hello

    def bad_images(self):
        """Images that a strict decoder must refuse, each with a word its
        message must contain."""
        good = self.image
        box = [b for b in good["mailboxes"] if b["name"] == "INBOX"][0]

        def with_box(**change):
            image = json.loads(json.dumps(good))
            b = [x for x in image["mailboxes"] if x["id"] == box["id"]][0]
            for k, v in change.items():
                if v is None:
                    del b[k]
                else:
                    b[k] = v
            return image

        def without(key):
            image = json.loads(json.dumps(good))
            del image[key]
            return image
        record = {"uid": 1, "guid": "0" * 64, "size": "10", "date": 1700000000, "flags": 0,
                  "keywords": [], "modseq": "2"}
        return [
            ("no image", None, "image"),
            ("image is a string", "x", ""),
            ("image is an array", [], ""),
            ("an empty image", {}, ""),
            ("no quota_bytes", without("quota_bytes"), "quota_bytes"),
            ("no password_hash", without("password_hash"), "password_hash"),
            ("no mailboxes", without("mailboxes"), "mailboxes"),
            ("mailboxes is an object", dict(good, mailboxes={}), "mailboxes"),
            ("subscriptions of numbers", dict(good, subscriptions=[1, 2]), ""),
            ("quota_bytes as a number", dict(good, quota_bytes=0), "quota_bytes"),
            ("quota_bytes negative", dict(good, quota_bytes="-1"), "quota_bytes"),
            ("a mailbox without crc", with_box(crc=None), "crc"),
            ("a mailbox without id", with_box(id=None), "id"),
            ("uidnext as a string", with_box(uidnext="12"), "uidnext"),
            ("uidnext negative", with_box(uidnext=-1), "uidnext"),
            ("uidvalidity too big", with_box(uidvalidity=1 << 40), "uidvalidity"),
            ("highestmodseq as a number", with_box(highestmodseq=40), "highestmodseq"),
            ("highestmodseq not decimal", with_box(highestmodseq="4e1"), "highestmodseq"),
            ("highestmodseq beyond 64 bits", with_box(highestmodseq="99999999999999999999"),
             "highestmodseq"),
            ("complete as a string", with_box(complete="true"), "complete"),
            ("records is an object", with_box(records={}), "records"),
            ("a record with a string uid", with_box(records=[dict(record, uid="1")]), "uid"),
            ("a record without guid", with_box(
                records=[{k: v for k, v in record.items() if k != "guid"}]), "guid"),
            ("a record with keywords of numbers", with_box(records=[dict(record, keywords=[1])]),
             "keywords"),
            ("a tombstone without modseq", with_box(tombstones=[{"uid": 1}]), "modseq"),
            ("metadata value not base64", with_box(
                metadata=[{"entry": "/private/comment", "value": "%%%"}]), ""),
        ]

    def test_malformed_requests_are_refused_and_change_nothing(self):
        before = self.snapshot()
        conn = self.connect_valid()
        self.addCleanup(conn.close)

        def refused(request, code, message, what):
            if isinstance(request, bytes):
                conn.send_raw(request)
                answer = conn.reply()
            else:
                answer = conn.call(request)
            self.assertIs(answer.get("ok"), False, (what, answer))
            self.assertEqual(answer.get("code"), code, (what, answer))
            self.assertIn(message, answer.get("message", ""), (what, answer))
            if isinstance(request, dict) and "id" in request:
                self.assertEqual(answer.get("id"), request["id"], (what, answer))
            # Still usable.
            self.assertEqual(conn.call({"id": 99, "op": "users"}),
                             {"id": 99, "ok": True, "users": [USER]}, what)

        for n, (what, image, message) in enumerate(self.bad_images()):
            with self.subTest("apply: " + what):
                req = {"id": 100 + n, "op": "apply", "user": USER}
                if image is not None:
                    req["image"] = image
                refused(req, "InvalidArgument", message, "apply: " + what)
        # A message file whose bytes do not hash to its GUID: Corruption,
        # nothing kept. Files travel after the request's line ("attach").
        data = b"From: x@example.com\r\nSubject: forged\r\n\r\nnot what the GUID says\r\n"
        forged = "ab" * 32

        def blobs(id, guids_sizes, attached, **extra):
            req = dict({"id": id, "op": "blobs", "user": USER,
                        "blobs": [{"guid": g, "size": n} for g, n in guids_sizes],
                        "attach": len(attached)}, **extra)
            return json.dumps(req).encode() + b"\n" + attached

        with self.subTest("blobs: wrong hash"):
            refused(blobs(200, [(forged, len(data))], data),
                    "Corruption", "do not match GUID " + forged, "blobs: wrong hash")
            answer = conn.call({"id": 201, "op": "missing", "user": USER, "guids": [forged]})
            self.assertEqual(answer, {"id": 201, "ok": True, "missing": [forged]})
        other = [
            ("blobs: a GUID that is not one", blobs(210, [("../../etc/passwd", 1)], b"x"),
             "InvalidArgument", "GUID"),
            ("blobs: sizes short of the attachment", blobs(211, [(forged, 3)], b"abcd"),
             "InvalidArgument", "add up to 3, not the 4 attached bytes"),
            ("blobs: sizes beyond the attachment", blobs(212, [(forged, 9)], b"abcd"),
             "InvalidArgument", "exceed the 4 attached bytes"),
            ("blobs: no size", blobs(213, [], b"", blobs=[{"guid": forged}]),
             "InvalidArgument", "size"),
            ("attached bytes without a blobs list",
             json.dumps({"id": 214, "op": "summary", "user": USER, "attach": 3}).encode() +
             b"\nabc", "InvalidArgument", "attached bytes without a blobs list"),
            ("missing: guids not GUIDs", {"id": 213, "op": "missing", "user": USER,
                                          "guids": ["../x"]}, "InvalidArgument", "guids"),
            ("missing: guids a string", {"id": 214, "op": "missing", "user": USER,
                                         "guids": "x"}, "InvalidArgument", "guids"),
            ("user with ../", {"id": 220, "op": "summary", "user": "../alice"},
             "InvalidArgument", "user name"),
            ("apply to a user with ../", {"id": 221, "op": "apply", "user": "../../etc",
                                          "image": self.image}, "InvalidArgument", "user name"),
            ("delete_user with ../", {"id": 222, "op": "delete_user", "user": "alice/../bob"},
             "InvalidArgument", "user name"),
            ("blobs for a user with ../", {"id": 223, "op": "blobs", "user": "..",
                                           "blobs": []}, "InvalidArgument", "user name"),
            ("user as a number", {"id": 224, "op": "summary", "user": 7}, "InvalidArgument",
             "user"),
            ("no user", {"id": 225, "op": "delete_user"}, "InvalidArgument", "user missing"),
            ("unknown op", {"id": 230, "op": "frobnicate", "user": USER}, "InvalidArgument",
             "unknown op 'frobnicate'"),
            ("op as a number", {"id": 231, "op": 3, "user": USER}, "InvalidArgument", "op"),
            ("no op", {"id": 232, "user": USER}, "InvalidArgument", "op"),
            ("truncated line", b'{"id":240,"op":"apply","user":"alice","image":{"pass\n',
             "InvalidArgument", "not JSON"),
            ("garbage line", b"\x00\x01 garbage\n", "InvalidArgument", "not JSON"),
            ("an array", b"[1]\n", "InvalidArgument", "a request is a JSON object"),
        ]
        for what, request, code, message in other:
            with self.subTest(what):
                refused(request, code, message, what)
        conn.close()
        self.assertUnchanged(before, "malformed requests")
        # The user's files are where they were: no path outside the slot
        # was created by the "../" names.
        self.assertFalse(os.path.exists(os.path.join(self.c.data_dir, "alice")))
        self.assertFalse(os.path.exists(os.path.join(self.c.data_dir, "etc")))

    def test_broken_attachment_framing_is_refused_and_closed(self):
        # Where the next request starts depends on "attach": a bad one ends
        # the connection (nothing after it could be read in step), and a
        # peer that goes away in the middle of an attachment changes nothing.
        before = self.snapshot()
        start = self.log_size()
        forged = "ef" * 32
        for what, attach in [("negative", -1), ("a string", "12"),
                             ("beyond the limit", 1 << 31)]:
            with self.subTest("attach " + what):
                conn = self.connect_valid()
                try:
                    answer = conn.call({"id": 1, "op": "blobs", "user": USER, "attach": attach,
                                        "blobs": [{"guid": forged, "size": 1}]})
                    self.assertEqual(answer.get("code"), "TooBig", (what, answer))
                    self.assertIn("attach must be a byte count", answer.get("message", ""))
                    self.assertTrue(conn.closed(), "still open after attach " + what)
                finally:
                    conn.close()
        with self.subTest("attachment cut short"):
            data = b"From: x@example.com\r\nSubject: cut\r\n\r\ncut\r\n"
            guid = hashlib.sha256(data).hexdigest()
            conn = self.connect_valid()
            conn.send_raw(json.dumps({"id": 1, "op": "blobs", "user": USER,
                                      "attach": len(data),
                                      "blobs": [{"guid": guid, "size": len(data)}]}).encode() +
                          b"\n" + data[:len(data) // 2])
            conn.close()
            conn = self.connect_valid()
            try:
                answer = conn.call({"id": 2, "op": "missing", "user": USER, "guids": [guid]})
                self.assertEqual(answer, {"id": 2, "ok": True, "missing": [guid]})
            finally:
                conn.close()
        self.log_has(r"replication: refused 127\.0\.0\.1: attach must be a byte count", start)
        self.assertUnchanged(before, "broken attachments")

    def test_refused_requests_are_logged(self):
        # A refused request after a valid hello (a bad image, a blob that
        # does not match its GUID: possible corruption in transit) leaves a
        # log line on the replica, as the refused hellos do.
        start = self.log_size()
        conn = self.connect_valid()
        try:
            forged = "cd" * 32
            conn.send_raw(json.dumps({"id": 1, "op": "blobs", "user": USER, "attach": 1,
                                      "blobs": [{"guid": forged, "size": 1}]}).encode() + b"\nx")
            answer = conn.reply()
            self.assertEqual(answer.get("code"), "Corruption", answer)
            answer = conn.call({"id": 2, "op": "apply", "user": USER, "image": {}})
            self.assertEqual(answer.get("code"), "InvalidArgument", answer)
        finally:
            conn.close()
        # The answers came after the work: a log line would be there now.
        self.log_has(forged, start, timeout=1)
        self.log_has(r"apply", start, timeout=1)


# ---------------------------------------------------------------- kill -9


class ImapWriter(threading.Thread):
    """APPEND with flags, STORE, COPY and EXPUNGE against the master until
    `stop`; reconnects whenever the master goes away. `acked` maps each
    Message-ID whose APPEND got OK to the bytes sent. Messages stay in INBOX
    (flags change there); the churn (COPY, \\Deleted, EXPUNGE) is in Work."""

    def __init__(self, slot, seed, stop):
        super().__init__(daemon=True)
        self.slot, self.rng, self.stop = slot, random.Random(seed), stop
        self.acked = {}
        self.errors = []  # NO/BAD answers: never expected (no kill makes them)
        self.failures = self.connects = self.ops = 0

    def run(self):
        m, n = None, 0
        while not self.stop.is_set():
            try:
                if m is None:
                    m = imaplib.IMAP4(*self.slot.imap, timeout=10)
                    m.login(USER, PASSWORD)
                    self.connects += 1
                n += 1
                self.step(m, n)
            except imaplib.IMAP4.abort:
                m = self.lost(m)
            except imaplib.IMAP4.error as e:
                self.errors.append("%d: %s" % (n, e))
                m = self.lost(m)
            except (OSError, EOFError):
                m = self.lost(m)
        if m is not None:
            self.lost(m)

    def lost(self, m):
        self.failures += 1
        if m is not None:
            try:
                m.shutdown()
            except Exception:
                pass
        self.stop.wait(0.01)  # the master may be restarting
        return None

    def step(self, m, n):
        rng = self.rng
        mid = "<imap-%d@h6.test>" % n
        body = ("From: writer@example.com\r\nTo: %s@localhost\r\nSubject: imap %d\r\n"
                "Message-ID: %s\r\n\r\n" % (USER, n, mid)).encode()
        body += b"".join(b"line %d of message %d\r\n" % (i, n)
                         for i in range(rng.choice([1, 5, 50, 400])))
        flags = rng.choice([None, "(\\Seen)", "(\\Flagged $label1)", "(\\Seen \\Answered)"])
        typ, _ = m.append("INBOX", flags, None, body)
        self.ops += 1
        if typ == "OK":
            self.acked[mid] = body
        if n % 2 == 0:
            typ, data = m.select("INBOX")
            exists = int(data[0])
            if exists:
                k = rng.randint(1, exists)
                m.store("%d:%d" % (k, min(exists, k + rng.randint(0, 5))),
                        rng.choice(["+FLAGS", "-FLAGS"]),
                        rng.choice(["(\\Flagged)", "($label2)", "(\\Seen \\Answered)"]))
                self.ops += 1
                if n % 3 == 0:
                    m.copy("%d:%d" % (k, min(exists, k + rng.randint(0, 3))), "Work")
                    self.ops += 1
        self.stop.wait(rng.uniform(0, PACE))
        if n % 5 == 0:
            typ, data = m.select("Work")
            exists = int(data[0])
            if exists > 2:
                m.store("1:%d" % rng.randint(1, exists - 1), "+FLAGS", "(\\Deleted)")
                m.expunge()
                self.ops += 2


class LmtpWriter(threading.Thread):
    """LMTP deliveries to the master until `stop`; `acked` maps each
    Message-ID that got 250 to the bytes sent."""

    def __init__(self, slot, seed, stop):
        super().__init__(daemon=True)
        self.slot, self.rng, self.stop = slot, random.Random(seed), stop
        self.acked = {}
        self.errors = []  # 4xx/5xx replies: never expected
        self.failures = self.connects = 0

    def run(self):
        l, n = None, 0
        while not self.stop.is_set():
            try:
                if l is None:
                    l = smtplib.LMTP(*self.slot.lmtp, timeout=10)
                    self.connects += 1
                n += 1
                mid = "<lmtp-%d@h6.test>" % n
                msg = ("From: sender@example.com\r\nTo: %s@localhost\r\nSubject: lmtp %d\r\n"
                       "Message-ID: %s\r\n\r\n" % (USER, n, mid)).encode()
                msg += b"delivered %d\r\n" % n * self.rng.choice([1, 20, 300])
                refused = l.sendmail("sender@example.com", [USER + "@localhost"], msg)
                if not refused:
                    self.acked[mid] = msg
                # Paced, so that replication keeps up between kills (it ships
                # a few hundred message files a second): kills then land
                # inside syncs and applies, not only in an endless catch-up.
                self.stop.wait(self.rng.uniform(0, PACE))
            except smtplib.SMTPResponseException as e:
                self.errors.append("%d: %s %s" % (n, e.smtp_code, e.smtp_error))
                l = self.lost(l)
            except smtplib.SMTPRecipientsRefused as e:
                self.errors.append("%d: %s" % (n, e.recipients))
                l = self.lost(l)
            except (smtplib.SMTPServerDisconnected, OSError):
                l = self.lost(l)
        if l is not None:
            self.lost(l)

    def lost(self, l):
        self.failures += 1
        if l is not None:
            try:
                l.close()
            except Exception:
                pass
        self.stop.wait(0.01)
        return None


class KillTest(unittest.TestCase):
    def setUp(self):
        self.c = Cluster("127.0.0.94", start=False)
        self.addCleanup(self.c.close)
        c = self.c
        self.master, self.replica = c.master_of("s1"), c.replica_of("s1")
        c.start_slot(self.master.name)
        c.start_slot(self.replica.name)
        c.ok("user", "add", USER, "--slot", self.master.name, "--password-stdin",
             input=PASSWORD)
        m = imaplib.IMAP4(*self.master.imap, timeout=10)
        m.login(USER, PASSWORD)
        m.create("Work")
        m.logout()

    def same(self):
        c = self.c
        mine = mailbox_table(c, self.master.name, USER)
        return mine is not None and mine == mailbox_table(c, self.replica.name, USER) and \
            c.mailctl("--slot", self.master.name, "user", "list").stdout == \
            c.mailctl("--slot", self.replica.name, "user", "list").stdout

    def test_kill_master_and_replica_at_random_moments(self):
        c = self.c
        seed = int(os.environ.get("SLOTMAIL_FAULT_SEED", "0")) or random.SystemRandom().randrange(1, 1 << 31)
        print("\nreplication_fault_test: seed %d (replay with SLOTMAIL_FAULT_SEED=%d)" % (seed, seed),
              file=sys.stderr, flush=True)
        rng = random.Random(seed)
        stop, pause = threading.Event(), threading.Event()  # pause is never set: a timed wait
        writers = [ImapWriter(self.master, seed + 1, stop), LmtpWriter(self.master, seed + 2, stop)]
        kills = {self.master.name: 0, self.replica.name: 0}
        restart = []
        started = time.monotonic()
        for w in writers:
            w.start()
        try:
            while True:
                elapsed = time.monotonic() - started
                if elapsed >= KILL_MAX_SECONDS or \
                        (elapsed >= KILL_MIN_SECONDS and sum(kills.values()) >= MIN_KILLS):
                    break
                pause.wait(rng.uniform(0.0, 0.4))
                r = rng.random()
                victims = [self.master] if r < 0.45 else [self.replica] if r < 0.9 else \
                    [self.master, self.replica]
                for v in victims:
                    self.assertEqual(c.kill_slot(v.name), -9, v.name + " had exited by itself")
                    kills[v.name] += 1
                pause.wait(rng.choice([0.0, 0.0, 0.05, 0.2]))  # down for a while, sometimes
                for v in victims:
                    t = time.monotonic()
                    c.start_slot(v.name)
                    restart.append(time.monotonic() - t)
        finally:
            stop.set()
            for w in writers:
                w.join(30)
        kill_seconds = time.monotonic() - started
        imap, lmtp = writers
        self.assertFalse(imap.is_alive() or lmtp.is_alive(), "a writer hangs")
        print("replication_fault_test: %d kills (%s) in %.1f s, restart %.0f ms at most; "
              "acknowledged %d APPEND + %d LMTP; IMAP ops %d; reconnects IMAP %d LMTP %d" %
              (sum(kills.values()), ", ".join("%s %d" % kv for kv in kills.items()),
               kill_seconds, 1000 * max(restart), len(imap.acked), len(lmtp.acked), imap.ops,
               imap.connects, lmtp.connects), file=sys.stderr, flush=True)
        self.assertGreaterEqual(sum(kills.values()), MIN_KILLS)
        self.assertGreater(min(kills.values()), MIN_KILLS // 4)
        self.assertEqual(imap.errors, [], "IMAP NO/BAD answers (seed %d)" % seed)
        self.assertEqual(lmtp.errors, [], "LMTP refusals (seed %d)" % seed)
        self.assertGreater(len(imap.acked), 50)
        self.assertGreater(len(lmtp.acked), 50)

        # Converge: the replica equals the master, nothing pending or failing.
        t = time.monotonic()
        wait_for(self.same, timeout=30, what="the replica to equal the master (seed %d)" % seed)

        def settled():
            row = slot_row(c, self.master.name)
            return row.get("pending_users") == 0 and not row.get("failing_users") and \
                not row.get("replicas_down") and row
        wait_for(settled, timeout=15, what="the master to have nothing pending")
        converged = time.monotonic() - t
        self.assertEqual(slot_row(c, self.master.name)["role"], "master")
        self.assertEqual((slot_row(c, self.replica.name)["role"],
                          slot_row(c, self.replica.name)["epoch"]), ("replica", 1))

        # Every acknowledged message is on the master exactly once, byte-exact.
        before = fetch_all(self.master.imap, USER, PASSWORD)
        inbox = {}
        for (box, uid), (flags, data) in before.items():
            found = MESSAGE_ID.search(data)
            self.assertIsNotNone(found, (box, uid, data[:200]))
            if box == "INBOX":
                inbox.setdefault(found.group(1).decode(), []).append(data)
        acked = dict(imap.acked)
        acked.update(lmtp.acked)
        lost = sorted(mid for mid in acked if mid not in inbox)
        twice = sorted(mid for mid, copies in inbox.items() if len(copies) > 1)
        self.assertEqual(lost, [], "acknowledged messages lost (seed %d)" % seed)
        self.assertEqual(twice, [], "messages stored twice (seed %d)" % seed)
        for mid, sent in imap.acked.items():
            self.assertEqual(inbox[mid][0], sent, mid)
        for mid, sent in lmtp.acked.items():
            self.assertTrue(inbox[mid][0].endswith(sent), mid)  # LMTP may add trace headers
        unacked = len(inbox) - len(acked)
        print("replication_fault_test: converged %.1f s after the last kill; INBOX %d messages "
              "(%d acknowledged, %d whose OK was lost to a kill), %d messages in all" %
              (converged, len(inbox), len(acked), unacked, len(before)),
              file=sys.stderr, flush=True)

        # The replica, promoted, serves the same messages byte-exact.
        tables = mailbox_table(c, self.master.name, USER)
        c.stop_slot(self.master.name)
        self.assertEqual(mailbox_table(c, self.replica.name, USER), tables)
        c.ok("slot", "role", self.replica.name, "master", "--epoch", "2")
        after = fetch_all(self.replica.imap, USER, PASSWORD)
        self.assertEqual(sorted(after), sorted(before))
        for key in before:
            self.assertEqual(after[key], before[key], key)
        print("replication_fault_test: promoted replica serves the same %d messages "
              "(checks took %.1f s)" % (len(after), time.monotonic() - t), file=sys.stderr, flush=True)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + ["-v"] + sys.argv[1:])
