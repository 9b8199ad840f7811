"""make run's script: the example cluster of a production.dat, one slotd per
slot, all in a var/ directory.

Runs scripts/run.sh (in its own session, as a terminal would run it) on its own copy: SLOTMAIL_VAR is a temporary directory
and SLOTMAIL_CLUSTER a production.dat written here with other addresses
(127.0.0.31-33) and slot numbers (5, 6), so it never clashes with a
developer's make run. Checks the banner (user, password, demo's imap/imaps/
lmtp, one store line per store matching the file, ready), logins over imaps
and STARTTLS with the cluster CA, one welcome message per demo user over LMTP
on its store's master (once per var/: a second run adds none, even without
the marker files), `mailctl status --json` (every slot up, roles as in the
file), the PID files, a clean stop on SIGTERM and on a Ctrl-C to its process
group (every slotd gone), and that a
slotd dying on its own stops the rest with a non-zero exit. Every wait has a
deadline; every process is stopped by PID in a finally block."""
import email
import imaplib
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.environ.get("SLOTMAIL_BIN", os.path.join(ROOT, "bin")))
SUBJECT = "Welcome to your slotmail demo"
USERS = ["demo", "alice", "bob", "carol"]
START_SECONDS = 60
STOP_SECONDS = 30

ADDRESSES = {"t1": "127.0.0.31", "t2": "127.0.0.32", "t3": "127.0.0.33"}
# (name, master, replicas, epoch): t-stores spread so every machine is master of one.
STORES = [("a", "t2:5", ["t3:5"], 1), ("b", "t3:6", ["t1:5"], 2), ("c", "t1:6", ["t2:6"], 1)]
CLUSTER = """\
# make_run_test's cluster: addresses and slot numbers no make run uses.
slotmail-production 1 serial=7
machine t1 address=127.0.0.31 capacity=4G
machine t2 address=127.0.0.32 capacity=4G
machine t3 address=127.0.0.33 capacity=4G
slot t1:5 size=1G   # a comment after a record
slot t1:6 size=1G
slot t2:5 size=1G
slot t2:6 size=1G
slot t3:5 size=1G
slot t3:6 size=1G
""" + "".join("store %s epoch=%d mode=async master=%s replicas=%s\n" % (n, e, m, ",".join(r))
              for n, m, r, e in STORES)
SLOTS = ["t1:5", "t1:6", "t2:5", "t2:6", "t3:5", "t3:6"]


def listen(slot, port):
    """The address:port a slot of CLUSTER listens on (doc/production-dat.md)."""
    machine, n = slot.split(":")
    offset = {"imap": 43, "imaps": 93, "lmtp": 24, "control": 0}[port]
    return "%s:%d" % (ADDRESSES[machine], 20000 + 100 * int(n) + offset)


