"""Test harness for the front door (doc/front.md): slotdir and a private
nginx (IMAP with STARTTLS, IMAPS, POP3) in front of a Cluster.

    c = Cluster("127.0.0.181")
    f = Front(c, "127.0.0.184")   # slotdir + nginx on .184, fixed ports below
    imaplib.IMAP4(f.address, f.imap) ...
    f.close()                     # nginx and slotdir stopped by PID

nginx missing is an error, not a skip: `make test` installs it
(scripts/deps.sh).
"""
import os
import shutil
import signal
import socket
import subprocess
import threading

from clusterlib import REPO
from slotlib import BIN, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
IMAP, IMAPS, POP3, AUTH = 10143, 10993, 10110, 10180  # the front's ports on its address
START_TIMEOUT = 20.0


def stop_pid(proc, timeout=10):
    """SIGTERM, then SIGKILL after timeout; reaps."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Slotdir:
    """bin/slotdir for a cluster on `address`: .http and .socketmap ports are
    the kernel's choice at the first start, and the same after a restart."""

    def __init__(self, cluster, address, log_path=None):
        self.cluster, self.address = cluster, address
        self.log_path = log_path or os.path.join(cluster.tmp, "logs", "slotdir.log")
        self.proc = None
        self.http = self.socketmap = 0
        self.start()

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "slotdir"), "--cluster", self.cluster.production,
             "--local", self.cluster.local, "--http", "%s:%d" % (self.address, self.http),
             "--socketmap", "%s:%d" % (self.address, self.socketmap)],
            stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        banner, done = {}, threading.Event()

        def read():
            for line in self.proc.stdout:
                if line.strip() == "ready":
                    break
                k, v = line.split()
                banner[k] = int(v)
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(START_TIMEOUT) or "http" not in banner or self.proc.poll() is not None:
            self.stop()
            raise AssertionError("slotdir did not get ready (log: %s)" % self.log_path)
        self.http, self.socketmap = banner["http"], banner["socketmap"]

    def stop(self):
        stop_pid(self.proc)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


class Front:
    """slotdir and nginx in front of `cluster`, both on `address`."""

    def __init__(self, cluster, address):
        if not os.path.exists(NGINX):
            raise AssertionError("nginx is not installed: run scripts/deps.sh as root "
                                 "(it installs nginx and libnginx-mod-mail)")
        self.cluster, self.address = cluster, address
        self.imap, self.imaps, self.pop3 = IMAP, IMAPS, POP3
        self.dir = os.path.join(cluster.tmp, "front")
        self.tls = os.path.join(self.dir, "tls")
        self.nginx = self.slotdir = None
        try:
            os.makedirs(self.dir)
            subprocess.run([os.path.join(REPO, "scripts", "cluster-tls.sh"), self.tls, address],
                           check=True, capture_output=True)
            self.ca = os.path.join(self.tls, "ca.pem")
            self.slotdir = Slotdir(cluster, address, os.path.join(self.dir, "slotdir.log"))
            subprocess.run(
                [os.path.join(REPO, "scripts", "front-conf.py"), self.dir,
                 "--slotdir", "%s:%d" % (address, self.slotdir.http), "--listen", address,
                 "--imap", str(IMAP), "--imaps", str(IMAPS), "--pop3", str(POP3),
                 "--auth", str(AUTH), "--cert", os.path.join(self.tls, "cert.pem"),
                 "--key", os.path.join(self.tls, "key.pem")], check=True)
            self.start_nginx()
        except BaseException:
            self.close()
            raise

    def start_nginx(self):
        conf = os.path.join(self.dir, "nginx.conf")
        log = open(os.path.join(self.dir, "nginx.stderr"), "a")
        self.nginx = subprocess.Popen([NGINX, "-p", self.dir, "-c", conf, "-g", "daemon off;"],
                                      stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def listening():
            if self.nginx.poll() is not None:
                raise AssertionError("nginx exited with %d: %s" % (self.nginx.returncode,
                                                                   self.errors()))
            for port in (IMAP, IMAPS, POP3, AUTH):
                try:
                    socket.create_connection((self.address, port), timeout=1).close()
                except OSError:
                    return False
            return True

        wait_for(listening, timeout=START_TIMEOUT, what="nginx to listen")

    def errors(self):
        text = ""
        for name in ("nginx.stderr", "error.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def close(self):
        stop_pid(self.nginx)
        if self.slotdir is not None:
            self.slotdir.stop()
