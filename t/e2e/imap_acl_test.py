"""ACL (RFC 4314) for a store without sharing: the owner holds every right
on every one of their mailboxes and nobody else holds any. Webmail asks
MYRIGHTS before offering rename/delete; changes that would share a mailbox
or take rights from the owner are refused with NO [CANNOT]."""
import imaplib
import sys
import unittest

import slotlib

ALL = b"lrswipkxteacd"


class Acl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=(("alice", "secret"), ("bob", "pw")))
        cls.raw = slotlib.RawImap(cls.slot)
        cls.raw.ok('CREATE "Work/Reports"')

    @classmethod
    def tearDownClass(cls):
        cls.raw.close()
        cls.slot.close()

    def test_capabilities(self):
        caps = self.raw.ok("CAPABILITY")[0]
        self.assertIn(b" ACL ", caps + b" ")
        self.assertIn(b" RIGHTS=texk", caps)

    def test_myrights_of_own_mailboxes(self):
        self.assertEqual(self.raw.ok("MYRIGHTS INBOX"), [b'* MYRIGHTS "INBOX" ' + ALL])
        # INBOX in any case is INBOX; the answer names it as stored.
        self.assertEqual(self.raw.ok("MYRIGHTS inbox"), [b'* MYRIGHTS "INBOX" ' + ALL])
        self.assertEqual(self.raw.ok('MYRIGHTS "Work/Reports"'),
                         [b'* MYRIGHTS "Work/Reports" ' + ALL])
        # The rights webmail needs for rename (k, x) and delete (x).
        for right in b"kxlr":
            self.assertIn(right, ALL)

    def test_missing_mailbox_is_nonexistent(self):
        for cmd in ("MYRIGHTS Nope", "GETACL Nope", "LISTRIGHTS Nope bob",
                    "SETACL Nope alice lrswipkxtea", "DELETEACL Nope bob"):
            _, tagged = self.raw.run(cmd)
            self.assertTrue(tagged.startswith(b"NO [NONEXISTENT]"), (cmd, tagged))

    def test_getacl_lists_the_owner(self):
        self.assertEqual(self.raw.ok("GETACL Work"), [b'* ACL "Work" alice ' + ALL])

    def test_listrights(self):
        self.assertEqual(self.raw.ok("LISTRIGHTS INBOX alice"),
                         [b'* LISTRIGHTS "INBOX" alice ' + ALL])
        self.assertEqual(self.raw.ok("LISTRIGHTS INBOX bob"), [b'* LISTRIGHTS "INBOX" bob ""'])
        self.assertEqual(self.raw.ok("LISTRIGHTS INBOX anyone"),
                         [b'* LISTRIGHTS "INBOX" anyone ""'])

    def test_setacl_that_changes_nothing_is_ok(self):
        for cmd in ("SETACL Work alice lrswipkxtea", "SETACL Work alice lrswipcda",
                    "SETACL Work alice +lr", "SETACL Work alice -", 'SETACL Work bob ""',
                    "SETACL Work bob -lr", "SETACL Work -bob -r"):
            self.raw.ok(cmd)
        self.assertEqual(self.raw.ok("GETACL Work"), [b'* ACL "Work" alice ' + ALL])

    def test_sharing_and_taking_owner_rights_are_refused(self):
        for cmd in ("SETACL Work bob lr", "SETACL Work anyone +r", "SETACL Work alice lr",
                    "SETACL Work alice -x", "SETACL Work -bob r", "DELETEACL Work alice"):
            _, tagged = self.raw.run(cmd)
            self.assertTrue(tagged.startswith(b"NO [CANNOT]"), (cmd, tagged))
        self.assertEqual(self.raw.ok("GETACL Work"), [b'* ACL "Work" alice ' + ALL])
        self.assertEqual(self.raw.ok("MYRIGHTS Work"), [b'* MYRIGHTS "Work" ' + ALL])
        # bob sees no new mailbox.
        bob = imaplib.IMAP4("127.0.0.1", self.slot.ports["imap"])
        bob.login("bob", "pw")
        typ, data = bob.list()
        self.assertEqual([d for d in data if b"Work" in d], [])
        typ, data = bob._simple_command("MYRIGHTS", "Work")
        self.assertEqual(typ, "NO")
        bob.logout()

    def test_deleteacl_of_someone_without_rights_is_ok(self):
        self.raw.ok("DELETEACL Work bob")

    def test_bad_arguments(self):
        for cmd in ("SETACL Work bob lrQ", "SETACL Work bob +l1", "SETACL Work bob",
                    "MYRIGHTS", "MYRIGHTS INBOX extra", "GETACL", 'LISTRIGHTS INBOX ""',
                    "LISTRIGHTS INBOX", "DELETEACL INBOX", "SETACL Work bob (lr)"):
            _, tagged = self.raw.run(cmd)
            self.assertTrue(tagged.startswith(b"BAD"), (cmd, tagged))

    def test_needs_login(self):
        raw = slotlib.RawImap(self.slot, login=False)
        _, tagged = raw.run("MYRIGHTS INBOX")
        self.assertTrue(tagged.startswith(b"BAD"), tagged)
        raw.close()

    def test_rename_and_delete_after_myrights(self):
        # What a webmail does: check MYRIGHTS, then rename and delete.
        self.raw.ok("CREATE Tmp")
        self.assertIn(b"x", self.raw.ok("MYRIGHTS Tmp")[0].split()[-1])
        self.raw.ok("RENAME Tmp Tmp2")
        self.assertEqual(self.raw.ok("MYRIGHTS Tmp2"), [b'* MYRIGHTS "Tmp2" ' + ALL])
        self.raw.ok("DELETE Tmp2")
        _, tagged = self.raw.run("MYRIGHTS Tmp2")
        self.assertTrue(tagged.startswith(b"NO [NONEXISTENT]"))

    def test_utf8_names_follow_the_session_encoding(self):
        self.raw.ok('CREATE "Caf&AOk-"')
        self.assertEqual(self.raw.ok('MYRIGHTS "Caf&AOk-"'), [b'* MYRIGHTS "Caf&AOk-" ' + ALL])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
