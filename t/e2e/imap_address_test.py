#!/usr/bin/env python3
"""Issue 14 point 7: ENVELOPE, SEARCH FROM/TO/CC/BCC and SORT
FROM/TO/CC/DISPLAYFROM/DISPLAYTO read addresses the same way (RFC 5322 3.4
and the obsolete forms of 4.4): a comment inside an addr-spec is CFWS, a
comment after the address names it, groups are syntax around mailboxes, an
address without a domain is still an address. Against a real slotd through
Python's imaplib. Exits non-zero on failure; slotd is stopped by PID.
"""
import imaplib
import sys
import unittest

import slotlib

# (From, To, Cc); each appended to INBOX in this order (sequence numbers 1-4).
MESSAGES = [
    ("<user (c)@ (c) domain.org>", "g: a@x, b@y;", "(c) <c (x)@d>"),
    ("zed@x.org (Real Name)", "g:;, Carl <carl@z>", None),
    ("nodomain", '"Doe, John" <john@x.org>', None),
    ("=?UTF-8?Q?=C3=89mile?= <emile@x>", "<zoe (c)@ x>", None),
]


def message(i, from_, to, cc):
    head = "From: %s\r\nTo: %s\r\n" % (from_, to)
    if cc:
        head += "Cc: %s\r\n" % cc
    return (head + "Subject: m%d\r\n\r\nbody\r\n" % i).encode()


class Addresses(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        cls.c = imaplib.IMAP4("127.0.0.1", cls.slot.ports["imap"])
        cls.c.login("alice", "secret")
        for i, fields in enumerate(MESSAGES, 1):
            typ, data = cls.c.append("INBOX", None, None, message(i, *fields))
            assert typ == "OK", (typ, data)
        cls.c.select("INBOX")

    @classmethod
    def tearDownClass(cls):
        cls.c.logout()
        cls.slot.close()

    def envelope(self, n):
        typ, data = self.c.fetch(str(n), "(ENVELOPE)")
        self.assertEqual(typ, "OK", data)
        return data[0].decode("utf-8") if isinstance(data[0], bytes) else data[0][0].decode()

    def search(self, *criteria, literal=None, charset=None):
        self.c.literal = literal  # sent as a literal after the criteria
        typ, data = self.c.search(charset, *criteria)
        self.assertEqual(typ, "OK", data)
        return [int(n) for n in data[0].split()]

    def sort(self, key):
        typ, data = self.c.sort("(%s)" % key, "UTF-8", "ALL")
        self.assertEqual(typ, "OK", data)
        return [int(n) for n in data[0].split()]

    def test_envelope(self):
        # RFC 3501 7.4.2: group start (NIL NIL name NIL), end (NIL NIL NIL NIL).
        e = self.envelope(1)
        self.assertIn('"m1" ((NIL NIL "user" "domain.org"))', e)
        self.assertIn('((NIL NIL "g" NIL)(NIL NIL "a" "x")(NIL NIL "b" "y")(NIL NIL NIL NIL))'
                      ' ((NIL NIL "c" "d"))', e)
        e = self.envelope(2)
        self.assertIn('(("Real Name" NIL "zed" "x.org"))', e)
        self.assertIn('((NIL NIL "g" NIL)(NIL NIL NIL NIL)("Carl" NIL "carl" "z"))', e)
        self.assertIn('((NIL NIL "nodomain" "MISSING_DOMAIN"))', self.envelope(3))
        self.assertIn('((NIL NIL "zoe" "x"))', self.envelope(4))

    def test_search_matches_parsed_addresses(self):
        # RFC 3501 6.4.4: the address (and display name) is matched, not the
        # comments and quoting it was written with.
        self.assertEqual(self.search("FROM", "user@domain.org"), [1])
        self.assertEqual(self.search("FROM", '"(c)"'), [])
        self.assertEqual(self.search("FROM", '"real name"'), [2])
        self.assertEqual(self.search("FROM", "zed@x.org"), [2])
        self.assertEqual(self.search("FROM", "nodomain"), [3])
        self.assertEqual(self.search("TO", "b@y"), [1])
        self.assertEqual(self.search("TO", "carl@z"), [2])
        self.assertEqual(self.search("TO", '"Doe, John <john@x.org>"'), [3])
        self.assertEqual(self.search("TO", "zoe@x"), [4])
        self.assertEqual(self.search("CC", "c@d"), [1])
        self.assertEqual(self.search("FROM", literal="\xc9mile".encode(), charset="UTF-8"), [4])

    def test_sort_by_first_mailbox(self):
        # RFC 5256 3: addr-mailbox of the first mailbox, group syntax skipped:
        # FROM EMILE NODOMAIN USER ZED; TO A CARL JOHN ZOE; CC only 1 has one.
        self.assertEqual(self.sort("FROM"), [4, 3, 1, 2])
        self.assertEqual(self.sort("TO"), [1, 2, 3, 4])
        self.assertEqual(self.sort("CC"), [2, 3, 4, 1])

    def test_sort_by_display_name(self):
        # RFC 5957 3: decoded display name, else the addr-spec. DISPLAYFROM:
        # NODOMAIN, REAL NAME, USER@DOMAIN.ORG, then "\xc3\x89MILE" (UTF-8
        # bytes sort after ASCII). DISPLAYTO: A@X CARL "DOE, JOHN" ZOE@X.
        self.assertEqual(self.sort("DISPLAYFROM"), [3, 2, 1, 4])
        self.assertEqual(self.sort("DISPLAYTO"), [1, 2, 3, 4])


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
