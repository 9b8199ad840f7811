"""Interop: a real MTA, Postfix, delivers into slotd over LMTP.

The test runs its own Postfix instance from a temporary directory (its own
main.cf and master.cf, queue and data directories; no smtpd listener: mail
is submitted with Postfix's own sendmail and picked up from the maildrop).
example.test is a virtual mailbox domain whose transport is slotd's LMTP
listener, as doc/lmtp.md tells an operator to configure it. Checks: one
message to two users and an unknown one arrives byte for byte for the two
(with Postfix's and slotd's trace fields), the unknown recipient is bounced
to the sender and nothing is stored for it, and user+Folder@ lands in the
folder. Postfix is stopped by its own command, then by the PID in its pid
file if its master is still alive. The test process is the child
subreaper of everything it starts, so it can wait until every Postfix
process it started is gone (and reap them) before it ends."""
import ctypes
import email
import imaplib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import slotlib  # noqa: E402

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
USERS = (("alice", "a-pw"), ("bob", "b-pw"), ("sender", "s-pw"))
DEADLINE = 30  # seconds for Postfix to deliver; normally well under one

# What makes an instance private to a test: its own directories and log,
# nothing delivered outside example.test; the routing of example.test is
# each test's.
INSTANCE_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
myhostname = mx.example.test
mydomain = example.test
myorigin = $mydomain
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
# Nothing else leaves this test instance.
default_transport = error:delivery outside example.test is disabled in this test
relay_transport = $default_transport
local_transport = $default_transport
alias_maps =
alias_database =
notify_classes =
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
syslog_name = postfix-slotmail-test
"""

MAIN_CF = INSTANCE_CF + """\
# slotd holds the mailboxes of example.test; Postfix hands mail to it over
# LMTP, "+" introduces the folder (alice+Work@example.test).
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:[127.0.0.1]:{lmtp_port}
recipient_delimiter = +
"""

# The services a pickup-to-LMTP path needs, none chrooted; no smtpd.
MASTER_CF = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

# LF line ends as a local program hands them to sendmail; stored with CRLF.
MESSAGE = (b"From: Sender <sender@example.test>\n"
           b"To: alice@example.test, bob@example.test, nobody@example.test\n"
           b"Subject: through postfix\n"
           b"Date: Sun, 22 Nov 2026 12:00:00 +0000\n"
           b"Message-ID: <postfix-1@example.test>\n"
           b"MIME-Version: 1.0\n"
           b"Content-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: 8bit\n"
           b"\n"
           b"Hello from Postfix.\n"
           b".a line starting with a dot\n"
           b"..and one with two\n"
           b"8bit: \xc3\xa9t\xc3\xa9\n"
           b"\n"
           b"-- \n"
           b"the end\n")
FOLDER_MESSAGE = (b"From: sender@example.test\nTo: alice+Work@example.test\n"
                  b"Subject: for the Work folder\nDate: Sun, 22 Nov 2026 12:00:01 +0000\n"
                  b"Message-ID: <postfix-2@example.test>\n\nfiled\n")


class Postfix:
    """A Postfix instance configured and run from a temporary directory:
    main_cf is formatted with dir= (the instance's directory) and `fields`."""

    def __init__(self, main_cf=MAIN_CF, master_cf=MASTER_CF, **fields):
        if not os.access(POSTFIX, os.X_OK):
            raise AssertionError(POSTFIX + " is missing: install postfix (scripts/deps.sh)")
        self.dir = tempfile.mkdtemp(prefix="slotmail-postfix.")
        self.pid_file = os.path.join(self.dir, "queue", "pid", "master.pid")
        self.before = _children()  # ours already; the rest is Postfix's
        try:
            # Postfix daemons reach data_directory by absolute path after
            # dropping privileges: the directory must be traversable.
            os.chmod(self.dir, 0o755)
            self.conf = os.path.join(self.dir, "etc")
            os.mkdir(self.conf, 0o755)
            # Root-owned, as Postfix requires; postfix start creates the
            # queue's subdirectories and data_directory with their owners.
            os.mkdir(os.path.join(self.dir, "queue"), 0o755)
            with open(os.path.join(self.conf, "main.cf"), "w") as f:
                f.write(main_cf.format(dir=self.dir, **fields))
            with open(os.path.join(self.conf, "master.cf"), "w") as f:
                f.write(master_cf)
            self.postfix("start")
            # The instance must be correct, not merely running: no warnings.
            check = self.postfix("check")
            if check.stdout or check.stderr:
                raise AssertionError("postfix check: " + check.stdout + check.stderr)
        except BaseException:
            self.close()
            raise

    def postfix(self, command):
        r = subprocess.run([POSTFIX, "-c", self.conf, command], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise AssertionError("postfix %s failed: %s%s\n%s" % (command, r.stdout, r.stderr,
                                                                 self.log()))
        return r

    def sendmail(self, sender, recipients, message):
        r = subprocess.run([SENDMAIL, "-C", self.conf, "-i", "-f", sender, "--"] + recipients,
                           input=message, capture_output=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("sendmail failed: %r" % r.stderr)

    def log(self):
        return _read(os.path.join(self.dir, "maillog"))

    def assert_quiet(self):
        """No warning, error, fatal or panic line in the log: a correct
        instance, nothing for an operator to worry about."""
        noise = [l for l in self.log().splitlines()
                 if re.search(r"\b(warning|error|fatal|panic):", l)]
        assert not noise, "\n".join(noise)

    def close(self):
        """postfix stop; then waits until every Postfix process is gone,
        SIGKILLing the master by the PID in its pid file if it outlives the
        stop, and, last, any process of it left by its PID."""
        try:
            master = _read(self.pid_file).strip()
            if master:
                subprocess.run([POSTFIX, "-c", self.conf, "stop"], capture_output=True,
                               timeout=60)
            if not self._reaped(10) and master:
                print("postfix stop left the master running: SIGKILL", master, file=sys.stderr)
                _kill(int(master))
            if not self._reaped(10):
                for pid in _children() - self.before:
                    _kill(pid)
                if not self._reaped(10):
                    raise AssertionError("Postfix processes survive SIGKILL")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _reaped(self, timeout):
        """Reaps Postfix's exited processes until none is left or the
        timeout passes; True if none is left."""
        def none_left():
            left = _children() - self.before
            for pid in list(left):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    left.discard(pid)
            return not left
        try:
            slotlib.wait_for(none_left, timeout=timeout, what="Postfix to exit")
            return True
        except AssertionError:
            return False


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _become_subreaper():
    """Orphans of our descendants (the daemonised Postfix master, its
    children) become our children instead of init's, so we can wait for
    them."""
    PR_SET_CHILD_SUBREAPER = 36
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _children():
    """The PIDs whose parent is this process (zombies included)."""
    out = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid():
            out.add(int(name))
    return out


class Mailboxes:
    """One logged-in IMAP connection per user, for polling and reading."""

    def __init__(self, slot):
        self.conns = {}
        for user, password in USERS:
            m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
            m.login(user, password)
            self.conns[user] = m

    def count(self, user, mailbox="INBOX"):
        typ, data = self.conns[user].status(mailbox, "(MESSAGES)")
        assert typ == "OK", data
        return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))

    def messages(self, user, mailbox="INBOX"):
        m = self.conns[user]
        assert m.select(mailbox, readonly=True)[0] == "OK"
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        assert typ == "OK", data
        m.close()
        return [part[1] for part in data if isinstance(part, tuple)]

    def wait(self, user, n, postfix, mailbox="INBOX"):
        """Polls until `user` has n messages in `mailbox`; returns them."""
        try:
            slotlib.wait_for(lambda: self.count(user, mailbox) >= n, timeout=DEADLINE,
                             what="%d message(s) for %s in %s" % (n, user, mailbox))
        except AssertionError as e:
            raise AssertionError("%s\nPostfix log:\n%s" % (e, postfix.log()))
        return self.messages(user, mailbox)

    def close(self):
        for m in self.conns.values():
            m.logout()


def check_delivery(stored):
    """stored = slotd's fields + Postfix's Received + our message (CRLF)."""
    sent = MESSAGE.replace(b"\n", b"\r\n")
    assert stored.endswith(sent), stored
    head = stored[:len(stored) - len(sent)]
    assert head.startswith(b"Return-Path: <sender@example.test>\r\n"
                           b"Received: from mx.example.test (127.0.0.1)\r\n"), head
    assert b"(slotmail) with LMTP id " in head, head
    # Postfix's own trace: the Received field cleanup adds for pickup.
    received = email.message_from_bytes(head).get_all("Received")
    assert len(received) == 2, received
    assert "by mx.example.test (Postfix" in received[1], received


def check_bounce(stored):
    """A DSN (RFC 3464) for nobody@ alone, carrying slotd's 5.1.1."""
    bounce = email.message_from_bytes(stored)
    assert bounce.get_content_type() == "multipart/report", bounce.get_content_type()
    status = [p for p in bounce.walk() if p.get_content_type() == "message/delivery-status"]
    assert len(status) == 1, [p.get_content_type() for p in bounce.walk()]
    recipients = status[0].get_payload()[1:]  # after the per-message fields
    assert [(r["Final-Recipient"], r["Status"], r["Action"]) for r in recipients] == \
        [("rfc822; nobody@example.test", "5.1.1", "failed")], stored
    assert "550 5.1.1" in recipients[0]["Diagnostic-Code"], recipients[0]["Diagnostic-Code"]


def main():
    start = time.monotonic()
    _become_subreaper()
    slot = slotlib.Slot(tls=False, users=USERS, extra=["lmtp_listen = 127.0.0.1:0"])
    postfix = boxes = None
    try:
        try:
            boxes = Mailboxes(slot)
            assert boxes.conns["alice"].create("Work")[0] == "OK"
            postfix = Postfix(lmtp_port=slot.ports["lmtp"])

            postfix.sendmail("sender@example.test",
                             ["alice@example.test", "bob@example.test", "nobody@example.test"],
                             MESSAGE)
            for user in ("alice", "bob"):
                got = boxes.wait(user, 1, postfix)
                assert len(got) == 1, got
                check_delivery(got[0])
            # The unknown recipient: slotd refused it at RCPT (550 5.1.1), so
            # Postfix bounced it to the sender, who is a slotd user too.
            check_bounce(boxes.wait("sender", 1, postfix)[0])

            postfix.sendmail("sender@example.test", ["alice+Work@example.test"], FOLDER_MESSAGE)
            work = boxes.wait("alice", 1, postfix, "Work")
            assert work[0].endswith(FOLDER_MESSAGE.replace(b"\n", b"\r\n")), work
            postfix.assert_quiet()
        finally:
            try:
                if boxes:
                    boxes.close()
                if postfix:
                    postfix.close()
            finally:
                slot.stop()
        # Nothing stored anywhere else, counted with mailctl once slotd is
        # gone: alice's INBOX and Work, bob's INBOX, the sender's bounce.
        users = slot.mailctl("user", "list").stdout.split()
        assert users == [u for u, _ in USERS], users
        for user, want in (("alice", 2), ("bob", 1), ("sender", 1)):
            show = dict(line.split("\t", 1) for line in
                        slot.mailctl("user", "show", user).stdout.splitlines())
            assert show["messages"] == str(want), (user, show)
    finally:
        slot.close()
    print("postfix: 2 users + unknown (bounced) + user+Folder, in %.1f s"
          % (time.monotonic() - start))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
