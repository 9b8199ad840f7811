"""Servers for the side-by-side benchmarks (doc/bench.md): one slotd and one
Dovecot instance on loopback, each in its own temporary directory with the
same users and password, started and stopped by PID. Figures come from
bin/imapbench and bin/lmtp_bench; this module only runs the servers and
reads their memory use."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("SLOTMAIL_BIN", os.path.join(HERE, "..", "bin"))
# Another slotd binary to measure (e.g. an older build), same bin/ tools.
SLOTD = os.environ.get("BENCH_SLOTD", os.path.join(BIN, "slotd"))
USER_PREFIX = "bench"
PASSWORD = "benchpass"
# Both servers check passwords with PBKDF2 at 1000 iterations (slotd:
# HMAC-SHA256, its minimum; Dovecot: its {PBKDF2} scheme, HMAC-SHA1), so a
# LOGIN costs about the same on each.
KDF_ITERATIONS = 1000
MAIL_USER = "slotbench"  # the unprivileged owner of Dovecot's mail
DOVECOT_FORMAT = os.environ.get("DOVECOT_FORMAT", "mdbox")


def user_names(count):
    return ["%s%d" % (USER_PREFIX, i) for i in range(1, count + 1)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=20.0):
    """Polls until something accepts on 127.0.0.1:port (or proc exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited during start-up" % what)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %d" % (what, port))


