#!/usr/bin/env python3
"""End-to-end test of bin/mailctl: the real binary against a temporary slot.

Covers users (password via stdin and via file), list, show, passwd, quota,
mailbox create/list/delete, the exit code of each error class, and --help on
every command. Exits non-zero on failure; removes its temporary directory.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("SLOTMAIL_BIN", "./bin"))
MAILCTL = os.path.join(BIN, "mailctl")

COMMANDS = {
    "user": ["add", "del", "passwd", "list", "show", "quota"],
    "mailbox": ["list", "create", "delete"],
}


class MailctlTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="slotmail-mailctl.")
        self.slot = os.path.join(self.tmp, "slot")
        os.mkdir(self.slot)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_raw(self, args, stdin=""):
        return subprocess.run([MAILCTL] + args, input=stdin.encode(),
                              capture_output=True, timeout=30)

    def mailctl(self, *args, stdin="", expect=0):
        """Runs mailctl on the test slot; checks the exit code; returns stdout."""
        p = self.run_raw(["--slot-dir", self.slot, "--kdf-iterations", "1000"] + list(args),
                         stdin)
        self.assertEqual(p.returncode, expect,
                         f"mailctl {' '.join(args)}: stdout={p.stdout!r} stderr={p.stderr!r}")
        if expect == 0:
            self.assertEqual(p.stderr, b"")
        else:
            err = p.stderr.decode()
            self.assertTrue(err.startswith("mailctl: "), err)
        return p.stdout.decode()

    def show(self, user):
        lines = self.mailctl("user", "show", user).splitlines()
        return dict(line.split("\t") for line in lines)

    def test_users(self):
        self.mailctl("user", "add", "alice", "--password-stdin", stdin="pw-one\n")
        pw_file = os.path.join(self.tmp, "pw")
        with open(pw_file, "w") as f:
            f.write("pw-two\n")
        self.mailctl("user", "add", "bob@example.com", "--password-file", pw_file)
        self.assertEqual(self.mailctl("user", "list"), "alice\nbob@example.com\n")

        info = self.show("alice")
        self.assertEqual(info["user"], "alice")
        self.assertEqual(info["mailboxes"], "6")  # INBOX and the five default mailboxes
        self.assertEqual(info["messages"], "0")
        self.assertEqual(info["quota_bytes"], "0")

        self.mailctl("user", "passwd", "alice", "--password-stdin", stdin="pw-three\n")
        self.mailctl("user", "quota", "alice", "--bytes", "10M", "--messages", "500")
        info = self.show("alice")
        self.assertEqual(info["quota_bytes"], str(10 << 20))
        self.assertEqual(info["quota_messages"], "500")
        self.mailctl("user", "quota", "alice", "--messages", "0")
        info = self.show("alice")
        self.assertEqual(info["quota_bytes"], str(10 << 20))
        self.assertEqual(info["quota_messages"], "0")

        self.mailctl("user", "del", "bob@example.com")
        self.assertEqual(self.mailctl("user", "list"), "alice\n")

    def test_mailboxes(self):
        self.mailctl("user", "add", "alice", "--password-stdin", stdin="pw")
        for box in ["Archive", "Drafts", "Junk", "Sent", "Trash"]:  # the defaults
            self.mailctl("mailbox", "delete", "alice", box)
        self.mailctl("mailbox", "create", "alice", "Sent", "--special-use", "\\Sent")
        self.mailctl("mailbox", "create", "alice", "Lists/dev")
        rows = [l.split("\t") for l in self.mailctl("mailbox", "list", "alice").splitlines()]
        self.assertEqual([r[0] for r in rows], ["INBOX", "Lists", "Lists/dev", "Sent"])
        for r in rows:
            self.assertEqual(len(r), 8, r)
            self.assertEqual(r[1:4], ["0", "0", "0"])
            self.assertTrue(int(r[4]) > 0)   # uidvalidity
            self.assertEqual(r[5], "1")      # uidnext
        self.assertEqual(rows[3][7], "\\Sent")
        self.assertEqual(rows[0][7], "-")
        self.assertEqual(self.mailctl("mailbox", "list", "alice", "Lists/%").split("\t")[0],
                         "Lists/dev")
        self.assertEqual(self.show("alice")["mailboxes"], "4")

        self.mailctl("mailbox", "delete", "alice", "Lists", expect=1)  # has children
        self.mailctl("mailbox", "delete", "alice", "Lists/dev")
        self.mailctl("mailbox", "delete", "alice", "Lists/dev", expect=3)
        self.mailctl("mailbox", "delete", "alice", "INBOX", expect=5)
        self.mailctl("mailbox", "create", "alice", "Sent", expect=4)

    def test_error_exit_codes(self):
        self.mailctl("user", "add", "alice", "--password-stdin", stdin="pw")
        p = self.run_raw(["--slot-dir", self.slot, "user", "add", "alice", "--password-stdin"],
                         "pw")
        self.assertEqual(p.returncode, 4)
        self.assertEqual(p.stderr, b"mailctl: user add alice: user already exists\n")
        self.mailctl("user", "show", "nobody", expect=3)
        self.mailctl("user", "del", "nobody", expect=3)
        self.mailctl("user", "passwd", "nobody", "--password-stdin", stdin="x", expect=3)
        self.mailctl("mailbox", "list", "nobody", expect=3)
        self.mailctl("user", "add", "Bad Name", "--password-stdin", stdin="pw", expect=5)
        self.mailctl("mailbox", "create", "alice", "a/../b", expect=5)
        self.mailctl("user", "add", "carol", "--password-stdin", stdin="\n", expect=5)
        self.mailctl("user", "quota", "alice", "--bytes", "lots", expect=5)
        # Usage errors: unknown command, unknown option, missing arguments.
        self.mailctl("user", "frob", expect=2)
        self.mailctl("frob", expect=2)
        self.mailctl("user", "list", "--frob", expect=2)
        self.mailctl("user", "show", expect=2)
        self.mailctl("user", "add", "carol", expect=2)  # no password option
        # No slot named: the cluster of production.dat; a missing one is
        # "other failure", named in the message.
        nowhere = os.path.join(self.tmp, "no-production.dat")
        p = self.run_raw(["--cluster", nowhere, "user", "list"])
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith(b"mailctl: read cluster: "), p.stderr)
        self.assertIn(nowhere.encode(), p.stderr)
        # A missing slot directory is "other failure", not "not found".
        p = self.run_raw(["--slot-dir", os.path.join(self.tmp, "nope"), "user", "show", "alice"])
        self.assertEqual(p.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nope")))

    def test_config_file(self):
        conf = os.path.join(self.tmp, "slotd.conf")
        with open(conf, "w") as f:
            f.write(f"# slotd config\nslot_dir = {self.slot}\nimap_listen = 127.0.0.1:1143\n"
                    "kdf_iterations = 1000\n")
        p = self.run_raw(["--config", conf, "user", "add", "dave", "--password-stdin"], "pw")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.mailctl("user", "list"), "dave\n")

    def test_help(self):
        levels = [[]] + [[g] for g in COMMANDS] + [[g, v] for g in COMMANDS for v in COMMANDS[g]]
        for words in levels:
            p = self.run_raw(words + ["--help"])
            self.assertEqual(p.returncode, 0, words)
            self.assertIn(b"usage: mailctl", p.stdout)
            self.assertIn(b"Exit codes:", p.stdout)
            self.assertEqual(p.stderr, b"")
        p = self.run_raw([])
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, b"")
        self.assertIn(b"usage: mailctl", p.stderr)


if __name__ == "__main__":
    unittest.main()
