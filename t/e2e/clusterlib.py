"""Test harness for a whole cluster: one real slotd per slot of a
production.dat written for the test, on loopback addresses of its own.

    c = Cluster("127.0.0.41")          # machines m1..m3 on .41, .42, .43
    try:
        c.mailctl("user", "add", "alice", "--password-stdin", input="pw")
        ...
    finally:
        c.close()                      # every slotd stopped by PID

The layout is the one of the repository's production.dat: three machines,
two slots each (numbers `slots`, default 1 and 2), three stores
    s1: master m1:A  replica m2:A
    s2: master m2:B  replica m3:A
    s3: master m3:B  replica m1:B
(A, B = slots). Give each test class its own first address (or slot numbers)
so that test files never share a port with each other or with `make run`
(127.0.0.11-13). Every slotd keeps its stderr in <tmp>/logs/<m>-<n>.log.
"""
import imaplib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from slotlib import BIN, KDF_ITERATIONS, wait_for

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
START_TIMEOUT = 20.0


def port_of(number, offset):
    """A slot's derived port (doc/production-dat.md): 20000 + 100*N + offset."""
    return 20000 + 100 * number + offset


CONTROL, REPLICATION, LMTP, IMAP, IMAPS = 0, 1, 24, 43, 93


class SlotProc:
    """One running (or stopped) slotd of the cluster."""

    def __init__(self, name, machine, number, address):
        self.name, self.machine, self.number, self.address = name, machine, number, address
        self.proc = None
        self.banner = []  # stdout lines up to "ready", of the last start
        self.log_path = None

    @property
    def imap(self):
        return (self.address, port_of(self.number, IMAP))

    @property
    def lmtp(self):
        return (self.address, port_of(self.number, LMTP))

    @property
    def control(self):
        return (self.address, port_of(self.number, CONTROL))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


