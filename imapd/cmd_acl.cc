// ACL (RFC 4314) for a store without sharing: every mailbox belongs to the
// logged-in user, who holds every right on it, and nobody else holds any.
// So MYRIGHTS and GETACL report the owner's full rights; LISTRIGHTS says
// the owner always has them all and anyone else can be given none. SETACL
// and DELETEACL succeed only when they leave that state as it is (the
// owner keeping all rights, another identifier keeping none) and are
// otherwise refused with NO [CANNOT]. See doc/imapd.md "ACL".
#include <string_view>

#include "imap/quote.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// Every RFC 4314 right, with the obsolete "c" and "d" that 2.1.1 asks a
// server to report alongside "k"/"x" and "e"/"t" (RIGHTS=texk servers).
constexpr std::string_view kAllRights = "lrswipkxteacd";

// The rights that are not obsolete; "c" stands for "kx", "d" for "te".
constexpr std::string_view kRights = "lrswipkxtea";

// The identifier's rights after SETACL's `rights` argument (an optional
// "+"/"-" and right letters) is applied to `current`, as a subset of
// kRights in its order. Protocol (-> BAD) for unknown rights (RFC 4314 3.1).
Result<std::string> ApplyRights(std::string_view rights, std::string_view current) {
  char mod = 0;
  if (!rights.empty() && (rights[0] == '+' || rights[0] == '-')) {
    mod = rights[0];
    rights.remove_prefix(1);
  }
  std::string named;
  for (char c : rights) {
    if (kAllRights.find(c) == std::string_view::npos) {
      return Status::Protocol("Unknown right " + std::string(1, c));
    }
    named += c == 'c' ? "kx" : c == 'd' ? "te" : std::string(1, c);
  }
  std::string out;
  for (char c : kRights) {
    const bool had = current.find(c) != std::string_view::npos;
    const bool in = named.find(c) != std::string::npos;
    if (mod == '+' ? (had || in) : mod == '-' ? (had && !in) : in) out += c;
  }
  return out;
}

// Runs `then` with the mailbox's name as stored if `box` (UTF-8) is one
// of the user's mailboxes, else ends the command with NO [NONEXISTENT].
void WithMailbox(Session& s, std::string box, std::function<void(std::string)> then) {
  std::string user = s.user();
  s.Async<Result<store::MailboxInfo>>(
      [user, box](store::Store& st) { return st.GetMailbox(user, box); },
      [&s, then](Result<store::MailboxInfo> r) {
        if (!r.ok()) return s.FinishError(r.status());
        then(r->name);
      });
}

// The mailbox argument and any identifier arguments after it; BAD (and
// false) if they are not there.
bool ParseArgs(Session& s, const imap::Command& cmd, size_t identifiers, std::string* box,
               std::string* identifier, const char* usage) {
  auto name = MailboxArg(cmd, 0, s.names());
  if (cmd.args.size() == 1 + identifiers && !name.ok()) {
    s.FinishBad(name.status().message());
    return false;
  }
  bool ok = name.ok() && cmd.args.size() == 1 + identifiers;
  if (ok && identifiers > 0) {
    auto id = AstringArg(cmd, 1, "identifier");
    ok = id.ok() && !id->empty() && id->find_first_of(std::string("\0\r\n", 3)) == std::string::npos;
    if (ok) *identifier = *id;
  }
  if (!ok) {
    s.FinishBad(usage);
    return false;
  }
  *box = *name;
  return true;
}

bool IsOwner(const Session& s, std::string_view identifier) { return identifier == s.user(); }

}  // namespace

void CmdMyRights(Session& s, imap::Command& cmd) {
  std::string box, unused;
  if (!ParseArgs(s, cmd, 0, &box, &unused, "MYRIGHTS takes a mailbox")) return;
  WithMailbox(s, box, [&s](std::string box) {
    s.Untagged("MYRIGHTS " + MailboxOut(box, s.names()) + " " + std::string(kAllRights));
    s.Finish("OK MYRIGHTS completed");
  });
}

void CmdGetAcl(Session& s, imap::Command& cmd) {
  std::string box, unused;
  if (!ParseArgs(s, cmd, 0, &box, &unused, "GETACL takes a mailbox")) return;
  WithMailbox(s, box, [&s](std::string box) {
    s.Untagged("ACL " + MailboxOut(box, s.names()) + " " + imap::AString(s.user()) + " " +
               std::string(kAllRights));
    s.Finish("OK GETACL completed");
  });
}

void CmdListRights(Session& s, imap::Command& cmd) {
  std::string box, id;
  if (!ParseArgs(s, cmd, 1, &box, &id, "LISTRIGHTS takes a mailbox and an identifier")) return;
  WithMailbox(s, box, [&s, id](std::string box) {
    // The owner is always granted everything; others can be granted nothing.
    const std::string granted = IsOwner(s, id) ? std::string(kAllRights) : "\"\"";
    s.Untagged("LISTRIGHTS " + MailboxOut(box, s.names()) + " " + imap::AString(id) + " " +
               granted);
    s.Finish("OK LISTRIGHTS completed");
  });
}

void CmdSetAcl(Session& s, imap::Command& cmd) {
  std::string box, id;
  if (cmd.args.size() != 3 || !cmd.args[2].IsAstring()) {
    return s.FinishBad("SETACL takes a mailbox, an identifier and rights");
  }
  std::string rights = cmd.args[2].value;
  cmd.args.pop_back();
  if (!ParseArgs(s, cmd, 1, &box, &id, "SETACL takes a mailbox, an identifier and rights")) return;
  // Only the owner's positive entry holds rights; every other entry
  // (another identifier, or a negative "-name" entry) holds none.
  const bool owner_entry = IsOwner(s, id);
  const std::string_view current = owner_entry ? kRights : "";
  auto after = ApplyRights(rights, current);
  if (!after.ok()) return s.FinishBad(after.status().message());
  const bool unchanged = *after == current;
  WithMailbox(s, box, [&s, unchanged](std::string) {
    if (unchanged) return s.Finish("OK SETACL completed (nothing to change)");
    s.Finish("NO [CANNOT] Mailboxes are not shared here; the owner keeps every right");
  });
}

void CmdDeleteAcl(Session& s, imap::Command& cmd) {
  std::string box, id;
  if (!ParseArgs(s, cmd, 1, &box, &id, "DELETEACL takes a mailbox and an identifier")) return;
  const bool owner = IsOwner(s, id);
  WithMailbox(s, box, [&s, owner](std::string) {
    if (owner) return s.Finish("NO [CANNOT] The owner keeps every right");
    s.Finish("OK DELETEACL completed (no such entry)");
  });
}

}  // namespace slotmail::imapd
