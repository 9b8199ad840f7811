// SELECT/EXAMINE, CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST/LSUB, STATUS,
// NAMESPACE, ENABLE.
#include "imap/parser.h"
#include "imap/quote.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

constexpr char kSystemFlags[] = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

struct Selected {
  store::MailboxInfo info;
  std::vector<store::MessageInfo> messages;
};

// Runs a store call that returns Status and finishes with its outcome.
void RunStatus(Session& s, std::function<Status(store::Store&)> work, std::string ok_text) {
  s.Async<Status>(std::move(work), [&s, ok_text](Status st) { s.FinishStatus(st, ok_text); });
}

std::string ListAttributes(const store::MailboxInfo& m) {
  std::string attrs = m.has_children ? "\\HasChildren" : "\\HasNoChildren";
  if (!m.special_use.empty()) attrs += " " + m.special_use;
  return attrs;
}

}  // namespace

void CmdSelect(Session& s, imap::Command& cmd) {
  const bool examine = cmd.name == "EXAMINE";
  auto name = MailboxArg(cmd, 0);
  if (!name.ok()) return s.FinishBad(name.status().message());
  if (cmd.args.size() > 1) return s.FinishBad("SELECT parameters are not supported");
  // RFC 3501 6.3.1: a failed SELECT leaves no mailbox selected.
  s.Unselect();
  std::string user = s.user(), box = *name;
  s.Async<Result<Selected>>(
      [user, box](store::Store& st) -> Result<Selected> {
        Selected sel;
        ASSIGN_OR_RETURN(sel.info, st.GetMailbox(user, box));
        ASSIGN_OR_RETURN(sel.messages, st.FetchByUid(user, box, {{1, UINT32_MAX}}));
        return sel;
      },
      [&s, examine](Result<Selected> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        auto view = std::make_unique<MailboxView>(r->info, r->messages, examine);
        s.Untagged(std::string("FLAGS (") + kSystemFlags + ")");
        s.Untagged(std::string("OK [PERMANENTFLAGS (") + kSystemFlags +
                   (examine ? "" : " \\*") + ")] Flags permitted");
        s.Untagged(std::to_string(view->exists()) + " EXISTS");
        s.Untagged("0 RECENT");
        for (const auto& m : r->messages) {
          if (!(m.flags.system & store::kFlagSeen)) {
            s.Untagged("OK [UNSEEN " + std::to_string(view->SeqOf(m.uid)) + "] First unseen");
            break;
          }
        }
        s.Untagged("OK [UIDVALIDITY " + std::to_string(r->info.uidvalidity) + "] UIDs valid");
        s.Untagged("OK [UIDNEXT " + std::to_string(r->info.uidnext) + "] Predicted next UID");
        s.Select(std::move(view));
        s.Finish(examine ? "OK [READ-ONLY] EXAMINE completed" : "OK [READ-WRITE] SELECT completed");
      });
}

void CmdCreate(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0);
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string box = *name;
  // RFC 3501 6.3.3: a trailing separator announces children; drop it.
  while (box.size() > 1 && box.back() == '/') box.pop_back();
  std::string user = s.user();
  RunStatus(s, [user, box](store::Store& st) { return st.CreateMailbox(user, box); },
            "CREATE completed");
}

void CmdDelete(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0);
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string user = s.user(), box = *name;
  RunStatus(s, [user, box](store::Store& st) { return st.DeleteMailbox(user, box); },
            "DELETE completed");
}

void CmdRename(Session& s, imap::Command& cmd) {
  auto from = MailboxArg(cmd, 0);
  auto to = MailboxArg(cmd, 1);
  if (!from.ok() || !to.ok()) return s.FinishBad("RENAME takes two mailbox names");
  std::string user = s.user(), a = *from, b = *to;
  RunStatus(s, [user, a, b](store::Store& st) { return st.RenameMailbox(user, a, b); },
            "RENAME completed");
}