class Cluster:
    def __init__(self, first_address, slots=(1, 2), start=True, local_extra=()):
        """first_address: machine m1's address; m2 and m3 take the next two.
        start: start every slot (False: call start_slot yourself)."""
        base = first_address.rsplit(".", 1)
        self.addresses = ["%s.%d" % (base[0], int(base[1]) + i) for i in range(3)]
        self.numbers = slots
        self.tmp = tempfile.mkdtemp(prefix="slotmail-cluster.")
        self.slots = {}
        try:
            self._write_files(local_extra)
            if start:
                for name in self.slots:
                    self.start_slot(name)
        except BaseException:
            self.close()
            raise

    def machine_slots(self, i):
        """The slot numbers on machine m<i> (i from 1); a subclass with
        another layout overrides this and layout()."""
        return self.numbers

    def layout(self):
        """{store: (master slot, [replica slots], mode)}; a sync store gets
        on_replica_down=degrade."""
        a, b = self.numbers
        return {
            "s1": ("m1:%d" % a, ["m2:%d" % a], "async"),
            "s2": ("m2:%d" % b, ["m3:%d" % a], "sync"),
            "s3": ("m3:%d" % b, ["m1:%d" % b], "async"),
        }

    def _write_files(self, local_extra):
        self.data_dir = os.path.join(self.tmp, "data")
        self.run_dir = os.path.join(self.tmp, "run")
        self.log_dir = os.path.join(self.tmp, "logs")
        self.tls_dir = os.path.join(self.tmp, "tls")
        for d in (self.data_dir, self.run_dir, self.log_dir):
            os.makedirs(d)
        subprocess.run([os.path.join(REPO, "scripts", "cluster-tls.sh"), self.tls_dir] +
                       self.addresses, check=True, capture_output=True)
        self.ca = os.path.join(self.tls_dir, "ca.pem")
        self.cert = os.path.join(self.tls_dir, "cert.pem")
        self.key = os.path.join(self.tls_dir, "key.pem")
        lines = ["slotmail-production 1 serial=1"]
        for i, addr in enumerate(self.addresses, 1):
            lines.append("machine m%d address=%s capacity=40G" % (i, addr))
        for i, addr in enumerate(self.addresses, 1):
            for n in self.machine_slots(i):
                name = "m%d:%d" % (i, n)
                lines.append("slot %s size=1G" % name)
                self.slots[name] = SlotProc(name, "m%d" % i, n, addr)
        self.stores = self.layout()
        for store, (master, replicas, mode) in self.stores.items():
            lines.append("store %s epoch=1 mode=%s master=%s replicas=%s" %
                         (store, mode, master, ",".join(replicas)) +
                         (" on_replica_down=degrade" if mode == "sync" else ""))
        self.production = os.path.join(self.tmp, "production.dat")
        with open(self.production, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.local = os.path.join(self.tmp, "local.conf")
        self.write_local(self.local, self.cert, self.key, self.ca, local_extra)

    def write_local(self, path, cert, key, ca, extra=()):
        """A machine-local file on this cluster's directories with the given
        TLS files (tests use it to give mailctl a foreign identity)."""
        with open(path, "w") as f:
            f.write("\n".join(["data_dir = " + self.data_dir, "run_dir = " + self.run_dir,
                               "tls_cert = " + cert, "tls_key = " + key, "cluster_ca = " + ca,
                               "kdf_iterations = " + KDF_ITERATIONS, "workers = 4"] +
                              list(extra)) + "\n")

    # ---- slots

    def master_of(self, store):
        return self.slots[self.stores[store][0]]

    def replica_of(self, store):
        return self.slots[self.stores[store][1][0]]

    def current(self, store):
        """(master, [replicas]) of `store` as SlotProcs, as production.dat
        says now: a failover rewrites the file, self.stores keeps the layout
        the cluster started with."""
        with open(self.production) as f:
            line = re.search(r"(?m)^store %s .*$" % re.escape(store), f.read()).group(0)
        fields = dict(w.split("=", 1) for w in line.split() if "=" in w)
        return (self.slots[fields["master"]],
                [self.slots[r] for r in fields["replicas"].split(",")])

    def summaries(self, name):
        """Every user's summary on slot `name` (control op `summaries`,
        what a failover compares): {user: summary}."""
        c = ControlConn.unix(self.socket_path(name))
        users, after = {}, None
        try:
            c.hello()
            while True:  # in pages (doc/control.md "summaries")
                req = {"id": 1, "op": "summaries"}
                if after is not None:
                    req["after"] = after
                r = c.call(req)
                if not r.get("ok"):
                    raise AssertionError("summaries of %s: %r" % (name, r))
                users.update(r["users"])
                if not r.get("more"):
                    return users
                after = max(r["users"])
        finally:
            c.close()

    def slot_dir(self, name):
        return os.path.join(self.data_dir, name.replace(":", "-"))

    def socket_path(self, name):
        return os.path.join(self.run_dir, name.replace(":", "-") + ".sock")

    def start_slot(self, name):
        """Starts slotd for `name` and reads its banner up to "ready" (within
        START_TIMEOUT); returns the banner lines. stderr is appended to the
        slot's log file, so a restart keeps the earlier lines."""
        s = self.slots[name]
        assert not s.running(), name + " is running"
        for port in (CONTROL, REPLICATION, LMTP, IMAP, IMAPS):
            if not port_free(s.address, port_of(s.number, port)):
                raise AssertionError("%s:%d is taken: pick other addresses or slot numbers" %
                                     (s.address, port_of(s.number, port)))
        s.log_path = os.path.join(self.log_dir, name.replace(":", "-") + ".log")
        log = open(s.log_path, "a")
        try:
            s.proc = subprocess.Popen(
                [os.path.join(BIN, "slotd"), "--cluster", self.production, "--slot", name,
                 "--local", self.local], stdout=subprocess.PIPE, stderr=log, text=True,
                cwd=self.tmp)
        finally:
            log.close()
        s.banner = []
        done = threading.Event()

        def read():
            for line in s.proc.stdout:
                line = line.rstrip("\n")
                if line == "ready":
                    done.set()
                    return
                s.banner.append(line)
            done.set()  # EOF: slotd exited

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(START_TIMEOUT) or not s.running():
            self.stop_slot(name)
            raise AssertionError("slotd %s did not get ready: %s" % (name, s.stderr()))
        return s.banner

    def stop_slot(self, name):
        """SIGTERM by PID and wait (SIGKILL after 20 s); returns the exit code."""
        s = self.slots[name]
        if s.proc is None:
            return None
        if s.proc.poll() is None:
            s.proc.send_signal(signal.SIGTERM)
            try:
                s.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                s.proc.kill()
        return self._reap(s)

    def kill_slot(self, name):
        """SIGKILL by PID (a crash: nothing of slotd's shutdown runs) and
        wait; returns the exit code (-9), or None if it was not started."""
        s = self.slots[name]
        if s.proc is None:
            return None
        if s.proc.poll() is None:
            s.proc.kill()
        return self._reap(s)

    @staticmethod
    def _reap(s):
        """Waits for the slot's process to end, forgets it; its exit code."""
        s.proc.wait()
        s.proc.stdout.close()
        code = s.proc.returncode
        s.proc = None
        return code

    def close(self):
        """Stops every slotd by PID and removes the temporary directory."""
        for name in list(self.slots):
            try:
                self.stop_slot(name)
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self):
        """Every slot's stderr, concatenated."""
        return "".join(s.stderr() for s in self.slots.values() if s.log_path)

    # ---- mailctl

    def mailctl(self, *args, input=None, local=None, timeout=30):
        """Runs bin/mailctl --cluster --local ARGS; returns the CompletedProcess
        (the caller checks returncode)."""
        return subprocess.run([os.path.join(BIN, "mailctl"), "--cluster", self.production,
                               "--local", local or self.local] + list(args),
                              input=input, text=True, capture_output=True, timeout=timeout,
                              cwd=self.tmp)

    def ok(self, *args, input=None):
        """mailctl, which must exit 0; returns its stdout."""
        r = self.mailctl(*args, input=input)
        if r.returncode != 0:
            raise AssertionError("mailctl %s: exit %d: %s%s" %
                                 (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def status(self):
        """mailctl status --json: (exit code, parsed JSON)."""
        r = self.mailctl("status", "--json")
        return r.returncode, json.loads(r.stdout)


class Slotdir:
    """bin/slotdir (doc/directory.md) on `cluster`'s files, its auth_http and
    socketmap listeners on free ports of `address` (self.http,
    self.socketmap, read from its banner); stderr in <tmp>/logs/slotdir.log.
    stop() ends it by PID."""

    def __init__(self, cluster, address):
        self.log = open(os.path.join(cluster.tmp, "logs", "slotdir.log"), "a")
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "slotdir"), "--cluster", cluster.production,
             "--local", cluster.local, "--http", address + ":0",
             "--socketmap", address + ":0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        banner, done = {}, threading.Event()

        def read():
            for line in self.proc.stdout:
                if line.strip() == "ready":
                    break
                k, v = line.split()
                banner[k] = int(v)
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(20) or "socketmap" not in banner or self.proc.poll() is not None:
            self.stop()
            raise AssertionError("slotdir did not get ready")
        self.http, self.socketmap = banner["http"], banner["socketmap"]

    def stop(self):
        """SIGTERM by PID and wait (SIGKILL after 10 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


def port_free(address, port):
    """Whether address:port can be bound now (nobody listens there)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((address, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


class ControlConn:
    """A raw control-channel connection (Unix socket or an ssl-wrapped TCP
    socket): JSON lines out, JSON lines in, bounded by the socket timeout."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    @classmethod
    def unix(cls, path, timeout=10):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(timeout)
            s.connect(path)
        except BaseException:
            s.close()
            raise
        return cls(s)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def line(self):
        """The next line (without \\n), or None at end of stream."""
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def reply(self):
        line = self.line()
        if line is None:
            raise AssertionError("control connection closed")
        return json.loads(line)

    def call(self, obj):
        self.send(obj)
        return self.reply()

    def hello(self):
        r = self.call({"hello": "slotmail-control", "version": 1})
        if not r.get("ok"):
            raise AssertionError("hello refused: %r" % r)
        return r

    def closed(self):
        """Whether the peer closed (reads EOF or a reset) within the timeout."""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except OSError:
            return False

    def close(self):
        self.sock.close()


def fetch_all(host_port, user, password):
    """Every message of every mailbox: (mailbox, uid) -> (sorted flags, bytes)."""
    m = imaplib.IMAP4(*host_port, timeout=10)
    try:
        m.login(user, password)
        out = {}
        typ, boxes = m.list('""', "*")
        for b in boxes:
            name = b.decode().rsplit(' "/" ', 1)[1].strip('"')
            typ, _ = m.select('"%s"' % name, readonly=True)
            if typ != "OK":
                raise AssertionError("SELECT %s: %s" % (name, typ))
            typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            # imaplib gives (head, literal) then the rest of the line (" UID 3)").
            for i, item in enumerate(data):
                if not isinstance(item, tuple):
                    continue
                tail = data[i + 1] if i + 1 < len(data) and isinstance(data[i + 1], bytes) else b""
                text = item[0].decode() + " " + tail.decode()
                uid = int(re.search(r"UID (\d+)", text).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", text).group(1)
                # \Recent is this session's, not the message's (RFC 3501 2.3.2).
                stored = [f for f in flags.split() if f != "\\Recent"]
                out[(name, uid)] = (" ".join(sorted(stored)), item[1])
        m.logout()
        return out
    finally:
        try:
            m.shutdown()
        except Exception:
            pass


def plain_tcp_reply(address, obj):
    """Sends `obj` as one JSON line over plain TCP (no TLS) and returns all
    the peer sent back before it closed (bounded by a 10 s timeout)."""
    s = socket.create_connection(address, timeout=10)
    got = b""
    try:
        s.sendall(json.dumps(obj).encode() + b"\n")
        while True:
            data = s.recv(65536)
            if not data:
                break
            got += data
    except ConnectionResetError:
        pass  # closed: what a TLS listener does with plain text
    finally:
        s.close()
    return got
