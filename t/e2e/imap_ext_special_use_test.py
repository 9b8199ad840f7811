"""SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154) through Python's imaplib
against a real slotd: default mailboxes of new users, CREATE ... (USE (...)),
and the SPECIAL-USE selection and return options of LIST."""
import imaplib
import subprocess
import sys
import unittest

import slotlib

DEFAULTS = [b'(\\HasNoChildren \\Archive) "/" "Archive"',
            b'(\\HasNoChildren \\Drafts) "/" "Drafts"',
            b'(\\HasNoChildren) "/" "INBOX"',
            b'(\\HasNoChildren \\Junk) "/" "Junk"',
            b'(\\HasNoChildren \\Sent) "/" "Sent"',
            b'(\\HasNoChildren \\Trash) "/" "Trash"']


class SpecialUse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=[("alice", "secret"), ("bob", "other")])

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    def connect(self, user="alice", password="secret"):
        m = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        self.assertEqual(m.login(user, password)[0], "OK")
        return m

    def command(self, m, *args):
        """Runs a raw command; returns (type, tagged text, untagged LIST lines)."""
        m.untagged_responses.clear()
        try:
            typ, data = m._simple_command(*args)
        except imaplib.IMAP4.error as e:
            return "BAD", str(e), []
        return typ, data, [l for l in m.untagged_responses.pop("LIST", []) if l is not None]

    def test_capabilities(self):
        m = self.connect()
        caps = m.capabilities
        self.assertIn("SPECIAL-USE", caps)
        self.assertIn("CREATE-SPECIAL-USE", caps)
        m.logout()

    def test_new_users_get_default_mailboxes_subscribed(self):
        m = self.connect("bob", "other")
        typ, lst = m.list('""', "*")
        self.assertEqual(lst, DEFAULTS)
        typ, lst = m.lsub('""', "*")
        self.assertEqual(sorted(lst), [b'() "/" "Archive"', b'() "/" "Drafts"', b'() "/" "Junk"',
                                       b'() "/" "Sent"', b'() "/" "Trash"'])
        m.logout()
        # While slotd holds the slot, mailctl may not open its indexes
        # (doc/mailctl.md); with no control socket to reach slotd by, it
        # says so instead of reading under slotd.
        with self.assertRaises(subprocess.CalledProcessError) as e:
            self.slot.mailctl("user", "show", "bob")
        self.assertIn("a running slotd serves it", e.exception.stderr)

    def test_create_with_use(self):
        m = self.connect()
        typ, data, _ = self.command(m, "CREATE", "Outbox/Sent2", "(USE (\\Sent))")
        self.assertEqual(typ, "OK", data)
        typ, lst = m.list('""', "Outbox/*")
        self.assertEqual(lst, [b'(\\HasNoChildren \\Sent) "/" "Outbox/Sent2"'])
        # Parameter names and attributes are case-insensitive.
        typ, data, _ = self.command(m, "CREATE", "Old", "(use (\\archive))")
        self.assertEqual(typ, "OK", data)
        typ, lst = m.list('""', "Old")
        self.assertEqual(lst, [b'(\\HasNoChildren \\Archive) "/" "Old"'])
        # An empty USE list is a plain CREATE.
        self.assertEqual(self.command(m, "CREATE", "Plain", "(USE ())")[0], "OK")
        m.logout()

    def test_create_refusals(self):
        m = self.connect()
        for use, why in [("(USE (\\Bogus))", b"USEATTR"), ("(USE (\\Sent \\Trash))", b"USEATTR"),
                         ("(USE (\\All))", b"USEATTR"), ("(USE (\\Flagged))", b"USEATTR")]:
            typ, data, _ = self.command(m, "CREATE", "Refused", use)
            self.assertEqual(typ, "NO", use)
            self.assertIn(why, data[0])
        typ, lst = m.list('""', "Refused")
        self.assertEqual(lst, [None])  # nothing was created
        for bad in ["(FOO (\\Sent))", "(USE \\Sent)", "(USE (Sent))", "USE"]:
            self.assertEqual(self.command(m, "CREATE", "Refused", bad)[0], "BAD", bad)
        m.logout()

    def test_list_special_use_options(self):
        m = self.connect()
        m.create("Folder/Child")
        typ, data, lst = self.command(m, "LIST", "(SPECIAL-USE)", '""', "*")
        self.assertEqual(typ, "OK")
        names = [l.rsplit(b" ", 1)[1] for l in lst]
        self.assertNotIn(b'"INBOX"', names)
        self.assertNotIn(b'"Folder"', names)
        for l in DEFAULTS:
            if b"INBOX" not in l:
                self.assertIn(l, lst)
        typ, data, lst = self.command(m, "LIST", '""', "%", "RETURN", "(SPECIAL-USE)")
        self.assertEqual(typ, "OK")
        self.assertIn(b'(\\HasNoChildren \\Drafts) "/" "Drafts"', lst)
        self.assertIn(b'(\\HasChildren) "/" "Folder"', lst)
        # RECURSIVEMATCH with SPECIAL-USE: a parent of a special-use mailbox
        # that is not listed itself gets CHILDINFO.
        m.create("Nest/Deep")
        self.command(m, "CREATE", "Nest/Deep/Sent3", "(USE (\\Sent))")
        typ, data, lst = self.command(m, "LIST", "(SPECIAL-USE RECURSIVEMATCH)", '""', "Nest/%")
        self.assertEqual(typ, "OK")
        self.assertEqual(lst, [b'(\\HasChildren) "/" "Nest/Deep" ("CHILDINFO" ("SPECIAL-USE"))'])
        m.logout()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