def expected_roles():
    roles = {}
    for name, master, replicas, _ in STORES:
        roles[master] = ("master", name)
        for r in replicas:
            roles[r] = ("replica", name)
    return roles


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Run:
    """One run of scripts/run.sh on `var`, up to its "ready"."""

    def __init__(self, var, cluster):
        self.var = var
        self.cluster = cluster
        self.slot_pids = {}
        self.err = open(os.path.join(os.path.dirname(var), "run.err"), "a+")
        env = dict(os.environ, BIN=BIN, SLOTMAIL_VAR=var, SLOTMAIL_CLUSTER=cluster)
        self.proc = subprocess.Popen([os.path.join(ROOT, "scripts", "run.sh")], env=env,
                                     stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     start_new_session=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.banner, self.order = self._banner()
            self.slot_pids = self._slot_pids()
        except BaseException:
            self.kill()
            raise

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def _banner(self):
        banner, order, stores = {}, [], {}
        deadline = time.monotonic() + START_SECONDS
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no ready within %ds; stderr: %s" % (START_SECONDS, self.stderr()))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=STOP_SECONDS)
                raise AssertionError("run.sh exited early (%s): %s" % (self.proc.returncode, self.stderr()))
            words = line.split()
            if words == ["ready"]:
                break
            assert words, "empty banner line"
            order.append(words[0])
            if words[0] == "store":
                assert len(words) == 8 and words[2] == "master" and words[4] == "imap" \
                    and words[6] == "lmtp", "bad store line %r" % line
                stores[words[1]] = {"master": words[3], "imap": words[5], "lmtp": words[7]}
            else:
                assert len(words) == 2, "unexpected banner line %r" % line
                banner[words[0]] = words[1]
        banner["stores"] = stores
        return banner, order

    def _slot_pids(self):
        """The slotd PIDs: var/run/<m>-<n>.pid, which must be run.sh's children."""
        pids = {}
        for slot in SLOTS:
            path = os.path.join(self.var, "run", slot.replace(":", "-") + ".pid")
            with open(path) as f:
                pids[slot] = int(f.read())
        children = subprocess.run(["ps", "--ppid", str(self.proc.pid), "-o", "pid=,args="],
                                  capture_output=True, text=True).stdout.splitlines()
        slotds = {int(c.split(None, 1)[0]) for c in children if "slotd" in c}
        assert slotds == set(pids.values()), (children, pids)
        return pids

    def mailctl(self, *args):
        return subprocess.run([os.path.join(BIN, "mailctl"), "--cluster",
                               os.path.join(self.var, "production.dat"), "--local",
                               os.path.join(self.var, "local.conf")] + list(args),
                              capture_output=True, text=True, timeout=30)

    def tls_context(self):
        """Trusts the cluster CA of var/tls and checks the address in the certificate."""
        ctx = ssl.create_default_context(cafile=os.path.join(self.var, "tls", "ca.pem"))
        ctx.check_hostname = True
        return ctx

    def password(self, user):
        with open(os.path.join(self.var, user + "-password")) as f:
            return f.read().strip()

    def login(self, user, address, implicit_tls):
        host, port = address.rsplit(":", 1)
        if implicit_tls:
            m = imaplib.IMAP4_SSL(host, int(port), ssl_context=self.tls_context(), timeout=20)
        else:
            m = imaplib.IMAP4(host, int(port), timeout=20)
            assert m.starttls(ssl_context=self.tls_context())[0] == "OK"
        assert m.login(user, self.password(user))[0] == "OK"
        return m

    def inbox(self, user, imaps):
        """Every message in the user's INBOX, parsed (read over imaps)."""
        m = self.login(user, imaps, implicit_tls=True)
        try:
            assert m.select("INBOX", readonly=True)[0] == "OK"
            typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
            assert typ == "OK", data
            return [email.message_from_bytes(p[1]) for p in data if isinstance(p, tuple)]
        finally:
            m.logout()

    def finish(self):
        """Waits (bounded) for run.sh to exit; returns (exit code, rest of stdout)."""
        self.proc.wait(timeout=STOP_SECONDS + 10)
        rest = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            rest.append(line)
        return self.proc.returncode, "".join(rest)

    def stop(self, ctrl_c=False):
        """SIGTERM by PID, or SIGINT to run.sh's process group as a terminal's
        Ctrl-C sends it: run.sh stops every slotd, waits, says stopped, exits 0."""
        if ctrl_c:
            os.killpg(self.proc.pid, signal.SIGINT)  # the group run.sh leads
        else:
            self.proc.send_signal(signal.SIGTERM)
        code, rest = self.finish()
        assert code == 0, (code, self.stderr())
        assert rest.split() == ["stopped"], rest
        self.check_slotds_gone()

    def check_slotds_gone(self):
        alive = [s for s, p in self.slot_pids.items() if pid_alive(p)]
        assert not alive, "slotd still running after run.sh exited: %s" % alive
        left = [f for f in os.listdir(os.path.join(self.var, "run")) if f.endswith(".pid")]
        assert not left, "PID files left: %s" % left

    def kill(self):
        """Last resort, by PID: run.sh, then every slotd it started."""
        pids = dict(self.slot_pids)
        run_dir = os.path.join(self.var, "run")
        for f in os.listdir(run_dir) if os.path.isdir(run_dir) else []:
            if f.endswith(".pid"):
                try:
                    with open(os.path.join(run_dir, f)) as fh:
                        pids[f] = int(fh.read())
                except (OSError, ValueError):
                    pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pid in pids.values():
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.err.close()


def check_run(run, first):
    """Everything a run must show once it said ready."""
    b = run.banner
    assert run.order[:5] == ["user", "password", "imap", "imaps", "lmtp"], run.order
    assert run.order[5:] == ["store"] * len(STORES), run.order
    assert b["user"] == "demo", b
    assert b["password"] == run.password("demo"), "banner password is not var/demo-password"

    # One store line per store, matching the file: its master and that slot's ports.
    assert sorted(b["stores"]) == sorted(s[0] for s in STORES), b["stores"]
    for name, master, _, _ in STORES:
        line = b["stores"][name]
        assert line == {"master": master, "imap": listen(master, "imap"),
                        "lmtp": listen(master, "lmtp")}, (name, line)

    # Users spread: demo on the first store of the file, the others round-robin.
    holder = {}
    for name, _, _, _ in STORES:
        r = run.mailctl("--store", name, "user", "list")
        assert r.returncode == 0, r.stderr
        for u in r.stdout.split():
            holder[u] = name
    placement = {u: STORES[i % len(STORES)][0] for i, u in enumerate(USERS)}
    assert {u: holder.get(u) for u in USERS} == placement, holder

    # demo is served by its store's master, and the banner says so.
    demo_master = dict((s[0], s[1]) for s in STORES)[holder["demo"]]
    assert b["imap"] == listen(demo_master, "imap"), b
    assert b["imaps"] == listen(demo_master, "imaps"), b
    assert b["lmtp"] == listen(demo_master, "lmtp"), b
    run.login("demo", b["imap"], implicit_tls=False).logout()  # STARTTLS on the plain port

    # Exactly one welcome per user, in its INBOX on its store's master.
    for user in USERS:
        master = dict((s[0], s[1]) for s in STORES)[holder[user]]
        imaps = b["imaps"] if user == "demo" else listen(master, "imaps")
        inbox = run.inbox(user, imaps)
        assert [m["Subject"] for m in inbox] == [SUBJECT], (user, [m["Subject"] for m in inbox])
        welcome = inbox[0]
        for field in ("From", "To", "Date", "Message-ID", "Return-Path", "Received"):
            assert welcome[field], field + " missing"
        assert welcome["To"].endswith("<%s@localhost>" % user), welcome["To"]
        assert welcome["Message-ID"] == "<welcome.%s@slotmail.localhost>" % user
        if first:
            text = welcome.get_payload()
            assert listen(master, "imap") in text and imaps in text, text
        assert os.path.exists(os.path.join(run.var, "welcome-sent-" + user))

    # A replica refuses the login (only the master serves).
    replica = dict((s[0], s[2][0]) for s in STORES)[holder["demo"]]
    try:
        run.login("demo", listen(replica, "imaps"), implicit_tls=True)
        raise AssertionError("replica %s took demo's login" % replica)
    except imaplib.IMAP4.error:
        pass

    # mailctl status: every slot up, roles as in the file, no problem, exit 0.
    r = run.mailctl("status", "--json")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    status = json.loads(r.stdout)
    assert status["ok"] is True and status["problems"] == [], status["problems"]
    roles = expected_roles()
    assert sorted(s["slot"] for s in status["slots"]) == sorted(SLOTS), status["slots"]
    for s in status["slots"]:
        role, store = roles[s["slot"]]
        assert s["up"] is True, s
        assert s["expected_role"] == role and s["role"] == role, s
        assert s["store"] == store, s
        assert s["epoch"] == dict((x[0], x[3]) for x in STORES)[store], s
        assert s["imap"] == listen(s["slot"], "imap"), s


def main():
    tmp = tempfile.mkdtemp(prefix="slotmail-run.")
    var = os.path.join(tmp, "var")
    cluster = os.path.join(tmp, "production.dat")
    with open(cluster, "w") as f:
        f.write(CLUSTER)
    runs = []
    try:
        runs.append(Run(var, cluster))
        first = runs[-1]
        with open(os.path.join(var, "production.dat")) as f:
            assert f.read() == CLUSTER, "var/production.dat is not a copy of SLOTMAIL_CLUSTER"
        for slot in SLOTS:  # each slot logs to var/log/<m>-<n>.log
            assert os.path.exists(os.path.join(var, "log", slot.replace(":", "-") + ".log")), slot
        check_run(first, first=True)
        first.stop()

        # Same var/: no second copy of any welcome. Then without the markers (as
        # if they were lost after the 250): the fixed Message-ID keeps one copy.
        # The copy in var/ is used, not the source (which now could differ).
        with open(cluster, "a") as f:
            f.write("# changed after the copy\n")
        for remove_markers in (False, True):
            if remove_markers:
                for user in USERS:
                    os.remove(os.path.join(var, "welcome-sent-" + user))
            runs.append(Run(var, cluster))
            check_run(runs[-1], first=False)
            with open(os.path.join(var, "production.dat")) as f:
                assert f.read() == CLUSTER, "var/production.dat was copied again"
            if not remove_markers:
                runs[-1].stop(ctrl_c=True)

        # A slotd that dies on its own: run.sh stops the others and exits non-zero.
        last = runs[-1]
        os.kill(last.slot_pids["t2:6"], signal.SIGKILL)
        code, _ = last.finish()
        assert code != 0, "run.sh exited 0 after a slotd died"
        assert "t2:6" in last.stderr(), last.stderr()
        last.check_slotds_gone()
        print("make run: cluster banner matching production.dat, users spread over stores, "
              "welcome over LMTP once per var/ on each store's master, logins over imaps and "
              "STARTTLS with the cluster CA, mailctl status all up, clean stop by PID, "
              "a dead slotd stops the rest")
    finally:
        for r in runs:
            r.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
