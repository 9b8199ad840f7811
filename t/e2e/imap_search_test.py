#!/usr/bin/env python3
"""SEARCH and UID SEARCH against a real slotd, through Python's imaplib.

A mailbox of six messages (plain text, a multipart with a base64 text part
and a base64 attachment, RFC 2047 subjects in UTF-8 and ISO-8859-1, a
quoted-printable ISO-8859-1 body, a large message, different dates, zones
and flags, two \\Recent) is searched with a representative set of criteria;
every expected set was worked out by hand from the messages below. UIDs are
sequence numbers + 1 (the first message appended is expunged). Exits
non-zero on failure; slotd is stopped by PID and its directory removed.
"""
import base64
import datetime
import email.utils
import imaplib
import sys
import unittest

import slotlib

UTC = datetime.timezone.utc


def b64(text):
    return base64.encodebytes(text.encode("utf-8")).decode("ascii")


# Appended before SELECT and claimed by another session's SELECT (not
# \Recent for the searching session: RFC 3501 2.3.2).
M1 = """From: Alice <alice@example.com>
To: Bob <bob@example.org>
Subject: Lunch plans
Date: Tue, 01 Jul 2003 10:52:37 +0200
Message-ID: <m1@example.com>

Let's meet at noon.
"""

M2 = """From: Bob <bob@example.org>
To: alice@example.com
Subject: Report
Date: Mon, 11 Mar 2024 00:30:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

""" + b64("Grüße aus Москва\r\n") + """--XX
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

""" + b64("hidden treasure\r\n") + """--XX--
"""

M3 = """From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.fr>
To: alice@example.com
Cc: carol@example.net
Subject: =?UTF-8?B?w5xuw69jb2RlIEdyw7zDn2U=?=
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Der B=E4r tanzt.
"""

M4 = """From: carol@example.net
To: alice@example.com
Subject: Weekly digest
Date: Fri, 31 May 2024 22:00:00 -0400

""" + "".join("filler line number %d of the weekly digest\n" % i for i in range(100))

# Appended by another session after SELECT (\Recent for the searching one).
M5_TEMPLATE = """From: Bob <bob@example.org>
To: alice@example.com
Cc: Carol <carol@example.net>
Subject: Re: Lunch plans
Date: {date}
In-Reply-To: <m1@example.com>

Noon works. See you.
"""

M6 = """From: dave@example.com
Subject: =?ISO-8859-1?Q?caf=E9?=

Just a note.
"""


def internal(y, mo, d, h=0, mi=0, tz=UTC):
    return datetime.datetime(y, mo, d, h, mi, tzinfo=tz)


def login(slot):
    conn = imaplib.IMAP4("127.0.0.1", slot.ports["imap"])
    conn.login("alice", "secret")
    return conn


def append(conn, flags, when, text):
    date = imaplib.Time2Internaldate(when) if when is not None else None
    typ, data = conn.append("INBOX", flags, date, text.encode("utf-8"))
    assert typ == "OK", (typ, data)


def numbers(typ, data, modseq=None):
    """The numbers of the one untagged SEARCH. With `modseq` (a list), the
    value of a trailing "(MODSEQ n)" is appended to it (RFC 7162)."""
    assert typ == "OK", (typ, data)
    assert len(data) == 1, data
    text = (data[0] or b"").decode("ascii")
    if text.endswith(")") and "(MODSEQ " in text:
        text, _, tail = text.partition("(MODSEQ ")
        assert modseq is not None, data
        modseq.append(int(tail[:-1]))
    return [int(n) for n in text.split()]


class SearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        cls.conn = login(cls.slot)
        c = cls.conn
        append(c, None, None, "Subject: junk\n\nexpunged before the test\n")
        append(c, r"(\Seen)", internal(2003, 7, 2, 9), M1)
        append(c, r"(\Flagged $Work)", internal(2024, 3, 10, 23, 30), M2)
        append(c, r"(\Answered \Deleted)",
               internal(2024, 1, 15, 12, tz=datetime.timezone(datetime.timedelta(hours=1))), M3)
        append(c, None, internal(2024, 6, 1, 2), M4)
        # Another session is the first to select, so \Recent is its.
        first = login(cls.slot)
        assert first.select("INBOX")[0] == "OK"
        first.logout()
        typ, _ = c.select("INBOX")
        assert typ == "OK"
        assert c.store("1", "+FLAGS", r"(\Deleted)")[0] == "OK"
        assert c.uid("EXPUNGE", "1")[0] == "OK"  # M3 keeps its \Deleted
        # Two arrivals from another session: \Recent here after NOOP.
        cls.now = datetime.datetime.now(UTC)
        other = login(cls.slot)
        m5 = M5_TEMPLATE.format(date=email.utils.format_datetime(cls.now))
        append(other, r"(\Draft Todo)", None, m5)
        append(other, None, None, M6)
        other.logout()
        assert c.noop()[0] == "OK"

    @classmethod
    def tearDownClass(cls):
        try:
            cls.conn.logout()
        finally:
            cls.slot.close()

    def search(self, criteria, literal=None, charset=None):
        if literal is not None:
            self.conn.literal = literal.encode("utf-8")
        return numbers(*self.conn.search(charset, criteria))

    def uid_search(self, criteria, literal=None):
        if literal is not None:
            self.conn.literal = literal.encode("utf-8")
        return numbers(*self.conn.uid("SEARCH", criteria))

    def check(self, criteria, expected, **kw):
        self.assertEqual(self.search(criteria, **kw), expected, criteria)

    def test_sequence_and_uid_sets(self):
        self.check("ALL", [1, 2, 3, 4, 5, 6])
        self.check("2:4", [2, 3, 4])
        self.check("*", [6])
        self.check("5:*", [5, 6])
        self.check("UID 3:5", [2, 3, 4])
        self.check("UID *", [6])
        self.check("UID 1", [])  # expunged
        self.assertEqual(self.uid_search("ALL"), [2, 3, 4, 5, 6, 7])
        self.assertEqual(self.uid_search("1:2"), [2, 3])
        self.assertEqual(self.uid_search("UID 3:5"), [3, 4, 5])
        self.assertEqual(self.uid_search("UID *"), [7])

    def test_flags(self):
        self.check("SEEN", [1])
        self.check("UNSEEN", [2, 3, 4, 5, 6])
        self.check("FLAGGED", [2])
        self.check("ANSWERED", [3])
        self.check("DELETED", [3])
        self.check("UNDELETED", [1, 2, 4, 5, 6])
        self.check("DRAFT", [5])
        self.check("KEYWORD $work", [2])
        self.check("KEYWORD todo", [5])
        self.check("UNKEYWORD $Work", [1, 3, 4, 5, 6])
        self.check("RECENT", [5, 6])
        self.check("NEW", [5, 6])
        self.check("OLD", [1, 2, 3, 4])
        self.assertEqual(self.uid_search("FLAGGED"), [3])
        self.assertEqual(self.uid_search("DRAFT"), [6])

    def test_headers(self):
        self.check("FROM bob", [2, 5])
        self.check("FROM ALICE", [1])
        self.check("TO alice@example.com", [2, 3, 4, 5])
        self.check("CC carol", [3, 5])
        self.check("BCC alice", [])
        self.check("SUBJECT lunch", [1, 5])
        self.check('SUBJECT "weekly digest"', [4])
        self.check("SUBJECT", [3], literal="üNÏCODE grüße", charset="UTF-8")  # =?UTF-8?B?
        self.check("SUBJECT", [6], literal="CAFÉ", charset="UTF-8")  # =?ISO-8859-1?Q?
        self.check("FROM", [3], literal="René", charset="UTF-8")
        self.check("HEADER In-Reply-To <m1@example.com>", [5])
        self.check('HEADER Message-ID ""', [1])
        self.assertEqual(self.uid_search("SUBJECT lunch"), [2, 6])

    def test_body_and_text(self):
        self.check("BODY noon", [1, 5])
        self.check("BODY", [2], literal="МОСКВА", charset="UTF-8")  # base64 part
        self.check("BODY treasure", [])  # the attachment is not text
        self.check("BODY", [3], literal="bär tanzt", charset="UTF-8")  # QP ISO-8859-1
        self.check("BODY lunch", [])
        self.check("TEXT lunch", [1, 5])
        self.check('TEXT "filler line number 42 "', [4])
        self.check("TEXT", [3], literal="Ünïcode", charset="UTF-8")

    def test_dates_and_sizes(self):
        today = self.now.strftime("%d-%b-%Y")
        self.check("BEFORE 1-Jan-2024", [1])
        self.check("ON 10-Mar-2024", [2])
        self.check("ON 11-Mar-2024", [])
        self.check("ON 15-Jan-2024", [3])  # 12:00 +0100 is 11:00 UTC
        self.check("ON 1-Jun-2024", [4])
        self.check("SINCE " + today, [5, 6])
        self.check("SENTON 11-Mar-2024", [2])  # the Date: header's own zone
        self.check("SENTON 31-May-2024", [4])
        self.check("SENTON 15-Jan-2024", [3])  # no Date: the internal date
        self.check("SENTBEFORE 1-Jan-2004", [1])
        self.check("SENTSINCE 1-Jun-2024", [5, 6])
        self.check("YOUNGER 3600", [5, 6])
        self.check("OLDER 3600", [1, 2, 3, 4])
        self.check("LARGER 3000", [4])
        self.check("SMALLER 3000", [1, 2, 3, 5, 6])
        modseq = []
        self.assertEqual(numbers(*self.conn.search(None, "MODSEQ 1"), modseq=modseq),
                         [1, 2, 3, 4, 5, 6])
        self.assertEqual(len(modseq), 1)  # the highest among them...
        top = numbers(*self.conn.search(None, "MODSEQ", str(modseq[0])), modseq=modseq)
        self.assertTrue(top, "a message has the reported modseq")
        self.assertEqual(modseq[1], modseq[0])
        del modseq[1:]
        self.assertEqual(numbers(*self.conn.search(None, "FLAGGED MODSEQ", str(modseq[0] + 1)),
                                 modseq=modseq), [])  # none found: no (MODSEQ ...)
        self.assertEqual(len(modseq), 1)
        self.check("MODSEQ 9223372036854775807", [])

    def test_boolean_combinations(self):
        self.check("OR FLAGGED DRAFT", [2, 5])
        self.check("NOT OR SEEN RECENT", [2, 3, 4])
        self.check("OR (FROM bob SEEN) (BODY noon NOT SEEN)", [5])
        self.check("UNSEEN NOT DELETED SINCE 1-Jan-2024", [2, 4, 5, 6])
        self.check("OR SUBJECT report (2:4 LARGER 3000)", [2, 4])
        self.assertEqual(self.uid_search("OR FLAGGED DRAFT"), [3, 6])

    def test_errors(self):
        typ, data = self.conn.search("KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[BADCHARSET", data[0])
        for bad in ("FOO", "SINCE 32-Jan-2024", "RETURN (FROB) ALL", "RETURN ALL", "$,"):
            with self.assertRaises(imaplib.IMAP4.error, msg=bad):
                self.conn.search(None, bad)
        self.check("SEEN", [1])  # the session carries on


class ViewTest(unittest.TestCase):
    """A message the session has not been told about is not in the result."""

    def test_unannounced_message_is_not_searched(self):
        with slotlib.Slot(tls=False) as slot:
            conn = login(slot)
            append(conn, None, None, "Subject: one\n\nbody\n")
            self.assertEqual(conn.select("INBOX")[0], "OK")
            other = login(slot)
            append(other, None, None, "Subject: two\n\nbody\n")
            other.logout()
            # The first command after the APPEND still has the old view
            # (its end reports EXISTS, as NOOP would).
            self.assertEqual(numbers(*conn.uid("SEARCH", "OR ALL SUBJECT two")), [1])
            conn.noop()
            self.assertEqual(numbers(*conn.search(None, "ALL")), [1, 2])
            self.assertEqual(numbers(*conn.uid("SEARCH", "SUBJECT two")), [2])
            conn.logout()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