def _status_field(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split()[1]
    except OSError:
        pass
    return None


def _pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(root):
    """root and all its descendants (by parent PID), from /proc."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            ppid = _status_field(int(name), "PPid")
            if ppid is not None:
                children.setdefault(int(ppid), []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def memory_kb(root):
    """(RSS sum, PSS sum, process count) over root's process tree. RSS counts
    shared pages once per process; PSS splits them, so it is the fairer sum."""
    pids = process_tree(root)
    rss = sum(int(_status_field(p, "VmRSS") or 0) for p in pids)
    return rss, sum(_pss_kb(p) for p in pids), len(pids)


def stop_pid(proc, timeout=30):
    """SIGTERM by PID, wait, SIGKILL if it does not go."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Slotd:
    """slotd on a fresh slot with users bench1..benchN."""

    name = "slotd"

    def __init__(self, users, lmtp=False):
        self.tmp = tempfile.mkdtemp(prefix="slotmail-bench.")
        self.proc = None
        slot = os.path.join(self.tmp, "slot")
        os.makedirs(slot)
        for user in user_names(users):
            subprocess.run([os.path.join(BIN, "mailctl"), "--slot-dir", slot, "--kdf-iterations",
                            str(KDF_ITERATIONS), "user", "add", user, "--password-stdin"],
                           input=PASSWORD, text=True, check=True, capture_output=True)
        conf = os.path.join(self.tmp, "slotd.conf")
        lines = ["slot_dir = " + slot, "imap_listen = 127.0.0.1:0", "plaintext_auth = loopback",
                 "kdf_iterations = %d" % KDF_ITERATIONS]
        if lmtp:
            lines.append("lmtp_listen = 127.0.0.1:0")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(self.tmp, "slotd.log"), "w")
        self.proc = subprocess.Popen([SLOTD, "--config", conf],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.ports = {}
        for line in self.proc.stdout:
            words = line.split()
            if words == ["ready"]:
                break
            if len(words) == 2 and ":" in words[1]:
                self.ports[words[0]] = int(words[1].rsplit(":", 1)[1])
        if "imap" not in self.ports:
            self.close()
            raise RuntimeError("slotd did not start; see its log")
        self.imap_port = self.ports["imap"]
        self.lmtp_port = self.ports.get("lmtp")
        self.pid = self.proc.pid
        self.description = "slotd (%s)" % slot

    def memory(self):
        return memory_kb(self.pid)

    def close(self):
        if self.proc is not None:
            stop_pid(self.proc)
            self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def ensure_mail_user():
    """The uid/gid Dovecot stores mail as; creates a system user if needed."""
    try:
        pw = pwd.getpwnam(MAIL_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", MAIL_USER], check=True)
        print("benchlib: created system user %s to own Dovecot's mail" % MAIL_USER)
        pw = pwd.getpwnam(MAIL_USER)
    return pw.pw_uid, pw.pw_gid


DOVECOT_CONF = """# Generated by bench/benchlib.py: Dovecot tuned for speed as its
# documentation recommends, fsync settings left at their defaults.
base_dir = {tmp}/run
state_dir = {tmp}/state
instance_name = slotbench-{port}
log_path = {tmp}/dovecot.log
info_log_path = {tmp}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_cache_size = 10M
auth_cache_ttl = 1 hour
first_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PBKDF2 {tmp}/passwd
}}
userdb {{
  driver = passwd-file
  args = {tmp}/passwd
}}
mail_location = {format}:~/mail
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}}}
maildir_very_dirty_syncs = yes
protocol imap {{
  mail_max_userip_connections = 1000
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  service_count = 0
  process_min_avail = {cpus}
  vsz_limit = 1G
}}
service imap {{
  service_count = 1000
  process_limit = 1024
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  process_limit = 1024
}}
service anvil {{
  client_limit = 4096
}}
service auth {{
  client_limit = 4096
}}
default_client_limit = 4096
"""


# The mailboxes `mailctl user add` creates, with the same special uses.
MAILBOXES = ["Drafts", "Sent", "Trash", "Junk", "Archive"]
MAILBOX_CONF = "  mailbox %s {\n    auto = subscribe\n    special_use = \\%s\n  }\n"


class Dovecot:
    """A private Dovecot instance (imap + lmtp) with users bench1..benchN."""

    name = "dovecot"

    def __init__(self, users):
        self.tmp = tempfile.mkdtemp(prefix="slotmail-dovecot.")
        self.proc = None
        os.chmod(self.tmp, 0o755)  # the mail user must reach its home
        uid, gid = ensure_mail_user()
        mail = os.path.join(self.tmp, "mail")
        os.makedirs(mail)
        os.chown(mail, uid, gid)
        hashed = subprocess.run(["doveadm", "pw", "-s", "PBKDF2", "-r", str(KDF_ITERATIONS),
                                 "-p", PASSWORD], check=True, capture_output=True,
                                text=True).stdout.strip()
        with open(os.path.join(self.tmp, "passwd"), "w") as f:
            for user in user_names(users):
                home = os.path.join(mail, user)
                os.makedirs(home)
                os.chown(home, uid, gid)
                f.write("%s:%s:%d:%d::%s::\n" % (user, hashed, uid, gid, home))
        self.imap_port, self.lmtp_port = free_port(), free_port()
        self.conf = os.path.join(self.tmp, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(DOVECOT_CONF.format(tmp=self.tmp, uid=uid, port=self.imap_port,
                                        lmtp_port=self.lmtp_port, format=DOVECOT_FORMAT,
                                        mailboxes="".join(MAILBOX_CONF % (m, m) for m in MAILBOXES),
                                        cpus=os.cpu_count() or 1))
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        try:
            wait_port(self.imap_port, self.proc, "dovecot")
            wait_port(self.lmtp_port, self.proc, "dovecot lmtp")
        except RuntimeError:
            sys.stderr.write(self.log_tail())
            self.close()
            raise
        self.description = "Dovecot %s (%s, fsync defaults)" % (
            subprocess.run(["dovecot", "--version"], capture_output=True,
                           text=True).stdout.split()[0], DOVECOT_FORMAT)

    def log_tail(self):
        try:
            with open(os.path.join(self.tmp, "dovecot.log")) as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def memory(self):
        return memory_kb(self.pid)

    def close(self):
        if self.proc is not None:
            stop_pid(self.proc)  # the master stops its children
            self.proc.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
