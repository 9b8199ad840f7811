"""make run's script: a demo slot in a var/ directory, a banner a script can
read (user, password, one line per listener, ready), a working login over
both TLS listeners, and a clean stop on SIGTERM. Uses a temporary var/ and
kernel-chosen ports so it never touches a developer's demo slot."""
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


def main():
    var = tempfile.mkdtemp(prefix="slotmail-run.")
    env = dict(os.environ, BIN=BIN, SLOTMAIL_VAR=var,
               SLOTMAIL_IMAP="127.0.0.1:0", SLOTMAIL_IMAPS="127.0.0.1:0")
    proc = subprocess.Popen([os.path.join(ROOT, "scripts", "run.sh")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = {}
        for line in proc.stdout:
            words = line.split()
            if words == ["ready"]:
                break
            assert len(words) == 2, "unexpected banner line %r" % line
            banner[words[0]] = words[1]
        else:
            raise AssertionError("run.sh exited early: " + proc.stderr.read())
        assert banner.get("user") == "demo", banner
        password = banner["password"]
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # make run's certificate is self-signed
        host, port = banner["imaps"].rsplit(":", 1)
        m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
        assert m.login("demo", password)[0] == "OK"
        assert m.select("INBOX")[0] == "OK"
        m.logout()
        host, port = banner["imap"].rsplit(":", 1)
        m = imaplib.IMAP4(host, int(port))
        assert m.starttls(ssl_context=ctx)[0] == "OK"
        assert m.login("demo", password)[0] == "OK"
        m.logout()
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, proc.returncode
        assert "stopped" in rest, rest
        print("make run: banner, logins over imaps and STARTTLS, clean stop")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
