"""RFC 3501 7.4.1: a session hears of its own changes to the selected mailbox
in the responses of the command that made them (read in the command's own
store job since one command = one worker-pool trip), exactly once, and of
changes other sessions made before it, at the same command.

Two imaplib connections on one mailbox. Nothing here measures time."""
import imaplib
import sys
import unittest

import slotlib

MSG = slotlib.TwoSessionsOnInbox.MESSAGE


class OwnUpdates(slotlib.TwoSessionsOnInbox):
    def setUp(self):
        super().setUp()
        self.a.untagged_responses.clear()

    def test_own_append_reports_exists_before_its_ok(self):
        typ, _ = self.a.append("INBOX", None, None, MSG)
        self.assertEqual(typ, "OK")
        self.assertEqual(self.a.untagged_responses.get("EXISTS"), [b"4"])
        self.a.untagged_responses.clear()
        self.a.noop()  # nothing left over for the next command
        self.assertNotIn("EXISTS", self.a.untagged_responses)

    def test_own_store_answers_each_message_once(self):
        typ, data = self.a.store("1:2", "+FLAGS", "\\Flagged")
        self.assertEqual(typ, "OK")
        self.assertEqual(sorted(data), [b"1 (FLAGS (\\Flagged))", b"2 (FLAGS (\\Flagged))"])
        self.a.untagged_responses.clear()
        self.a.noop()
        self.assertNotIn("FETCH", self.a.untagged_responses)

    def test_own_expunge_reports_the_sequence_numbers(self):
        self.a.store("1,3", "+FLAGS.SILENT", "\\Deleted")
        typ, data = self.a.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b"1", b"2"])
        typ, data = self.a.fetch("1", "(UID)")
        self.assertEqual(data, [b"1 (UID 2)"])

    def test_earlier_change_by_another_session_comes_with_own_change(self):
        self.b.store("2", "+FLAGS", "\\Seen")
        self.b.append("INBOX", None, None, MSG)
        self.a.untagged_responses.clear()
        typ, data = self.a.store("1", "+FLAGS", "\\Flagged")
        self.assertEqual(typ, "OK")
        fetches = data + self.a.untagged_responses.get("FETCH", [])  # store() takes FETCHes
        self.assertIn(b"2 (FLAGS (\\Seen))", fetches)
        self.assertIn(b"1 (FLAGS (\\Flagged))", fetches)
        self.assertEqual(self.a.untagged_responses.get("EXISTS"), [b"4"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
