"""Interop: Postfix delivers into a cluster, routed by slotdir's socketmap.

A cluster of real slotds on 127.0.0.191-193 (t/e2e/clusterlib.py: stores
s1, s2, s3, each with its master on another machine), slotdir on it, and a
private Postfix instance (t/interop/postfix_test.py's machinery, plus an
smtpd listener on loopback) configured as doc/postfix.md tells an operator:
example.test is a virtual mailbox domain whose recipients and transports
come from slotdir's socketmap. Checks, all through Postfix's SMTP port:
mail for a user of each store lands on that store's master; an unknown
user is rejected at RCPT with 550; after `mailctl failover s1`, new mail
for the s1 user lands on the new master, Postfix's configuration
untouched. Every process is stopped by its PID."""
import imaplib
import os
import smtplib
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from clusterlib import Cluster  # noqa: E402
from frontlib import Slotdir  # noqa: E402
import postfix_test  # noqa: E402
from postfix_test import INSTANCE_CF, MASTER_CF, Postfix  # noqa: E402
from slotlib import wait_for  # noqa: E402

# alice, of s1 (the store failed over), comes first: Postfix's queue manager
# keeps its last resolved (sender, recipient) for 30 s (doc/directory.md),
# and that must not be alice's when she gets mail after the failover.
USERS = {"alice": "s1", "bob": "s2", "cid": "s3"}
PASSWORD = "secret"
DEADLINE = 20  # seconds for a message to be stored; normally well under one

# doc/postfix.md's main.cf, on the test's ports.
ROUTING_CF = """\
virtual_mailbox_domains = example.test
virtual_mailbox_maps = socketmap:inet:127.0.0.1:{socketmap}:recipients
transport_maps = socketmap:inet:127.0.0.1:{socketmap}:transport
virtual_transport = error:5.1.1 user unknown
recipient_delimiter = +
"""

SMTPD_CF = "127.0.0.1:{smtp} inet  n       -       n       -       -       smtpd\n"


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def message(user, n):
    return ("From: sender@example.test\r\nTo: %s@example.test\r\n"
            "Subject: cluster %d\r\nMessage-ID: <cluster-%s-%d@example.test>\r\n"
            "\r\nfor %s, number %d\r\n" % (user, n, user, n, user, n)).encode()


def count(address, user):
    """Messages in `user`'s INBOX on the slot at `address` (host, port)."""
    m = imaplib.IMAP4(*address, timeout=10)
    try:
        m.login(user, PASSWORD)
        typ, data = m.status("INBOX", "(MESSAGES)")
        assert typ == "OK", data
        return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))
    finally:
        m.logout()


def wait_stored(c, postfix, user, n):
    """Polls the master of `user`'s store until its INBOX holds n messages;
    returns that master."""
    master = c.current(USERS[user])[0]
    try:
        wait_for(lambda: count(master.imap, user) >= n, timeout=DEADLINE,
                 what="%d message(s) for %s on %s" % (n, user, master.name))
    except AssertionError as e:
        raise AssertionError("%s\nPostfix log:\n%s" % (e, postfix.log()))
    return master


def send(smtp_port, user, n):
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as s:
        refused = s.sendmail("sender@example.test", ["%s@example.test" % user], message(user, n))
        assert refused == {}, refused


def main():
    start = time.monotonic()
    postfix_test._become_subreaper()
    c = Cluster("127.0.0.191")
    directory = postfix = None
    try:
        for user, store in USERS.items():
            c.ok("user", "add", user, "--password-stdin", "--store", store, input=PASSWORD)
        directory = Slotdir(c, "127.0.0.1")
        smtp = free_port()
        postfix = Postfix(main_cf=INSTANCE_CF + ROUTING_CF,
                          master_cf=MASTER_CF + SMTPD_CF.format(smtp=smtp),
                          socketmap=directory.socketmap)
        with open(os.path.join(postfix.conf, "main.cf")) as f:
            config = f.read()

        # Each user's mail lands on the master of that user's store, which
        # is another machine for each.
        for user in USERS:
            send(smtp, user, 1)
        masters = {user: wait_stored(c, postfix, user, 1).name for user in USERS}
        assert len(set(masters.values())) == 3, masters

        # An unknown user: 550 at RCPT, from Postfix, before any DATA.
        with smtplib.SMTP("127.0.0.1", smtp, timeout=30) as s:
            assert s.mail("sender@example.test")[0] == 250
            code, text = s.rcpt("nobody@example.test")
            assert code == 550, (code, text)
            assert b"5.1.1" in text, text

        # A planned failover of s1: new mail follows the new master, with
        # nothing done to Postfix.
        old = c.current("s1")[0]
        r = c.mailctl("failover", "s1", timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        new = c.current("s1")[0]
        assert new.name != old.name, (old.name, new.name)
        # The directory follows within a poll round (doc/directory.md); the
        # message is sent once it does, so its route is the new one.
        want = "lmtp:inet:[%s]:%d" % new.lmtp
        wait_for(lambda: postmap_query(postfix, directory, "alice@example.test") == want,
                 timeout=5, what="slotdir to route alice to " + new.name)
        send(smtp, "alice", 2)
        assert wait_stored(c, postfix, "alice", 2).name == new.name
        with open(os.path.join(postfix.conf, "main.cf")) as f:
            assert f.read() == config, "main.cf changed"
        postfix.assert_quiet()
    finally:
        try:
            if postfix:
                postfix.close()
        finally:
            try:
                if directory:
                    directory.stop()
            finally:
                c.close()
    print("postfix via slotdir: 3 stores + unknown at RCPT + failover, in %.1f s"
          % (time.monotonic() - start))


def postmap_query(postfix, directory, key):
    """What Postfix's own socketmap client gets from the transport map."""
    r = subprocess.run(["/usr/sbin/postmap", "-c", postfix.conf, "-q", key,
                        "socketmap:inet:127.0.0.1:%d:transport" % directory.socketmap],
                       capture_output=True, text=True, timeout=30)
    return r.stdout.strip()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
