"""File modes after a real slotd run (issue 14 point 14): everything slotd
keeps in its slot directory (indexes holding password hashes, their -wal
files, message files, the change log, the role file) is 0600 and every
directory 0700, even when slotd starts under a 022 umask and the slot
directory was made 0755."""
import imaplib
import os
import smtplib
import stat
import unittest

import slotlib


def loose_modes(top):
    """(mode, path) of each file not 0600 and each directory not 0700 under top."""
    loose = []
    for root, dirs, files in os.walk(top):
        for name, want in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files]:
            path = os.path.join(root, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if mode != want:
                loose.append((oct(mode), os.path.relpath(path, top)))
    mode = stat.S_IMODE(os.stat(top).st_mode)
    if mode != 0o700:
        loose.append((oct(mode), "."))
    return sorted(loose)


class FileModesTest(unittest.TestCase):
    def test_slotd_keeps_its_files_0600_and_directories_0700(self):
        old = os.umask(0o022)  # the usual umask: new files 0644 unless slotd says otherwise
        self.addCleanup(os.umask, old)
        slot = slotlib.Slot(tls=False, users=(("alice", "secret"), ("bob", "pw")),
                            extra=["lmtp_listen = 127.0.0.1:0"])
        self.addCleanup(slot.close)  # its os.makedirs made the slot directory 0755
        c = smtplib.LMTP("127.0.0.1", slot.ports["lmtp"])
        c.sendmail("s@x", ["alice@x", "bob@x"], b"Message-ID: <m@x>\r\nSubject: a\r\n\r\nb\r\n")
        c.quit()
        m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
        m.login("alice", "secret")
        m.create("Box")
        m.append("Box", None, None, b"Subject: x\r\n\r\ny\r\n")
        m.select("Box")
        m.fetch("1", "(ENVELOPE BODYSTRUCTURE)")
        m.sort("(SUBJECT)", "UTF-8", "ALL")
        # While slotd runs its indexes have -wal files too.
        self.assertTrue(any(f.endswith("-wal") for _, _, files in os.walk(slot.slot_dir)
                            for f in files))
        self.assertEqual(loose_modes(slot.slot_dir), [])
        m.logout()
        slot.stop()
        self.assertEqual(loose_modes(slot.slot_dir), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
