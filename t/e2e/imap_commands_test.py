"""Every RFC 3501 command (and the extensions slotd advertises) through
Python's imaplib against a real slotd."""
import imaplib
import re
import sys
import unittest

import slotlib

MSG1 = (b"From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: hello\r\n"
        b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@example.com>\r\n\r\n"
        b"first body\r\n")
MSG2 = (b"From: carl@example.com\r\nSubject: multi\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\npart one\r\n"
        b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"AAEC\r\n--XX--\r\n")


class ImapCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(users=[("alice", "secret"), ("bob", "other")])

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def assertBad(self, fn, *args):
        """imaplib raises on a tagged BAD; check that it was a BAD."""
        with self.assertRaises(imaplib.IMAP4.error) as e:
            fn(*args)
        self.assertIn("BAD", str(e.exception))

    def connect(self, login=True):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        if login:
            self.assertEqual(m.login("alice", "secret")[0], "OK")
        return m

    def test_capability_noop_logout_id_namespace(self):
        m = self.connect(login=False)
        typ, caps = m.capability()
        self.assertEqual(typ, "OK")
        for cap in (b"IMAP4rev1", b"IMAP4rev2", b"STARTTLS", b"AUTH=PLAIN", b"IDLE", b"UIDPLUS",
                    b"MOVE", b"WITHIN", b"ESEARCH"):
            self.assertIn(cap, caps[0])
        self.assertEqual(m.noop()[0], "OK")
        self.assertEqual(m.xatom("ID", "NIL")[0], "OK")
        m.login("alice", "secret")
        typ, ns = m.namespace()
        self.assertEqual(ns[0], b'(("" "/")) NIL NIL')
        self.assertEqual(m.logout()[0], "BYE")

    def test_rfc2971_id_with_a_full_parameter_list_before_and_after_login(self):
        # RFC 2971 3.3: up to 30 field/value pairs, fields up to 30 octets,
        # values up to 1024. The longest line has every octet of every
        # string escaped (\" or \\); as literals, the values are 30 KB.
        def quoted(octets):
            return b'"' + b"".join(b"\\" + bytes([o]) for o in octets) + b'"'
        escaped = b"ID (" + b" ".join(
            quoted(b'"\\' * 15) + b" " + quoted(b'"\\' * 512) for _ in range(30)) + b")"
        self.assertGreater(len(escaped), 63000)
        literals = b"ID (" + b" ".join(
            b'"field%02d" {1024+}\r\n' % i + b"v" * 1024 for i in range(30)) + b")"
        c = slotlib.RawImap(self.slot, login=False)
        for when in ("before login", "after login"):
            for command in (escaped, literals):
                lines, tagged = c.run(command)
                self.assertTrue(tagged.startswith(b"OK"), (when, tagged[:80]))
                self.assertEqual([l for l in lines if l.startswith(b"* ID ")],
                                 [b'* ID ("name" "slotmail" "vendor" "slotmail")'], when)
            if when == "before login":
                c.ok("LOGIN alice secret")
        c.close()

    def test_login_failures(self):
        m = self.connect(login=False)
        with self.assertRaises(imaplib.IMAP4.error) as e:
            m.login("alice", "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(e.exception))
        with self.assertRaises(imaplib.IMAP4.error):
            m.login("nobody", "secret")
        with self.assertRaises(imaplib.IMAP4.error):
            m.select("INBOX")  # not logged in: BAD
        self.assertEqual(m.login("ALICE", "secret")[0], "OK")  # user names are case-insensitive
        m.logout()

    def test_authenticate_plain_with_and_without_initial_response(self):
        m = self.connect(login=False)
        typ, _ = m.authenticate("PLAIN", lambda _: b"\0alice\0secret")
        self.assertEqual(typ, "OK")
        m.logout()
        m = self.connect(login=False)
        typ, data = m._simple_command("AUTHENTICATE", "PLAIN", "AGFsaWNlAHNlY3JldA==")
        self.assertEqual(typ, "OK")
        m.logout()
        m = self.connect(login=False)
        with self.assertRaises(imaplib.IMAP4.error):
            m.authenticate("PLAIN", lambda _: b"bob\0alice\0secret")  # authzid != authcid
        m.logout()

    def test_mailbox_lifecycle(self):
        m = self.connect()
        self.assertEqual(m.create("Projects/2024/Q1")[0], "OK")
        typ, data = m.create("Projects")
        self.assertEqual(typ, "NO")  # created as a parent already
        typ, lst = m.list('""', "Projects/*")
        self.assertEqual(lst, [b'(\\HasChildren) "/" "Projects/2024"',
                               b'(\\HasNoChildren) "/" "Projects/2024/Q1"'])
        typ, lst = m.list('""', "%")
        names = [l.split(b'"/" ')[1] for l in lst]
        self.assertIn(b'"INBOX"', names)
        self.assertIn(b'"Projects"', names)
        self.assertNotIn(b'"Projects/2024"', names)
        typ, lst = m.list('""', '""')
        self.assertEqual(lst, [b'(\\Noselect) "/" ""'])
        self.assertEqual(m.rename("Projects", "Archive/Old")[0], "OK")
        typ, lst = m.list("Archive/", "*")
        self.assertEqual(len(lst), 3)
        self.assertEqual(m.delete("Archive/Old")[0], "NO")  # has children
        self.assertEqual(m.delete("Archive/Old/2024/Q1")[0], "OK")
        self.assertEqual(m.delete("nosuch")[0], "NO")
        self.assertEqual(m.delete("INBOX")[0], "NO")
        # Non-ASCII names travel as modified UTF-7.
        self.assertEqual(m.create("&ZeVnLIqe-")[0], "OK")
        typ, lst = m.list('""', "&ZeVnLIqe-")
        self.assertEqual(lst, [b'(\\HasNoChildren) "/" "&ZeVnLIqe-"'])
        self.assertBad(m.create, "bad&name")  # not valid modified UTF-7
        m.logout()

    def test_subscribe_lsub(self):
        m = self.connect()
        m.create("Lists")
        self.assertEqual(m.subscribe("Lists")[0], "OK")
        typ, lst = m.lsub('""', "*")
        self.assertIn(b'() "/" "Lists"', lst)
        self.assertEqual(m.unsubscribe("Lists")[0], "OK")
        self.assertEqual(m.unsubscribe("Lists")[0], "NO")
        m.logout()

    def test_rfc3501_6_3_9_lsub_percent_lists_an_unsubscribed_parent_as_noselect(self):
        # "foo/bar" subscribed, "foo" not: LSUB with % answers foo with
        # \Noselect, not foo/bar; * still answers foo/bar alone.
        m = self.connect()
        for box in ("Par", "Par/Kid", "Par/Kid/Deep"):
            m.create(box)
        self.assertEqual(m.subscribe("Par/Kid/Deep")[0], "OK")
        typ, lst = m.lsub('""', "Par%")
        self.assertEqual(lst, [b'(\\Noselect) "/" "Par"'])
        typ, lst = m.lsub('""', "Par/%")
        self.assertEqual(lst, [b'(\\Noselect) "/" "Par/Kid"'])
        typ, lst = m.lsub('""', "Par*")
        self.assertEqual(lst, [b'() "/" "Par/Kid/Deep"'])
        # A subscribed parent is listed as itself, once.
        self.assertEqual(m.subscribe("Par")[0], "OK")
        self.assertEqual(m.subscribe("Par/Kid")[0], "OK")
        typ, lst = m.lsub('""', "Par%")
        self.assertEqual(lst, [b'() "/" "Par"'])
        for box in ("Par/Kid/Deep", "Par/Kid", "Par"):
            m.unsubscribe(box)
        m.logout()

    def test_append_select_fetch_store_expunge(self):
        m = self.connect()
        m.create("Flow")
        typ, data = m.append("Flow", "(\\Flagged $Work)", imaplib.Time2Internaldate(784191145), MSG1)
        self.assertEqual(typ, "OK")
        uidvalidity, uid1 = re.search(rb"APPENDUID (\d+) (\d+)", data[0]).groups()
        typ, data = m.append("Flow", None, None, MSG2)
        uid2 = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)
        self.assertEqual(int(uid2), int(uid1) + 1)
        self.assertEqual(m.append("NoSuchBox", None, None, MSG1)[0], "NO")

        typ, data = m.status("Flow", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"MESSAGES 2", data[0])
        self.assertIn(b"UNSEEN 2", data[0])
        self.assertIn(b"UIDVALIDITY " + uidvalidity, data[0])
        self.assertIn(b"RECENT 2", data[0])  # no session has selected Flow yet

        typ, data = m.select("Flow", readonly=True)
        self.assertEqual(data, [b"2"])
        self.assertEqual(m.store("1", "+FLAGS", "\\Seen")[0], "NO")  # read-only
        typ, data = m.select("Flow")
        self.assertEqual(m.untagged_responses.get("UIDVALIDITY"), [uidvalidity])

        typ, data = m.fetch("1", "(UID FLAGS RFC822.SIZE INTERNALDATE)")
        # EXAMINE left \Recent alone; this SELECT was the first (RFC 3501 2.3.2).
        self.assertIn(b"FLAGS (\\Flagged $Work \\Recent)", data[0])
        self.assertIn(b"RFC822.SIZE %d" % len(MSG1), data[0])
        self.assertIn(b'INTERNALDATE "07-Nov-1994 06:52:25 +0000"', data[0])
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (Subject)])")
        self.assertEqual(data[0][1], b"Subject: hello\r\n\r\n")
        typ, data = m.fetch("1", "(BODY.PEEK[TEXT]<0.5>)")
        self.assertEqual(data[0][1], b"first")
        typ, data = m.fetch("2", "(BODY.PEEK[2] BODY.PEEK[1.MIME])")
        self.assertEqual(data[0][1], b"AAEC")
        self.assertEqual(data[1][1], b"Content-Type: text/plain\r\n\r\n")
        typ, data = m.fetch("1", "(ENVELOPE)")
        self.assertIn(b'"hello" (("Ann" NIL "ann" "example.com"))', data[0])
        typ, data = m.fetch("2", "(BODYSTRUCTURE)")
        self.assertIn(b'"mixed"', data[0])
        # A non-PEEK body fetch sets \Seen and reports the new flags.
        typ, data = m.fetch("1", "(BODY[])")
        self.assertEqual(data[0][1], MSG1)
        self.assertIn(b"\\Seen", data[0][0] + data[1])
        typ, data = m.uid("FETCH", uid2.decode(), "(FLAGS)")
        self.assertIn(b"UID " + uid2, data[0])

        typ, data = m.store("1:2", "+FLAGS", "(\\Deleted)")
        self.assertEqual(len(data), 2)
        typ, data = m.store("1", "-FLAGS.SILENT", "(\\Deleted)")
        self.assertEqual(data, [None])
        self.assertBad(m.store, "1", "+FLAGS", "(\\Recent)")
        self.assertBad(m.store, "5", "+FLAGS", "(\\Seen)")  # no message 5
        typ, data = m.expunge()
        self.assertEqual(data, [b"2"])
        self.assertEqual(m.check()[0], "OK")
        self.assertEqual(m.close()[0], "OK")
        typ, data = m.status("Flow", "(MESSAGES)")
        self.assertIn(b"MESSAGES 1", data[0])
        m.logout()

    def test_uid_expunge_copy_move_unselect(self):
        m = self.connect()
        m.create("Src")
        m.create("Dst")
        uids = []
        for i in range(4):
            typ, data = m.append("Src", None, None, MSG1.replace(b"first", b"msg%d" % i))
            uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
        m.select("Src")
        typ, data = m.copy("1:2", "Dst")
        self.assertRegex(data[0], rb"COPYUID \d+ %d:%d 1:2" % (uids[0], uids[1]))
        self.assertEqual(m.copy("1", "Nope")[0], "NO")
        self.assertIn(b"TRYCREATE", m.copy("1", "Nope")[1][0])
        m.untagged_responses.clear()
        typ, data = m._simple_command("MOVE", "3", "Dst")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.get("EXPUNGE"), [b"3"])
        m.store("1:3", "+FLAGS", "\\Deleted")
        m.untagged_responses.clear()
        typ, data = m.uid("EXPUNGE", str(uids[0]))
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.get("EXPUNGE"), [b"1"])
        typ, data = m._simple_command("UNSELECT")
        self.assertEqual(typ, "OK")
        typ, data = m.status("Src", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])  # UNSELECT did not expunge
        typ, data = m.status("Dst", "(MESSAGES)")
        self.assertIn(b"MESSAGES 3", data[0])
        m.logout()

    def test_bad_input_keeps_connection_usable(self):
        m = self.connect()
        for bad in ["FROB", "SELECT", 'LIST "" "unterminated', "FETCH 1 (FLAGS"]:
            tag = m._new_tag()
            m.send(tag + b" " + bad.encode() + b"\r\n")
            while True:
                line = m.readline()
                if line.startswith(tag):
                    break
            self.assertTrue(line.startswith(tag + b" BAD"), line)
        self.assertEqual(m.noop()[0], "OK")
        m.logout()

    def test_rfc3501_9_astring_chars_and_bad_texts(self):
        # RFC 3501 9: list-mailbox takes every ATOM-CHAR, "]" (resp-specials
        # are ASTRING-CHARs) and the wildcards; "[" and "}" are ATOM-CHARs.
        c = slotlib.RawImap(self.slot)
        c.ok("CREATE Odd[1}]")
        lines = c.ok("LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*")
        self.assertEqual(lines, [])
        lines = c.ok('LIST "" Odd[%')
        self.assertEqual(lines, [b'* LIST (\\HasNoChildren) "/" "Odd[1}]"'])
        c.ok("SELECT Odd[1}]")
        c.ok("STATUS Odd[1}] (MESSAGES)")
        # BODY[...] sections still keep their spaces in FETCH.
        c.ok("UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From To)])")
        # A raw UTF-8 name without UTF8=ACCEPT: BAD naming the real problem,
        # and the connection stays usable after every one of these.
        utf8 = "Gr\u00fc\u00dfe".encode()
        for command in (b"COPY 1:* " + utf8, b"STATUS " + utf8 + b" (MESSAGES)",
                        b"CREATE " + utf8, b'SELECT "' + utf8 + b'"',
                        b"UID MOVE 1 {%d+}\r\n" % len(utf8) + utf8):
            lines, tagged = c.run(command)
            self.assertTrue(tagged.startswith(b"BAD "), (command, tagged))
            self.assertIn(b"UTF8=ACCEPT", tagged, command)
            self.assertNotIn(b"sequence set", tagged, command)
            c.ok("NOOP")
        for command in ("FROB", "LIST", 'LIST "" "open', "FETCH 1 (FLAGS", "FETCH 1 BODY[",
                        "a{", "SELECT {x}", "NOOP (", "NOOP )", "LIST \"\" \x7f"):
            lines, tagged = c.run(command)
            self.assertTrue(tagged.startswith(b"BAD "), (command, tagged))
            c.ok("NOOP")
        c.close()

    def test_literal_plus_and_the_append_size_limit(self):
        # LITERAL+ (RFC 7888): a non-synchronising literal beyond LITERAL-'s
        # 4 KiB is taken after login; a literal over the message size limit
        # is refused before the client sends it, and the session goes on.
        m = self.connect()
        body = b"Subject: big\r\n\r\n" + b"y" * 10000
        tag = m._new_tag()
        m.send(tag + b" APPEND INBOX {%d+}\r\n" % len(body) + body + b"\r\n")
        line = m.readline()
        while not line.startswith(tag):
            line = m.readline()
        self.assertTrue(line.startswith(tag + b" OK [APPENDUID"), line)
        tag = m._new_tag()
        m.send(tag + b" APPEND INBOX {%d}\r\n" % (64 * 1024 * 1024 + 1))
        line = m.readline()
        self.assertTrue(line.startswith(tag + b" NO [TOOBIG]"), line)
        self.assertEqual(m.noop()[0], "OK")
        m.logout()

    def test_users_see_only_their_own_mail(self):
        a = self.connect()
        a.create("Private")
        a.append("Private", None, None, MSG1)
        b = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        b.login("bob", "other")
        self.assertEqual(b.select("Private")[0], "NO")
        typ, lst = b.list('""', "*")
        self.assertIn(b'(\\HasNoChildren) "/" "INBOX"', lst)
        self.assertEqual([l for l in lst if b"Private" in l], [])
        a.logout()
        b.logout()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
