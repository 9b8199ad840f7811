#include "admin/commands.h"

#include "admin/cluster_handlers.h"
#include "admin/handlers.h"

namespace slotmail::admin {
namespace {

const char kPasswordDetails[] =
    "The password is read from FILE or from standard input, never from the\n"
    "command line (where ps would show it); one trailing newline is stripped.\n"
    "It may not be empty.\n";

const OptionRule kOnePassword = {{"password-file", "password-stdin"}, 1, 1};

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"user", "add", "USER (--password-file FILE | --password-stdin)", "create a user",
       std::string("Creates USER with INBOX, Drafts, Sent, Trash, Junk and Archive (subscribed,\n"
                   "with their special-use attributes) and the slot's default quota.\n") +
           kPasswordDetails + "User names: a-z 0-9 . _ @ -, lowercase, at most 128 bytes.\n",
       1, 1, {"password-file", "password-stdin"}, {kOnePassword}, UserAdd},
      {"user", "del", "USER", "delete a user and all of their mail",
       "Deletes USER with every mailbox and message, at once and for good.\n", 1, 1, {}, {},
       UserDel},
      {"user", "passwd", "USER (--password-file FILE | --password-stdin)",
       "set a user's password",
       std::string("Replaces USER's password.\n") + kPasswordDetails, 1, 1,
       {"password-file", "password-stdin"}, {kOnePassword}, UserPasswd},
      {"user", "list", "", "list the users",
       "Prints every user of the slot, one name per line, sorted.\n", 0, 0, {}, {}, UserList},
      {"user", "show", "USER", "show a user's quota, mailboxes and totals",
       "Prints one 'KEY<TAB>VALUE' line each, in this order:\n"
       "  user            the name\n"
       "  mailboxes       number of mailboxes\n"
       "  messages        messages in all mailboxes\n"
       "  bytes           bytes of those messages\n"
       "  quota_bytes     storage limit (0: unlimited)\n"
       "  quota_messages  message limit (0: unlimited)\n"
       "  used_bytes      storage counted against the quota\n"
       "  used_messages   messages counted against the quota\n",
       1, 1, {}, {}, UserShow},
      {"user", "quota", "USER [--bytes N] [--messages N]", "set a user's quota limits",
       "Sets USER's storage and message limits; 0 means unlimited. A limit not\n"
       "given keeps its value. Mail already stored is kept even if over the new\n"
       "limit; only new mail that would exceed a limit is refused.\n",
       1, 1, {"bytes", "messages"}, {{{"bytes", "messages"}, 1, 2}}, UserQuota},
      {"mailbox", "list", "USER [PATTERN]", "list a user's mailboxes",
       "Prints USER's mailboxes matching PATTERN (IMAP LIST syntax: '*' matches\n"
       "anything, '%' anything but '/'; default '*'), sorted by name, one per line\n"
       "with these tab-separated fields:\n"
       "  name  messages  unseen  bytes  uidvalidity  uidnext  highestmodseq  special-use\n"
       "Names are UTF-8 with '/' between levels; special-use is '-' when none.\n",
       1, 2, {}, {}, MailboxList},
      {"mailbox", "create", "USER NAME [--special-use USE]", "create a mailbox",
       "Creates mailbox NAME for USER (and any missing parents), optionally\n"
       "marked with a special use (RFC 6154) such as \\Sent.\n",
       2, 2, {"special-use"}, {}, MailboxCreate},
      {"mailbox", "delete", "USER NAME", "delete a mailbox and its messages",
       "Deletes USER's mailbox NAME with its messages. INBOX cannot be deleted\n"
       "(exit 5); a mailbox with children cannot either until they are (exit 1).\n",
       2, 2, {}, {}, MailboxDelete},
      {"status", "", "[--json]", "show every slot of the cluster",
       "Asks every slot of production.dat over its control channel (all at once;\n"
       "a slot that does not answer within 1 s is shown DOWN) and prints the\n"
       "stores, then one line per slot: machine, store, role in production.dat and\n"
       "as the slot reports it, epoch, up, users, messages, bytes used against the\n"
       "slot's size, open connections, replication lag. Then every problem found:\n"
       "a slot down, a store without a live master, a role, store or epoch that\n"
       "disagrees with production.dat, a slot more than 80% full. Exit 0 when there is none, 8 otherwise.\n"
       "--json prints one object: {\"stores\":[...],\"slots\":[...],\"problems\":[...]}\n"
       "(doc/mailctl.md lists the fields).\n",
       0, 0, {"json"}, {}, nullptr, ClusterStatus},
      {"check", "", "[FILE]", "validate production.dat",
       "Checks FILE (default: the cluster file mailctl uses) against every rule of\n"
       "doc/production-dat.md and prints each problem as 'FILE:LINE: reason' to\n"
       "stderr (exit 5), or one summary line (exit 0).\n",
       0, 1, {}, {}, nullptr, ClusterCheck},
      {"config", "", "SLOT", "print the configuration a slot derives",
       "Prints, as 'key = value' lines, the slotd configuration slot SLOT (e.g.\n"
       "m1:1) derives from production.dat and the machine-local file: what\n"
       "'slotd --cluster FILE --slot SLOT' runs with.\n",
       1, 1, {}, {}, nullptr, ClusterConfig},
      {"failover", "", "STORE [--to SLOT] [--force] [--verify-all] [--json]",
       "move a store's master to a replica",
       "Planned failover of STORE to its replica SLOT (default: its first replica),\n"
       "both running. Step by step, each checked before the next: the master stops\n"
       "taking client writes (sessions get BYE [UNAVAILABLE], LMTP 451 4.3.0);\n"
       "replication drains (at most 60 s); the checksums and counts of every user\n"
       "changed since the last verified point (the master's replicator compared\n"
       "all users when it started; --verify-all: every user) are compared on both\n"
       "slots; the epoch rises; the old master becomes a replica\n"
       "of the new one, which becomes master; production.dat is rewritten (serial\n"
       "+1) with the new master. Any failure before the promotion thaws the old\n"
       "master and changes nothing. Refused (exit 8) when a slot is down or not in\n"
       "the role and epoch production.dat gives it; exit 7 when users differ.\n"
       "--json prints one object: store, old_master, new_master, epoch, replicas,\n"
       "users_compared, verified (changed|all), drain_seconds,\n"
       "writes_refused_seconds, old_master_follows.\n"
       "--force: the old master's machine is gone. Refused while the old master\n"
       "answers as master. The replica is promoted at the next epoch without it\n"
       "and production.dat rewritten; the output says what the new master may\n"
       "lack (what the old one had not replicated, and when the replica last\n"
       "heard from it).\n",
       1, 1, {"to", "force", "verify-all", "json"}, {}, nullptr, ClusterFailover},
      {"drain", "", "MACHINE [--parallel N] [--json]", "move every master off a machine",
       "A planned failover (see 'mailctl failover --help') of every store whose\n"
       "master is on MACHINE, to its replica on another machine (the one on the\n"
       "machine with the fewest masters, so the new masters spread), N at a time\n"
       "(default 4). Refused (exit 8) when a store has no replica elsewhere.\n"
       "Each store's steps are printed when it is done. Exit 0 when every store\n"
       "moved, else the first failing store's code; a store whose failover\n"
       "failed keeps its master. 'mailctl failover STORE' moves one back.\n"
       "--json prints {\"machine\",\"stores\":[{\"store\",\"to\",\"exit\",\"error\",\n"
       "\"failover\"}],\"seconds\",\"ok\"}.\n",
       1, 1, {"parallel", "json"}, {}, nullptr, ClusterDrain},
      {"rejoin", "", "SLOT [--json]", "bring a fenced old master back as a replica",
       "SLOT is a fenced old master: a forced failover promoted another slot while\n"
       "it was down or cut off, and it holds changes its replicas never confirmed.\n"
       "It compares every user with the store's master and copies back what only\n"
       "it has: messages new on it are appended at new UIDs (never over the\n"
       "master's), flags it changed win unless the master changed them later\n"
       "(modseq), its expunges apply only to messages the master has not touched\n"
       "since, and nothing the master deleted comes back. Then it becomes the\n"
       "master's replica and mailctl waits (at most 60 s) until both are equal.\n"
       "Every message copied back is listed (and in the slot's log). Refused\n"
       "(exit 8) unless SLOT is fenced and the master is up at the epoch of\n"
       "production.dat. A failed rejoin leaves SLOT fenced with its changes;\n"
       "running it again copies nothing twice. Exit 8 if not equal in time.\n"
       "--json prints the report: users, copied [{user,mailbox,old_uid,new_uid,\n"
       "guid,why}], copied_total, users_created, mailboxes_created,\n"
       "flags_restored, expunges_applied, notes, equal, seconds.\n",
       1, 1, {"json"}, {}, nullptr, ClusterRejoin},
      {"move", "", "STORE --to SLOT [--retire SLOT] [--json]",
       "add a replica on a spare slot, fill and verify it, retire an old slot",
       "Adds the spare SLOT (running, in no store) to STORE's replicas: production.dat\n"
       "is rewritten (serial +1, it must pass 'mailctl check'), SLOT joins the\n"
       "store, its other slots learn of it, and the master fills it with a full\n"
       "pass (progress on a terminal: users and bytes, ETA). Then every user is\n"
       "compared on the master and SLOT until each has been equal (differences\n"
       "from replication lag are retried, at most 120 s). With --retire, that slot\n"
       "then leaves the store (a master is first moved to SLOT by a planned\n"
       "failover) and becomes a spare; its files stay for you to remove. Without,\n"
       "the store keeps one more copy. Refused (exit 8) when a slot is down or\n"
       "not in its role, exit 5 when SLOT is not a spare or the result fails a\n"
       "check. --json prints {store, added, retired, master, users_verified,\n"
       "filled_seconds, seconds}.\n",
       1, 1, {"to", "retire", "json"}, {{{"to"}, 1, 1}}, nullptr, ClusterMove},
      {"slot", "role", "SLOT master|replica --epoch N", "hand a running slot a role",
       "Tells the running slot SLOT over its control channel to become master or\n"
       "replica at epoch N. The slot refuses an epoch older than one it has seen,\n"
       "and becoming master without a newer epoch; it records the role durably\n"
       "before acting on it. A replica closes its doors: logged-in IMAP sessions\n"
       "get BYE [UNAVAILABLE], logins NO [UNAVAILABLE], LMTP 451 4.3.0.\n"
       "production.dat is not changed (failover does that).\n",
       2, 2, {"epoch"}, {{{"epoch"}, 1, 1}}, nullptr, SlotRole},
  };
  return kCommands;
}

bool ReadsOnly(const CommandSpec& c) {
  return c.handler != nullptr && (c.verb == "list" || c.verb == "show");
}

std::string CommandWords(const CommandSpec& c) {
  return c.verb.empty() ? c.group : c.group + " " + c.verb;
}

const CommandSpec* FindCommand(std::string_view group, std::string_view verb) {
  for (const auto& c : Commands()) {
    if (c.group == group && c.verb == verb) return &c;
  }
  return nullptr;
}

bool IsGroup(std::string_view group) {
  for (const auto& c : Commands()) {
    if (c.group == group) return true;
  }
  return false;
}

}  // namespace slotmail::admin