void CmdSubscribe(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0);
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string user = s.user(), box = *name;
  if (cmd.name == "SUBSCRIBE") {
    RunStatus(s, [user, box](store::Store& st) { return st.Subscribe(user, box); },
              "SUBSCRIBE completed");
  } else {
    RunStatus(s, [user, box](store::Store& st) { return st.Unsubscribe(user, box); },
              "UNSUBSCRIBE completed");
  }
}

void CmdList(Session& s, imap::Command& cmd) {
  const bool lsub = cmd.name == "LSUB";
  auto ref = MailboxArg(cmd, 0);
  auto pat = MailboxArg(cmd, 1);
  if (!ref.ok() || !pat.ok() || cmd.args.size() != 2) {
    return s.FinishBad(std::string(cmd.name) + " takes a reference and a pattern");
  }
  if (pat->empty()) {
    // RFC 3501 6.3.8: an empty pattern asks for the hierarchy delimiter.
    s.Untagged(std::string(cmd.name) + " (\\Noselect) \"/\" \"\"");
    return s.Finish("OK " + cmd.name + " completed");
  }
  std::string pattern = *ref + *pat;
  std::string user = s.user();
  if (lsub) {
    s.Async<Result<std::vector<std::string>>>(
        [user, pattern](store::Store& st) { return st.ListSubscriptions(user, pattern); },
        [&s](Result<std::vector<std::string>> r) {
          if (!r.ok()) return s.Finish(ResponseFor(r.status()));
          for (const auto& name : *r) s.Untagged("LSUB () \"/\" " + MailboxOut(name));
          s.Finish("OK LSUB completed");
        });
    return;
  }
  s.Async<Result<std::vector<store::MailboxInfo>>>(
      [user, pattern](store::Store& st) { return st.ListMailboxes(user, pattern); },
      [&s](Result<std::vector<store::MailboxInfo>> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        for (const auto& m : *r) {
          s.Untagged("LIST (" + ListAttributes(m) + ") \"/\" " + MailboxOut(m.name));
        }
        s.Finish("OK LIST completed");
      });
}

void CmdStatus(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0);
  if (!name.ok() || cmd.args.size() != 2 || cmd.args[1].kind != imap::Arg::kList) {
    return s.FinishBad("STATUS takes a mailbox and a list of items");
  }
  std::vector<std::string> items;
  for (const auto& a : cmd.args[1].list) {
    std::string item = imap::AsciiUpper(a.value);
    if (item != "MESSAGES" && item != "RECENT" && item != "UIDNEXT" && item != "UIDVALIDITY" &&
        item != "UNSEEN") {
      return s.FinishBad("Unknown STATUS item");
    }
    items.push_back(item);
  }
  std::string user = s.user(), box = *name;
  s.Async<Result<store::MailboxInfo>>(
      [user, box](store::Store& st) { return st.GetMailbox(user, box); },
      [&s, items](Result<store::MailboxInfo> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        std::string out;
        for (const auto& item : items) {
          uint64_t v = item == "MESSAGES"      ? r->messages
                       : item == "RECENT"      ? 0
                       : item == "UIDNEXT"     ? r->uidnext
                       : item == "UIDVALIDITY" ? r->uidvalidity
                                               : r->unseen;
          if (!out.empty()) out += " ";
          out += item + " " + std::to_string(v);
        }
        s.Untagged("STATUS " + MailboxOut(r->name) + " (" + out + ")");
        s.Finish("OK STATUS completed");
      });
}

void CmdNamespace(Session& s, imap::Command&) {
  s.Untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  s.Finish("OK NAMESPACE completed");
}

// RFC 5161. Nothing here changes behaviour when enabled yet, so nothing is
// reported as enabled.
void CmdEnable(Session& s, imap::Command& cmd) {
  if (cmd.args.empty()) return s.FinishBad("ENABLE needs at least one capability");
  s.Untagged("ENABLED");
  s.Finish("OK ENABLE completed");
}

}  // namespace slotmail::imapd
