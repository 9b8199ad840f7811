"""IMAP4rev2 (RFC 9051) after ENABLE IMAP4rev2, and UTF8=ACCEPT (RFC 9755),
against a real slotd, side by side with an IMAP4rev1 session that must see
what it always saw: ENABLE (RFC 5161), SELECT without RECENT and UNSEEN but
with LIST, [CLOSED] on reselect, no \\Recent anywhere, ESEARCH for plain
SEARCH, STATUS RECENT refused, UTF-8 mailbox names and quoted strings."""
import re
import sys
import unittest

import slotlib

MSG = b"From: a@example.com\r\nSubject: plain\r\n\r\nbody\r\n"
UTF8_MSG = ("From: Jörg <jörg@example.com>\r\nSubject: Grüße, 日本\r\n\r\nbody\r\n").encode()
NAME = "Über/日本語"  # UTF-8 on the wire under IMAP4rev2
MUTF7 = "&ANw-ber/&ZeVnLIqe-"  # the same name as IMAP4rev1 spells it


class Rev2(slotlib.MailboxPerTest):
    def append(self, c, box, body=MSG, flags=b""):
        if flags:
            flags += b" "
        _, tagged = c.run(b'APPEND "%s" %s{%d+}\r\n%s' % (box.encode(), flags, len(body), body))
        self.assertTrue(tagged.startswith(b"OK"), tagged)
        return int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))

    def test_capabilities(self):
        caps = self.session().m.capabilities
        for cap in ("IMAP4REV1", "IMAP4REV2", "ENABLE", "ESEARCH", "SEARCHRES", "BINARY",
                    "UTF8=ACCEPT", "LITERAL+", "UNSELECT", "UIDPLUS", "MOVE", "IDLE",
                    "NAMESPACE", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "STATUS=SIZE"):
            self.assertIn(cap, caps)

    def test_enable(self):
        c = self.session()
        self.assertEqual(c.ok("ENABLE FROB imap4rev2 IMAP4rev2 X-NONE"),
                         [b"* ENABLED IMAP4rev2"])
        self.assertEqual(c.ok("ENABLE IMAP4rev2 UTF8=ACCEPT"), [b"* ENABLED UTF8=ACCEPT"])
        self.assertEqual(c.ok("ENABLE IMAP4rev2"), [b"* ENABLED"])
        self.assertEqual(c.ok("ENABLE FROB"), [b"* ENABLED"])
        c.bad("ENABLE")
        c.bad('ENABLE "IMAP4rev2"')
        fresh = slotlib.RawImap(self.slot, login=False)
        self.addCleanup(fresh.close)
        fresh.bad("ENABLE IMAP4rev2")  # not before login

    def test_select_without_recent_and_unseen_but_with_list(self):
        c1 = self.session()
        c1.ok("CREATE " + self.box)
        self.append(c1, self.box, flags=b"(\\Seen)")
        self.append(c1, self.box)
        lines = c1.ok("SELECT " + self.box)
        self.assertIn(b"* 2 RECENT", lines)  # the first to select (RFC 3501 2.3.2)
        self.assertIn(b"* OK [UNSEEN 2] First unseen", lines)
        self.assertFalse([l for l in lines if l.startswith(b"* LIST")])
        c2 = self.session("IMAP4rev2")
        lines = c2.ok("SELECT " + self.box)
        self.assertIn(b"* 2 EXISTS", lines)
        self.assertIn(b'* LIST (\\HasNoChildren) "/" "%s"' % self.box.encode(), lines)
        self.assertFalse([l for l in lines if b"RECENT" in l or b"UNSEEN" in l], lines)
        self.assertIn(b"UIDVALIDITY", b" ".join(lines))
        lines = c2.ok("EXAMINE INBOX")
        self.assertIn(b'* LIST (\\HasNoChildren) "/" "INBOX"', lines)

    def test_closed_on_reselect_only_under_rev2(self):
        c1 = self.session()
        c1.ok("CREATE " + self.box)
        c1.ok("SELECT INBOX")
        lines = c1.ok("SELECT " + self.box)
        self.assertFalse([l for l in lines if b"CLOSED" in l])
        c2 = self.session("IMAP4rev2")
        lines = c2.ok("SELECT INBOX")  # nothing was selected
        self.assertFalse([l for l in lines if b"CLOSED" in l])
        lines = c2.ok("EXAMINE " + self.box)
        self.assertTrue(lines[0].startswith(b"* OK [CLOSED]"), lines)
        # A failing SELECT closes the old mailbox too, and says so.
        lines, tagged = c2.run("SELECT NoSuchBox")
        self.assertTrue(tagged.startswith(b"NO"), tagged)
        self.assertTrue(lines[0].startswith(b"* OK [CLOSED]"), lines)
        c2.bad("FETCH 1 FLAGS")  # nothing selected now
        lines = c2.ok("SELECT INBOX")
        self.assertFalse([l for l in lines if b"CLOSED" in l])

    def test_no_recent_anywhere(self):
        rev1 = self.session()
        rev1.ok("CREATE " + self.box)
        self.append(rev1, self.box)
        rev2 = self.session("IMAP4rev2")
        rev1.ok("SELECT " + self.box)
        rev2.ok("SELECT " + self.box)
        # A message arrives while both have the mailbox selected.
        self.append(self.session(), self.box)
        lines1 = rev1.ok("NOOP")
        lines2 = rev2.ok("NOOP")
        # rev1 selected first: both messages are recent there.
        self.assertEqual(lines1, [b"* 2 EXISTS", b"* 2 RECENT"])
        self.assertEqual(lines2, [b"* 2 EXISTS"])
        self.assertEqual(rev1.ok("FETCH 2 FLAGS"), [b"* 2 FETCH (FLAGS (\\Recent))"])
        self.assertEqual(rev2.ok("FETCH 2 FLAGS"), [b"* 2 FETCH (FLAGS ())"])
        self.assertEqual(rev1.ok("STORE 2 +FLAGS (\\Flagged)"),
                         [b"* 2 FETCH (FLAGS (\\Flagged \\Recent))"])
        self.assertEqual(rev2.ok("STORE 2 +FLAGS (\\Answered)"),
                         [b"* 2 FETCH (FLAGS (\\Answered \\Flagged))"])
        # Unsolicited flag updates carry no \Recent either.
        self.assertEqual(rev2.ok("NOOP"), [])
        self.assertEqual(rev1.ok("NOOP"), [b"* 2 FETCH (FLAGS (\\Answered \\Flagged \\Recent))"])
        rev1.ok("STORE 1 +FLAGS.SILENT (\\Seen)")
        self.assertEqual(rev2.ok("NOOP"), [b"* 1 FETCH (FLAGS (\\Seen))"])
        # SEARCH RECENT finds nothing: no message is recent in IMAP4rev2.
        self.assertEqual(rev1.ok("SEARCH RECENT"), [b"* SEARCH 1 2"])
        self.assertEqual(rev2.ok("SEARCH RECENT"),
                         [b'* ESEARCH (TAG "%s")' % rev2.last_tag])
        self.assertEqual(rev2.ok("FETCH 1:* (FLAGS)"),
                         [b"* 1 FETCH (FLAGS (\\Seen))",
                          b"* 2 FETCH (FLAGS (\\Answered \\Flagged))"])

    def test_enable_after_select_stops_recent(self):
        c = self.session()
        c.ok("CREATE " + self.box)
        c.ok("SELECT " + self.box)
        self.append(self.session(), self.box)
        self.assertEqual(c.ok("NOOP"), [b"* 1 EXISTS", b"* 1 RECENT"])
        # RFC 5161 says clients should not; we do not refuse it.
        self.assertEqual(c.ok("ENABLE IMAP4rev2"), [b"* ENABLED IMAP4rev2"])
        self.assertEqual(c.ok("FETCH 1 FLAGS"), [b"* 1 FETCH (FLAGS ())"])

    def test_search_answers_esearch(self):
        c = self.session("IMAP4rev2")
        c.ok("CREATE " + self.box)
        uids = [self.append(c, self.box, flags=f) for f in (b"", b"(\\Flagged)", b"(\\Flagged)")]
        c.ok("SELECT " + self.box)
        tag = lambda: c.last_tag
        lines = c.ok("SEARCH FLAGGED")
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") ALL 2:3' % tag()])
        lines = c.ok("UID SEARCH ALL")
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") UID ALL %d:%d' % (tag(), uids[0], uids[2])])
        lines = c.ok("SEARCH DELETED")
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s")' % tag()])
        lines = c.ok("SEARCH RETURN (COUNT) ALL")
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") COUNT 3' % tag()])
        self.assertEqual(c.ok("SEARCH RETURN (SAVE) FLAGGED"), [])
        lines = c.ok("UID FETCH $ (UID)")
        self.assertEqual(len(lines), 2)
        # UTF-8 search strings may be quoted now.
        self.append(c, self.box, body=UTF8_MSG)
        c.ok("NOOP")
        lines = c.ok('SEARCH SUBJECT "grüße"')
        self.assertEqual(lines, [b'* ESEARCH (TAG "%s") ALL 4' % tag()])

    def test_status_recent_refused(self):
        rev1 = self.session()
        lines = rev1.ok("STATUS INBOX (MESSAGES RECENT)")
        self.assertIn(b"RECENT 0", lines[0])
        c = self.session("IMAP4rev2")
        c.bad("STATUS INBOX (MESSAGES RECENT)")
        c.bad('LIST "" "INBOX" RETURN (STATUS (RECENT))')
        lines = c.ok("STATUS INBOX (MESSAGES UIDNEXT UNSEEN SIZE DELETED)")
        self.assertTrue(lines[0].startswith(b'* STATUS "INBOX" (MESSAGES '), lines)

    def test_utf8_mailbox_names_round_trip(self):
        c = self.session("IMAP4rev2")
        rev1 = self.session()
        name = NAME.encode()
        c.ok(b'CREATE "%s"' % name)
        c.ok(b'CREATE "a&b"')  # '&' is just a character in UTF-8 names
        lines = c.ok(b'LIST "" "%s"' % name)
        self.assertEqual(lines, [b'* LIST (\\HasNoChildren) "/" "%s"' % name])
        lines = c.ok('LIST "" "Über"')
        self.assertEqual(lines, [b'* LIST (\\HasChildren) "/" "%s"' % "Über".encode()])
        self.assertEqual(c.ok('LIST "" "a&b"'), [b'* LIST (\\HasNoChildren) "/" "a&b"'])
        # The IMAP4rev1 session sees the same mailboxes in modified UTF-7.
        self.assertEqual(rev1.ok('LIST "" "%s"' % MUTF7),
                         [b'* LIST (\\HasNoChildren) "/" "%s"' % MUTF7.encode()])
        self.assertEqual(rev1.ok('LIST "" "a&-b"'), [b'* LIST (\\HasNoChildren) "/" "a&-b"'])
        rev1.bad(b'CREATE "%s"' % name)  # 8-bit in a rev1 quoted string
        # Names as literals, APPEND with UTF-8 headers, STATUS, SELECT, RENAME.
        uid = self.append(c, NAME, body=UTF8_MSG)
        lines = c.ok(b"STATUS {%d+}\r\n%s (MESSAGES)" % (len(name), name))
        self.assertEqual(lines, [b'* STATUS "%s" (MESSAGES 1)' % name])
        lines = c.ok(b'SELECT "%s"' % name)
        self.assertIn(b'* LIST (\\HasNoChildren) "/" "%s"' % name, lines)
        lines = c.ok("UID FETCH %d BODY.PEEK[HEADER.FIELDS (SUBJECT)]" % uid)
        self.assertIn("Subject: Grüße, 日本".encode(), lines[0])
        c.ok(b'RENAME "%s" "%s-2"' % (name, name))
        self.assertEqual(rev1.ok('LIST "" "&ANw-ber/%-2"'),
                         [b'* LIST (\\HasNoChildren) "/" "%s-2"' % MUTF7.encode()])
        c.ok(b'SUBSCRIBE "%s-2"' % name)
        self.assertEqual(c.ok('LSUB "" "Über/*"'), [b'* LSUB () "/" "%s-2"' % name])
        lines = c.ok('GETQUOTAROOT "%s-2"' % NAME)
        self.assertTrue(lines[0].startswith(b'* QUOTAROOT "%s-2"' % name), lines)
        # Broken UTF-8 is refused, quoted or as a literal.
        c.bad(b'CREATE "bad\xc3("')
        c.bad(b"CREATE {4+}\r\nbad\xff")

    def test_utf8_accept_alone(self):
        # UTF8=ACCEPT without IMAP4rev2: UTF-8 names, but rev1 otherwise.
        c = self.session("UTF8=ACCEPT")
        c.ok(b'CREATE "%s-x"' % NAME.encode())
        self.assertEqual(c.ok(b'LIST "" "%s-x"' % NAME.encode()),
                         [b'* LIST (\\HasNoChildren) "/" "%s-x"' % NAME.encode()])
        lines = c.ok("SELECT INBOX")
        self.assertIn(b"* 0 RECENT", lines)
        self.assertEqual(c.ok("SEARCH DELETED"), [b"* SEARCH"])
        # RFC 6855's UTF8 (literal8) APPEND data item.
        _, tagged = c.run(b"APPEND INBOX UTF8 (~{%d+}\r\n%s)" % (len(UTF8_MSG), UTF8_MSG))
        self.assertTrue(tagged.startswith(b"OK [APPENDUID"), tagged)
        rev1 = self.session()
        rev1.bad(b"APPEND INBOX UTF8 (~{%d+}\r\n%s)" % (len(MSG), MSG))

    def test_list_per_rfc9051(self):
        c = self.session("IMAP4rev2")
        c.ok("CREATE %s/child" % self.box)
        c.ok("SUBSCRIBE %s/gone" % self.box)
        lines = c.ok('LIST (SUBSCRIBED) "" "%s/*"' % self.box)
        self.assertEqual(lines, [b'* LIST (\\NonExistent \\Subscribed) "/" "%s/gone"' %
                                 self.box.encode()])
        lines = c.ok('LIST "" "%s*"' % self.box)
        self.assertEqual(lines, [b'* LIST (\\HasChildren) "/" "%s"' % self.box.encode(),
                                 b'* LIST (\\HasNoChildren) "/" "%s/child"' % self.box.encode()])
        self.assertEqual(c.ok('LIST "" ""'), [b'* LIST (\\Noselect) "/" ""'])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
