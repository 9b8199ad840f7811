#!/usr/bin/env python3
"""make run's second half (called by scripts/run.sh once every slot said
"ready"): finds each store's master and its users over the control channel
(`mailctl status --json`, `mailctl --store S user list`), delivers a welcome
message over LMTP to each demo user that has none yet, and prints the banner
lines after the password:

    imap HOST:PORT          \\
    imaps HOST:PORT          > of the slot serving the first user (demo)
    lmtp HOST:PORT          /
    store NAME master SLOT imap HOST:PORT lmtp HOST:PORT    (one per store)

usage: run-welcome.py VAR MAILCTL-WORD... -- USER...

The welcome goes out once per VAR directory and user: VAR/welcome-sent-USER is
written only after the 250 reply, and a repeat (the marker lost between the
250 and its write) is the same message byte for byte, kept in
VAR/welcome-USER.eml, with the same sender and fixed Message-ID, which
slotd drops as a duplicate (doc/lmtp.md "Duplicate suppression"). Problems go to stderr; the exit code is non-zero
only if the banner cannot be made (a store's master is not up)."""
import email.utils
import json
import os
import smtplib
import subprocess
import sys


def welcome_text(user, var, imap, imaps, lmtp):
    return f"""\
From: slotmail demo <postmaster@localhost>
To: {user} <{user}@localhost>
Subject: Welcome to your slotmail demo
Date: {email.utils.formatdate(localtime=True)}
Message-ID: <welcome.{user}@slotmail.localhost>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello {user},

this message came in over LMTP from make run, so delivery into the cluster
works. Your mail lives in one store of the example cluster; its master slot
serves you at

  IMAP with STARTTLS:  {imap}
  IMAP over TLS:       {imaps}

Log in as "{user}" with the password in {var}/{user}-password.
The server's certificate is signed by the cluster CA in {var}/tls/ca.pem
(trust that file, and the certificate names the address above).

More mail can come in over LMTP at {lmtp}, from an MTA such as Postfix
(see doc/lmtp.md) or a script (Python's smtplib.LMTP).

`bin/mailctl status` shows the whole cluster.

-- slotmail
"""


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        sys.exit("run.sh: cannot run %s: %s" % (cmd[0], e))


def main():
    args = sys.argv[1:]
    var = args[0]
    sep = args.index("--")
    mailctl, users = args[1:sep], args[sep + 1:]

    out = run(mailctl + ["status", "--json"])
    try:
        status = json.loads(out.stdout)
    except ValueError:
        sys.exit("run.sh: mailctl status --json gave no JSON: " + out.stderr.strip())
    for problem in status.get("problems", []):
        print("run.sh: mailctl status: problem:", problem, file=sys.stderr)
    slots = {s["slot"]: s for s in status["slots"]}

    where = {}  # user -> the master slot's status of the store holding it
    lines = []
    for store in status["stores"]:
        master = slots.get(store["master"])
        if not master or not master.get("up"):
            sys.exit("run.sh: store %s: its master %s is not up" % (store["name"], store["master"]))
        lines.append("store %s master %s imap %s lmtp %s" %
                     (store["name"], master["slot"], master["imap"], master["lmtp"]))
        listed = run(mailctl + ["--store", store["name"], "user", "list"])
        if listed.returncode != 0:
            sys.exit("run.sh: user list of store %s: %s" % (store["name"], listed.stderr.strip()))
        for user in listed.stdout.split():
            where[user] = master

    for user in users:
        master = where.get(user)
        if master is None:
            sys.exit("run.sh: no store lists user %s" % user)
        marker = os.path.join(var, "welcome-sent-" + user)
        if os.path.exists(marker):
            continue
        host, port = master["lmtp"].rsplit(":", 1)
        saved = os.path.join(var, "welcome-%s.eml" % user)
        if os.path.exists(saved):
            with open(saved) as f:
                text = f.read()
        else:
            text = welcome_text(user, var, master["imap"], master["imaps"], master["lmtp"])
            with open(saved, "w") as f:
                f.write(text)
        try:
            with smtplib.LMTP(host, int(port)) as c:
                c.sendmail("postmaster@localhost", [user + "@localhost"],
                           text.replace("\n", "\r\n"))
        except (OSError, smtplib.SMTPException) as e:
            print("run.sh: the welcome message to %s was not delivered (%s); the next run "
                  "tries again" % (user, e), file=sys.stderr)
            continue
        open(marker, "w").close()

    first = where[users[0]]
    print("imap", first["imap"])
    print("imaps", first["imaps"])
    print("lmtp", first["lmtp"])
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
