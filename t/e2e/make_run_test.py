"""make run's script: a demo slot in a var/ directory, a banner a script can
read (user, password, one line per listener, ready), a working login over
both TLS listeners, the welcome message delivered over LMTP before "ready"
(once per var/: a second run adds no copy, even without the marker file),
and a clean stop on SIGTERM. Uses a temporary var/ and kernel-chosen ports
so it never touches a developer's demo slot."""
import email
import imaplib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("SLOTMAIL_BIN", os.path.join(ROOT, "bin"))
SUBJECT = "Welcome to your slotmail demo"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # make run's certificate is self-signed
    return ctx


class Run:
    """One run of scripts/run.sh on `var`, up to its "ready"."""

    def __init__(self, var):
        env = dict(os.environ, BIN=BIN, SLOTMAIL_VAR=var, SLOTMAIL_IMAP="127.0.0.1:0",
                   SLOTMAIL_IMAPS="127.0.0.1:0", SLOTMAIL_LMTP="127.0.0.1:0")
        self.proc = subprocess.Popen([os.path.join(ROOT, "scripts", "run.sh")], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.banner = self._banner()
        except BaseException:
            self.kill()
            raise

    def _banner(self):
        banner = {}
        for line in self.proc.stdout:
            words = line.split()
            if words == ["ready"]:
                break
            assert len(words) == 2, "unexpected banner line %r" % line
            banner[words[0]] = words[1]
        else:
            raise AssertionError("run.sh exited early: " + self.proc.stderr.read())
        assert banner.get("user") == "demo", banner
        assert banner.get("lmtp", "").startswith("127.0.0.1:"), banner
        return banner

    def login(self, implicit_tls):
        host, port = self.banner["imaps" if implicit_tls else "imap"].rsplit(":", 1)
        if implicit_tls:
            m = imaplib.IMAP4_SSL(host, int(port), ssl_context=tls_context())
        else:
            m = imaplib.IMAP4(host, int(port))
            assert m.starttls(ssl_context=tls_context())[0] == "OK"
        assert m.login("demo", self.banner["password"])[0] == "OK"
        return m

    def inbox(self):
        """Every message in the demo user's INBOX, parsed."""
        m = self.login(implicit_tls=True)
        try:
            assert m.select("INBOX", readonly=True)[0] == "OK"
            typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
            assert typ == "OK", data
            return [email.message_from_bytes(p[1]) for p in data if isinstance(p, tuple)]
        finally:
            m.logout()

    def stop(self):
        """SIGTERM by PID; run.sh passes it on and exits with slotd's status."""
        self.proc.send_signal(signal.SIGTERM)
        rest, _ = self.proc.communicate(timeout=20)
        assert self.proc.returncode == 0, self.proc.returncode
        assert "stopped" in rest, rest

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main():
    var = tempfile.mkdtemp(prefix="slotmail-run.")
    runs = []
    try:
        runs.append(Run(var))
        first = runs[-1]
        first.login(implicit_tls=False).logout()  # STARTTLS on the plain port
        inbox = first.inbox()  # read over imaps
        assert len(inbox) == 1, [m["Subject"] for m in inbox]
        welcome = inbox[0]
        assert welcome["Subject"] == SUBJECT, welcome["Subject"]
        for field in ("From", "To", "Date", "Message-ID", "Return-Path", "Received"):
            assert welcome[field], field + " missing"
        assert welcome["To"].endswith("<demo@localhost>"), welcome["To"]
        text = welcome.get_payload()
        assert first.banner["imap"] in text and first.banner["imaps"] in text, text
        assert os.path.exists(os.path.join(var, "welcome-sent"))
        first.stop()

        # Same var/: no second copy. Then without the marker (as if it was
        # lost after the 250): the fixed Message-ID still keeps one copy.
        for remove_marker in (False, True):
            if remove_marker:
                os.remove(os.path.join(var, "welcome-sent"))
            runs.append(Run(var))
            subjects = [m["Subject"] for m in runs[-1].inbox()]
            assert subjects == [SUBJECT], subjects
            runs[-1].stop()
        print("make run: banner, welcome over LMTP once per var/, logins over imaps and "
              "STARTTLS, clean stop")
    finally:
        for r in runs:
            r.kill()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
