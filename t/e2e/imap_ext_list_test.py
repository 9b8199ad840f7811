"""LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819) through a raw
imaplib connection against a real slotd: selection and return options,
several patterns, \\NonExistent and \\Subscribed, CHILDINFO with
RECURSIVEMATCH, STATUS after LIST; LSUB keeps working."""
import imaplib
import sys
import unittest

import slotlib

MSG = b"From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n"


class ListExtended(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slotlib.Slot(tls=False)
        m = cls.connect()
        for box in ["A/B/C", "D", "E"]:
            assert m.create(box)[0] == "OK"
        for box in ["A/B/C", "D", "Gone/Deep"]:  # Gone/Deep does not exist
            assert m.subscribe(box)[0] == "OK"
        m.append("D", "(\\Seen)", None, MSG)
        m.append("D", "(\\Deleted)", None, MSG)
        m.logout()

    @classmethod
    def tearDownClass(cls):
        cls.slot.close()

    @classmethod
    def connect(cls):
        m = imaplib.IMAP4("127.0.0.1", cls.slot.ports["imap"])
        m.login("alice", "secret")
        return m

    def setUp(self):
        self.m = self.connect()

    def tearDown(self):
        self.m.logout()

    def transcript(self, command):
        """Sends `command`; returns (untagged lines in order, tagged line)."""
        tag = self.m._new_tag()
        self.m.send(tag + b" " + command.encode() + b"\r\n")
        lines = []
        while True:
            line = self.m.readline().rstrip(b"\r\n")
            if line.startswith(tag + b" "):
                return lines, line[len(tag) + 1:]
            lines.append(line)

    def ok(self, command):
        lines, tagged = self.transcript(command)
        self.assertTrue(tagged.startswith(b"OK"), (command, tagged))
        return lines

    def bad(self, command):
        lines, tagged = self.transcript(command)
        self.assertTrue(tagged.startswith(b"BAD"), (command, tagged))

    def test_capabilities(self):
        caps = self.m.capabilities
        for cap in ("LIST-EXTENDED", "LIST-STATUS", "CHILDREN"):
            self.assertIn(cap, caps)

    def test_basic_list_unchanged(self):
        self.assertEqual(self.ok('LIST "" "A/*"'),
                         [b'* LIST (\\HasChildren) "/" "A/B"',
                          b'* LIST (\\HasNoChildren) "/" "A/B/C"'])
        self.assertEqual(self.ok('LIST "" ""'), [b'* LIST (\\Noselect) "/" ""'])

    def test_subscribed_selection(self):
        lines = self.ok('LIST (SUBSCRIBED) "" "*"')
        self.assertIn(b'* LIST (\\HasNoChildren \\Subscribed) "/" "A/B/C"', lines)
        self.assertIn(b'* LIST (\\HasNoChildren \\Subscribed) "/" "D"', lines)
        self.assertIn(b'* LIST (\\NonExistent \\Subscribed) "/" "Gone/Deep"', lines)
        self.assertIn(b'* LIST (\\HasNoChildren \\Sent \\Subscribed) "/" "Sent"', lines)
        names = [l.rsplit(b" ", 1)[1] for l in lines]
        for unsubscribed in [b'"A"', b'"A/B"', b'"E"', b'"INBOX"', b'"Gone"']:
            self.assertNotIn(unsubscribed, names)

    def test_recursivematch_childinfo(self):
        lines = self.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
        self.assertIn(b'* LIST (\\HasChildren) "/" "A" ("CHILDINFO" ("SUBSCRIBED"))', lines)
        self.assertIn(b'* LIST (\\NonExistent) "/" "Gone" ("CHILDINFO" ("SUBSCRIBED"))', lines)
        self.assertIn(b'* LIST (\\HasNoChildren \\Subscribed) "/" "D"', lines)
        self.assertNotIn(b'"E"', b"\n".join(lines))
        # With "*" the subscribed children are listed themselves, so their
        # unsubscribed parents are not (RFC 5258 3.5).
        lines = self.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" ("A" "A/*")')
        self.assertEqual(lines, [b'* LIST (\\HasNoChildren \\Subscribed) "/" "A/B/C"'])
        # A parent that is listed and meets the criteria gets CHILDINFO too.
        self.ok('SUBSCRIBE "A/B"')
        try:
            lines = self.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" "A/%"')
            self.assertEqual(lines, [b'* LIST (\\HasChildren \\Subscribed) "/" "A/B" '
                                     b'("CHILDINFO" ("SUBSCRIBED"))'])
        finally:
            self.ok('UNSUBSCRIBE "A/B"')

    def test_option_errors(self):
        self.bad('LIST (RECURSIVEMATCH) "" "*"')  # needs a base option
        self.bad('LIST (REMOTE RECURSIVEMATCH) "" "*"')
        self.bad('LIST (FROB) "" "*"')
        self.bad('LIST "" "*" RETURN (FROB)')
        self.bad('LIST "" "*" RETURN (STATUS)')
        self.bad('LIST "" "*" RETURN (STATUS ())')
        self.bad('LIST "" "*" RETURN (STATUS (BOGUS))')
        self.bad('LIST "" "*" RETURNS (CHILDREN)')
        self.bad('LIST "" ()')
        self.bad('LIST "" "*" RETURN')

    def test_remote_and_empty_options_are_plain_list(self):
        plain = self.ok('LIST "" "%"')
        self.assertEqual(self.ok('LIST (REMOTE) "" "%"'), plain)
        self.assertEqual(self.ok('LIST () "" "%" RETURN ()'), plain)
        self.assertEqual(self.ok('list (remote) "" "%" return (children special-use)'), plain)

    def test_several_patterns(self):
        lines = self.ok('LIST "" ("D" "A/%" "inbox" "D")')
        self.assertEqual(lines, [b'* LIST (\\HasChildren) "/" "A/B"',
                                 b'* LIST (\\HasNoChildren) "/" "D"',
                                 b'* LIST (\\HasNoChildren) "/" "INBOX"'])
        # In a list, "" is just a pattern that matches nothing.
        self.assertEqual(self.ok('LIST "" ("")'), [])

    def test_return_subscribed_and_children(self):
        lines = self.ok('LIST "" "%" RETURN (SUBSCRIBED CHILDREN)')
        self.assertIn(b'* LIST (\\HasNoChildren \\Subscribed) "/" "D"', lines)
        self.assertIn(b'* LIST (\\HasNoChildren) "/" "E"', lines)
        self.assertIn(b'* LIST (\\HasChildren) "/" "A"', lines)

    def test_list_status(self):
        lines = self.ok('LIST "" ("D" "E") RETURN (STATUS (MESSAGES UNSEEN SIZE DELETED))')
        size = 2 * len(MSG)
        self.assertEqual(lines, [
            b'* LIST (\\HasNoChildren) "/" "D"',
            b'* STATUS "D" (MESSAGES 2 UNSEEN 1 SIZE %d DELETED 1)' % size,
            b'* LIST (\\HasNoChildren) "/" "E"',
            b'* STATUS "E" (MESSAGES 0 UNSEEN 0 SIZE 0 DELETED 0)',
        ])
        # No STATUS for names that do not exist.
        lines = self.ok('LIST (SUBSCRIBED) "" "Gone/*" RETURN (STATUS (MESSAGES))')
        self.assertEqual(lines, [b'* LIST (\\NonExistent \\Subscribed) "/" "Gone/Deep"'])

    def test_lsub_still_works(self):
        lines = self.ok('LSUB "" "*"')
        self.assertIn(b'* LSUB () "/" "A/B/C"', lines)
        self.assertIn(b'* LSUB () "/" "Gone/Deep"', lines)
        self.assertEqual(self.ok('LSUB "" ""'), [b'* LSUB (\\Noselect) "/" ""'])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
