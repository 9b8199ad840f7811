"""Interop: mbsync (isync), a client nobody here wrote, syncs a mailbox
down from slotd over verified implicit TLS, then syncs local changes up."""
import email
import imaplib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import slotlib  # noqa: E402


def message(i):
    return ("From: sender%d@example.com\r\nTo: alice@example.com\r\n"
            "Subject: message %d\r\nMessage-ID: <m%d@example.com>\r\n\r\nbody %d\r\n" % (i, i, i, i)).encode()


def maildir_messages(path):
    out = {}
    for sub in ("cur", "new"):
        d = os.path.join(path, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                out[name] = f.read()
    return out


def main():
    with slotlib.Slot() as slot:
        m = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
        m.login("alice", "secret")
        m.create("Work")
        for i in range(5):
            m.append("Work", "(\\Flagged)" if i == 0 else None, None, message(i))
        local = os.path.join(slot.tmp, "maildir")
        os.makedirs(local)
        rc = os.path.join(slot.tmp, "mbsyncrc")
        with open(rc, "w") as f:
            f.write(f"""IMAPAccount slot
Host localhost
Port {slot.ports['imaps']}
User alice
Pass secret
SSLType IMAPS
CertificateFile {slot.ca.ca_cert}

IMAPStore remote
Account slot

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel work
Far :remote:Work
Near :local:Work
Create Near
Sync All
Expunge Both
SyncState *
""")

        def sync():
            r = subprocess.run(["mbsync", "-c", rc, "work"], capture_output=True, text=True,
                               timeout=60)
            assert r.returncode == 0, "mbsync failed: %s %s" % (r.stdout, r.stderr)

        # Down: every message arrives byte-exact; \Flagged becomes maildir flag F.
        sync()
        got = maildir_messages(os.path.join(local, "Work"))
        assert len(got) == 5, got.keys()
        subjects = sorted(email.message_from_bytes(b)["Subject"] for b in got.values())
        assert subjects == ["message %d" % i for i in range(5)], subjects
        # Maildirs hold LF line endings (mbsync converts both ways), and
        # mbsync adds its own X-TUID tracking header to local copies.
        local_bytes = sorted(re.sub(rb"X-TUID: [^\n]*\n", b"", b) for b in got.values())
        assert local_bytes == sorted(message(i).replace(b"\r\n", b"\n") for i in range(5))
        flagged = [n for n, b in got.items() if b"Subject: message 0" in b]
        assert ":2," in flagged[0] and "F" in flagged[0].split(":2,")[1], flagged

        # Up: a new local message, a local \Seen, a local deletion.
        work = os.path.join(local, "Work")
        new = os.path.join(work, "new", "1700000000.local.test")
        with open(new, "wb") as f:
            f.write(message(99).replace(b"\r\n", b"\n"))
        def find(subject):
            for sub in ("cur", "new"):
                for n in os.listdir(os.path.join(work, sub)):
                    path = os.path.join(work, sub, n)
                    with open(path, "rb") as f:
                        if subject in f.read():
                            return path
            raise AssertionError("no local copy of " + subject.decode())
        seen_src = find(b"Subject: message 1")
        base = os.path.basename(seen_src).split(":2,")[0]
        os.rename(seen_src, os.path.join(work, "cur", base + ":2,S"))
        os.unlink(find(b"Subject: message 2"))
        sync()

        m.select("Work")
        typ, data = m.search(None, "ALL")
        assert len(data[0].split()) == 5, ("count", data)  # 5 - 1 deleted + 1 new
        typ, data = m.search(None, 'SUBJECT "message 99"')
        assert len(data[0].split()) == 1, data
        typ, data = m.fetch(data[0].decode(), "(BODY.PEEK[])")
        assert re.sub(rb"X-TUID: [^\r]*\r\n", b"", data[0][1]) == message(99), data[0][1]
        typ, data = m.search(None, 'SEEN SUBJECT "message 1"')
        assert len(data[0].split()) == 1, data
        typ, data = m.search(None, 'SUBJECT "message 2"')
        assert data == [b""], data
        m.logout()
        print("mbsync synced down and up")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
