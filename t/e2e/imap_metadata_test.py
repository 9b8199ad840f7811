"""METADATA and METADATA-SERVER (RFC 5464) end to end: entries on mailboxes
and on the server (""), /private and /shared, options MAXSIZE and DEPTH,
binary values, limits with their response codes, and the life of entries
through RENAME, DELETE and a restart of slotd."""
import glob
import os
import sqlite3
import sys
import unittest

import slotlib

MAX_VALUE = 32 << 10  # limits::kMaxMetadataValueBytes


class Metadata(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False, users=(("alice", "secret"), ("bob", "pw")),
                                extra=["admin_address = mailto:postmaster@example.com"])
        cls.raw = slotlib.RawImap(cls.slot)

    @classmethod
    def tearDownClass(cls):
        cls.raw.close()
        cls.slot.close()

    def no(self, command, code):
        _, tagged = self.raw.run(command)
        self.assertTrue(tagged.startswith(b"NO [" + code + b"]"), (command, tagged))

    def bad(self, command):
        _, tagged = self.raw.run(command)
        self.assertTrue(tagged.startswith(b"BAD"), (command, tagged))

    def test_capabilities(self):
        caps = self.raw.ok("CAPABILITY")[0] + b" "
        self.assertIn(b" METADATA ", caps)
        self.assertIn(b" METADATA-SERVER ", caps)

    def test_comments_on_a_mailbox_private_and_shared(self):
        self.raw.ok("CREATE Notes")
        self.raw.ok('SETMETADATA Notes (/private/comment "my notes" /shared/comment "for all")')
        self.assertEqual(self.raw.ok("GETMETADATA Notes /private/comment"),
                         [b'* METADATA "Notes" (/private/comment "my notes")'])
        self.assertEqual(
            self.raw.ok("GETMETADATA Notes (/shared/comment /private/comment)"),
            [b'* METADATA "Notes" (/shared/comment "for all" /private/comment "my notes")'])
        # Entry names are case-insensitive.
        self.assertEqual(self.raw.ok("GETMETADATA Notes /PRIVATE/Comment"),
                         [b'* METADATA "Notes" (/private/comment "my notes")'])
        # NIL removes; a missing entry reads as NIL.
        self.raw.ok("SETMETADATA Notes (/private/comment NIL)")
        self.assertEqual(self.raw.ok("GETMETADATA Notes /private/comment"),
                         [b'* METADATA "Notes" (/private/comment NIL)'])

    def test_server_entries_and_admin(self):
        self.raw.ok('SETMETADATA "" (/shared/comment "server note" /private/vendor/x/y "1")')
        self.assertEqual(self.raw.ok('GETMETADATA "" /shared/comment'),
                         [b'* METADATA "" (/shared/comment "server note")'])
        self.assertEqual(self.raw.ok('GETMETADATA "" /shared/admin'),
                         [b'* METADATA "" (/shared/admin "mailto:postmaster@example.com")'])
        self.no('SETMETADATA "" (/shared/admin "mailto:me@example.com")', b"NOPERM")
        # Server entries are the user's own: bob sees none of alice's.
        bob = slotlib.RawImap(self.slot, "bob", "pw")
        self.assertEqual(bob.ok('GETMETADATA "" /shared/comment'),
                         [b'* METADATA "" (/shared/comment NIL)'])
        bob.close()

    def test_depth(self):
        self.raw.ok("CREATE Deep")
        self.raw.ok('SETMETADATA Deep (/private/a "1" /private/a/b "2" /private/a/b/c "3" '
                    '/private/ab "x")')
        self.assertEqual(self.raw.ok("GETMETADATA (DEPTH 0) Deep /private/a"),
                         [b'* METADATA "Deep" (/private/a "1")'])
        self.assertEqual(self.raw.ok("GETMETADATA (DEPTH 1) Deep /private/a"),
                         [b'* METADATA "Deep" (/private/a "1" /private/a/b "2")'])
        self.assertEqual(
            self.raw.ok("GETMETADATA (DEPTH infinity) Deep /private/a"),
            [b'* METADATA "Deep" (/private/a "1" /private/a/b "2" /private/a/b/c "3")'])
        self.assertEqual(
            self.raw.ok("GETMETADATA (DEPTH 1) Deep /private"),
            [b'* METADATA "Deep" (/private/a "1" /private/ab "x")'])

    def test_maxsize_and_longentries(self):
        self.raw.ok("CREATE Sized")
        self.raw.ok('SETMETADATA Sized (/private/small "abc" /private/large "%s")' % ("x" * 500))
        lines, tagged = self.raw.run(
            "GETMETADATA (MAXSIZE 100) Sized (/private/small /private/large)")
        self.assertEqual(lines, [b'* METADATA "Sized" (/private/small "abc")'])
        self.assertTrue(tagged.startswith(b"OK [METADATA LONGENTRIES 500]"), tagged)

    def test_values_as_literals_and_binary(self):
        self.raw.ok("CREATE Bin")
        text = "line one\r\nline two \xe9".encode("latin-1")
        self.raw.ok(b"SETMETADATA Bin (/private/text {%d+}\r\n%s)" % (len(text), text))
        self.assertEqual(self.raw.ok("GETMETADATA Bin /private/text"),
                         [b'* METADATA "Bin" (/private/text {%d}\r\n%s)' % (len(text), text)])
        binary = b"\x00\x01\xff\x00 end"
        self.raw.ok(b"SETMETADATA Bin (/private/bin ~{%d+}\r\n%s)" % (len(binary), binary))
        self.assertEqual(self.raw.ok("GETMETADATA Bin /private/bin"),
                         [b'* METADATA "Bin" (/private/bin ~{%d}\r\n%s)' % (len(binary), binary)])

    def test_limits(self):
        self.raw.ok("CREATE Limits")
        big = b"x" * (MAX_VALUE + 1)
        lines, tagged = self.raw.run(b"SETMETADATA Limits (/private/big {%d+}\r\n%s)"
                                     % (len(big), big))
        self.assertTrue(tagged.startswith(b"NO [METADATA MAXSIZE %d]" % MAX_VALUE), tagged)
        self.raw.ok(b"SETMETADATA Limits (/private/big {%d+}\r\n%s)" % (MAX_VALUE, big[1:]))
        entries = " ".join('/private/n%d "v"' % i for i in range(100))
        self.no("SETMETADATA Limits (%s)" % entries, b"METADATA TOOMANY")
        # All or nothing: none of the refused batch was kept.
        self.assertEqual(self.raw.ok("GETMETADATA Limits /private/n0"),
                         [b'* METADATA "Limits" (/private/n0 NIL)'])

    def test_bad_entry_names_and_syntax(self):
        for cmd in ('SETMETADATA INBOX (/other/x "v")', 'SETMETADATA INBOX (/private/a* "v")',
                    'SETMETADATA INBOX (/private//a "v")', 'SETMETADATA INBOX (/private/a/ "v")',
                    'SETMETADATA INBOX (/private "v")', 'SETMETADATA INBOX (/private/a)',
                    "SETMETADATA INBOX (/private/a atom)", "SETMETADATA INBOX", "GETMETADATA INBOX",
                    "GETMETADATA (DEPTH 2) INBOX /private/a", "GETMETADATA (FOO 1) INBOX /private/a",
                    "GETMETADATA (MAXSIZE x) INBOX /private/a", "GETMETADATA INBOX bad",
                    "GETMETADATA INBOX ()"):
            self.bad(cmd)

    def test_missing_mailbox(self):
        self.no('SETMETADATA Nope (/private/comment "x")', b"NONEXISTENT")
        self.no("GETMETADATA Nope /private/comment", b"NONEXISTENT")

    def test_rename_keeps_and_delete_drops(self):
        self.raw.ok("CREATE Old")
        self.raw.ok('SETMETADATA Old (/shared/comment "travels")')
        self.raw.ok("RENAME Old New")
        self.assertEqual(self.raw.ok("GETMETADATA New /shared/comment"),
                         [b'* METADATA "New" (/shared/comment "travels")'])
        self.raw.ok("DELETE New")
        self.raw.ok("CREATE New")
        self.assertEqual(self.raw.ok("GETMETADATA New /shared/comment"),
                         [b'* METADATA "New" (/shared/comment NIL)'])

    def test_needs_login(self):
        raw = slotlib.RawImap(self.slot, login=False)
        _, tagged = raw.run('GETMETADATA "" /shared/comment')
        self.assertTrue(tagged.startswith(b"BAD"), tagged)
        raw.close()


class OnDisk(unittest.TestCase):
    def test_entries_are_in_the_index_after_slotd_stops(self):
        # Stored in the user's index (doc/store.md, table metadata), not in
        # slotd's memory: after slotd stops, the row is on disk.
        with slotlib.Slot(tls=False) as slot:
            raw = slotlib.RawImap(slot)
            raw.ok('SETMETADATA INBOX (/private/comment "still here")')
            raw.ok('SETMETADATA "" (/shared/comment "server")')
            raw.close()
            self.assertEqual(slot.stop(), 0)
            (index,) = glob.glob(os.path.join(slot.slot_dir, "users", "*", "alice", "index.db"))
            db = sqlite3.connect(index)
            rows = db.execute("SELECT m.name, d.entry, d.value FROM metadata d LEFT JOIN "
                              "mailboxes m ON m.id = d.mailbox ORDER BY d.entry").fetchall()
            db.close()
            self.assertEqual(rows, [("INBOX", "/private/comment", "still here"),
                                    (None, "/shared/comment", "server")])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
