"""What an operator sees of a running slotd: the Prometheus endpoint
(doc/metrics.md), the event lines of its log (doc/logging.md), the fail2ban
filter applied to those real lines (doc/fail2ban/slotmail.conf), and
`--version` of slotd and mailctl.

One slotd serves everything; setUpClass drives it through a failed and a
successful login (plain IMAP), an implicit-TLS session, a malformed command,
a login whose user name tries to forge a peer address, and an LMTP delivery
with Python's smtplib.LMTP. The tests then read what it reported."""
import imaplib
import os
import re
import smtplib
import ssl
import subprocess
import unittest
import urllib.error
import urllib.request

import slotlib

WRONG_PASSWORD = "wrong-pw-7f3a"
FORGED_USER = "x peer=10.9.9.9"  # sent quoted: imaplib quotes only the password
FILTER = os.path.join(os.path.dirname(__file__), "..", "..", "doc", "fail2ban", "slotmail.conf")
MSG = b"From: bob@example.org\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
ISO_STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
# The dates fail2ban finds and cuts: slotd's own (stderr) and syslog's.
DATE = re.compile(r"^(?:%s|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)" % ISO_STAMP)


def fail2ban_regex():
    """The filter's failregex as a Python regex: <HOST> becomes a group for
    an IP address, as fail2ban's own expansion captures one."""
    with open(FILTER) as f:
        for line in f:
            if line.startswith("failregex"):
                rx = line.split("=", 1)[1].strip()
                return re.compile(rx.replace("<HOST>", r"(?P<host>[0-9A-Fa-f.:]+)"))
    raise AssertionError("no failregex in " + FILTER)


def fail2ban_hosts(rx, lines):
    """The hosts fail2ban would count in `lines`: it cuts the date out of
    each line before matching, so this does too."""
    hosts = []
    for line in lines:
        m = rx.search(DATE.sub("", line, count=1))
        if m:
            hosts.append(m.group("host"))
    return hosts


def refused(fn, *args):
    """Calls fn(*args), which must fail with an IMAP NO or BAD."""
    try:
        fn(*args)
    except imaplib.IMAP4.error:
        return
    raise AssertionError("%s%r succeeded" % (fn.__name__, args))


class MetricsLoggingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=True, extra=["lmtp_listen = 127.0.0.1:0",
                                                 "metrics_listen = 127.0.0.1:0"])
        try:
            cls.drive()
        except BaseException:
            cls.slot.close()
            raise

    @classmethod
    def drive(cls):
        port = cls.slot.ports["imap"]
        m = imaplib.IMAP4("127.0.0.1", port)
        refused(m.login, "alice", WRONG_PASSWORD)
        m.login("alice", "secret")
        m.select("INBOX")
        m.noop()
        refused(m.xatom, "FROB")
        m.logout()
        m = imaplib.IMAP4("127.0.0.1", port)
        refused(m.login, '"%s"' % FORGED_USER, WRONG_PASSWORD)
        m.logout()
        tls = ssl.create_default_context(cafile=cls.slot.ca.ca_cert)
        m = imaplib.IMAP4_SSL("127.0.0.1", cls.slot.ports["imaps"], ssl_context=tls)
        m.login("alice", "secret")
        m.logout()
        lmtp = smtplib.LMTP("127.0.0.1", cls.slot.ports["lmtp"])
        failed = lmtp.sendmail("bob@example.org", ["alice@example.com"], MSG)
        if failed:
            raise AssertionError("LMTP refused %r" % failed)
        lmtp.quit()

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.slot.ports["metrics"], path)

    def scrape(self):
        """{'name{labels}': value} of every sample, and the raw text."""
        with urllib.request.urlopen(self.url("/metrics"), timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
            text = r.read().decode()
        samples = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)", line)
            self.assertIsNotNone(m, "not a sample line: %r" % line)
            samples[m.group(1)] = float(m.group(2))
        return samples, text

    def log_lines(self, *patterns):
        """The log's lines once every pattern matches one (connection_close
        lines come when slotd has seen the close)."""
        rxs = [re.compile(p) for p in patterns]
        return slotlib.wait_for(
            lambda: (lambda lines: lines if all(any(rx.search(l) for l in lines) for rx in rxs)
                     else None)(self.slot.stderr().splitlines()),
            what="log lines %r" % (patterns,))

    def test_counters_moved(self):
        s, text = self.scrape()
        self.assertGreaterEqual(s['slotmail_logins_total{mechanism="login",result="fail"}'], 2)
        self.assertGreaterEqual(s['slotmail_logins_total{mechanism="login",result="ok"}'], 2)
        self.assertGreaterEqual(s['slotmail_imap_commands_total{command="SELECT",result="ok"}'], 1)
        self.assertGreaterEqual(s['slotmail_imap_commands_total{command="other",result="bad"}'], 1)
        self.assertGreaterEqual(
            s['slotmail_imap_command_duration_seconds_count{command="SELECT"}'], 1)
        self.assertRegex(text, r'(?m)^slotmail_imap_command_duration_seconds_bucket'
                               r'\{command="SELECT",le="\+Inf"\} [1-9]')
        self.assertRegex(text, r'(?m)^slotmail_imap_command_duration_seconds_bucket'
                               r'\{command="LOGIN",le="0.001"\} \d+$')
        self.assertGreaterEqual(s['slotmail_lmtp_deliveries_total{outcome="delivered"}'], 1)
        self.assertGreaterEqual(s['slotmail_connections_total{protocol="imap"}'], 2)
        self.assertGreaterEqual(s['slotmail_connections_total{protocol="imaps"}'], 1)
        self.assertGreaterEqual(s['slotmail_connections_total{protocol="lmtp"}'], 1)
        self.assertGreater(s['slotmail_bytes_received_total{protocol="imap"}'], 0)
        self.assertGreater(s['slotmail_bytes_sent_total{protocol="lmtp"}'], 0)
        self.assertGreaterEqual(s['slotmail_protocol_errors_total{protocol="imap"}'], 1)
        self.assertGreaterEqual(s['slotmail_store_syncs_total{kind="group"}'], 1)
        self.assertEqual(s["slotmail_replication_lag_seconds"], 0)
        self.assertEqual(s["slotmail_replication_pending_users"], 0)
        self.assertIn("slotmail_worker_pool_queued", s)
        self.assertIn('slotmail_connections_open{protocol="imap"}', s)
        self.assertEqual(len([k for k in s if k.startswith("slotmail_build_info{")]), 1)

    def test_anything_but_get_metrics_is_404(self):
        for path, data in (("/", None), ("/metrics/x", None), ("/metricsx", None),
                           ("/metrics", b"x=1")):
            with self.subTest(path=path, post=data is not None):
                with self.assertRaises(urllib.error.HTTPError) as e:
                    urllib.request.urlopen(self.url(path), data=data, timeout=10)
                self.assertEqual(e.exception.code, 404)

    def test_event_lines(self):
        pre = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ slotd\[\d+\] "
        lines = self.log_lines(
            pre + r"warning event=login result=fail peer=127\.0\.0\.1 mech=login "
                  r"reason=bad_credentials user=alice$",
            pre + r"info event=login result=ok peer=127\.0\.0\.1 mech=login user=alice$",
            pre + r"info event=connection_open proto=imap peer=127\.0\.0\.1$",
            pre + r"info event=connection_close proto=imap peer=127\.0\.0\.1 user=alice tls=no "
                  r"duration=\d+\.\d{3} in=[1-9]\d* out=[1-9]\d* reason=logout$",
            pre + r"info event=connection_close proto=imaps peer=127\.0\.0\.1 user=alice "
                  r"tls=yes .* reason=logout$",
            pre + r'info event=protocol_error proto=imap peer=127\.0\.0\.1 user=alice '
                  r'reason="Unknown command FROB"$',
            pre + r'warning event=login result=fail peer=127\.0\.0\.1 mech=login '
                  r'reason=bad_credentials user="x peer=10\.9\.9\.9"$',
            pre + r"info event=delivery id=\S+ peer=127\.0\.0\.1 outcome=delivered size=[1-9]\d* "
                  r"from=bob@example\.org rcpt=alice@example\.com$",
            pre + r"info event=connection_close proto=lmtp peer=127\.0\.0\.1 tls=no .* reason=quit$")
        log = "\n".join(lines)
        self.assertNotIn(WRONG_PASSWORD, log)
        self.assertNotIn("secret", log)

    def test_fail2ban_filter_counts_exactly_the_failed_logins(self):
        lines = self.log_lines(r"event=login result=fail .*user=alice$",
                               r'event=login result=fail .*user="x peer=')
        rx = fail2ban_regex()
        failed = [l for l in lines if " event=login result=fail " in l]
        self.assertGreaterEqual(len(failed), 2)
        # Every failed login, and nothing else; the forged user name does
        # not move the ban to 10.9.9.9.
        self.assertEqual(fail2ban_hosts(rx, lines), ["127.0.0.1"] * len(failed))
        # The same events as syslog writes them (log_target = syslog).
        syslog = [re.sub("^" + ISO_STAMP + r" slotd\[(\d+)\] \w+ ",
                         r"Dec  3 14:02:11 mail1 slotd[\1]: ", l) for l in lines]
        self.assertEqual(fail2ban_hosts(rx, syslog), ["127.0.0.1"] * len(failed))

    def test_version(self):
        for program in ("slotd", "mailctl"):
            with self.subTest(program=program):
                r = subprocess.run([os.path.join(slotlib.BIN, program), "--version"],
                                   capture_output=True, text=True, timeout=10)
                self.assertEqual((r.returncode, r.stderr), (0, ""))
                self.assertRegex(r.stdout, r"^%s \S+ \(build: \S+, \S+ \S+.*, \w+ +\d+ \d{4}\)\n$"
                                 % program)


if __name__ == "__main__":
    unittest.main()
