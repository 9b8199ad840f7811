// SELECT/EXAMINE, CREATE (with RFC 6154 USE), DELETE, RENAME, (UN)SUBSCRIBE,
// LIST (RFC 5258 options, see list_extended.h) and LSUB, STATUS, NAMESPACE,
// ENABLE.
#include "imap/condstore_args.h"
#include "imap/object_id.h"
#include "imap/parser.h"
#include "imap/quote.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/list_extended.h"
#include "imapd/qresync.h"
#include "imapd/recent_claims.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// IMAP4rev2 has no RECENT status item (RFC 9051 6.3.11): it is a syntax error.
constexpr char kNoRecent[] = "STATUS RECENT is not part of IMAP4rev2";

struct Selected {
  store::MailboxInfo info;
  std::vector<store::MessageInfo> messages;
  Resync resync;  // SELECT (QRESYNC ...)
};

// Runs a store call that returns Status and finishes with its outcome.
void RunStatus(Session& s, std::function<Status(store::Store&)> work, std::string ok_text) {
  s.Async<Status>(std::move(work), [&s, ok_text](Status st) { s.FinishStatus(st, ok_text); });
}

// RFC 6154 CREATE-SPECIAL-USE: the special use asked by CREATE's optional
// parameter list "(USE (\Sent))", or "". Protocol (-> BAD) for bad syntax or
// another parameter; *refusal is set instead when the request is well formed
// but cannot be met (-> NO [USEATTR]).
Result<std::string> CreateSpecialUse(const imap::Command& cmd, std::string* refusal) {
  if (cmd.args.size() == 1) return std::string();
  if (cmd.args.size() != 2 || cmd.args[1].kind != imap::Arg::kList) {
    return Status::Protocol("CREATE takes a mailbox and optional parameters");
  }
  const auto& params = cmd.args[1].list;
  std::vector<std::string> uses;
  for (size_t i = 0; i < params.size(); i += 2) {
    if (params[i].kind != imap::Arg::kAtom || imap::AsciiUpper(params[i].value) != "USE" ||
        i + 1 == params.size() || params[i + 1].kind != imap::Arg::kList) {
      return Status::Protocol("Unknown CREATE parameter");
    }
    for (const auto& a : params[i + 1].list) {
      if (a.kind != imap::Arg::kAtom || a.value.empty() || a.value[0] != '\\') {
        return Status::Protocol("Invalid special-use attribute");
      }
      uses.push_back(a.value);
    }
  }
  if (uses.size() > 1) {
    *refusal = "NO [USEATTR] A mailbox can have only one special use here";
  } else if (!uses.empty() && (imap::EqualsIgnoreCase(uses[0], "\\All") ||
                               imap::EqualsIgnoreCase(uses[0], "\\Flagged"))) {
    // Those are views of other mailboxes' messages, which this store has not.
    *refusal = "NO [USEATTR] Virtual \\All and \\Flagged mailboxes are not supported";
  }
  return uses.empty() ? std::string() : uses[0];
}

// What LIST found: the entries, and for LIST-STATUS the status of each
// existing one (nullopt where it could not be read; RFC 5819 lets it go).
struct Listing {
  std::vector<ListEntry> entries;
  std::vector<std::optional<MailboxStatus>> status;
};

void ListSubscriptions(Session& s, const imap::Command& cmd) {
  if (cmd.args.size() != 2) return s.FinishBad("LSUB takes a reference and a pattern");
  auto ref = PatternFrom(cmd.args[0], s.names());
  if (!ref.ok()) return s.FinishBad(ref.status().message());
  auto pat = PatternFrom(cmd.args[1], s.names());
  if (!pat.ok()) return s.FinishBad(pat.status().message());
  if (pat->empty()) {
    // RFC 3501 6.3.9: an empty pattern asks for the hierarchy delimiter.
    s.Untagged("LSUB (\\Noselect) \"/\" \"\"");
    return s.Finish("OK LSUB completed");
  }
  std::string user = s.user(), pattern = *ref + *pat;
  s.Async<Result<std::vector<LsubEntry>>>(
      [user, pattern](store::Store& st) -> Result<std::vector<LsubEntry>> {
        ASSIGN_OR_RETURN(auto subscriptions, st.ListSubscriptions(user));
        return BuildLsub(pattern, subscriptions);
      },
      [&s](Result<std::vector<LsubEntry>> r) {
        if (!r.ok()) return s.FinishError(r.status());
        for (const auto& e : *r) {
          s.Untagged(std::string("LSUB (") + (e.noselect ? "\\Noselect" : "") + ") \"/\" " +
                     MailboxOut(e.name, s.names()));
        }
        s.Finish("OK LSUB completed");
      });
}

}  // namespace

void CmdSelect(Session& s, imap::Command& cmd) {
  const bool examine = cmd.name == "EXAMINE";
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  auto params = imap::ParseSelectParams({cmd.args.begin() + 1, cmd.args.end()});
  if (!params.ok()) return s.FinishBad(params.status().message());
  // RFC 7162 3.2.5: QRESYNC only after ENABLE QRESYNC.
  if (params->qresync && !s.qresync()) return s.FinishBad("QRESYNC needs ENABLE QRESYNC first");
  // RFC 9051 6.3.2, RFC 7162 3.2.11: closing the selected mailbox is
  // announced, whether or not the new one opens. (Plain IMAP4rev1 clients
  // never asked for CLOSED.)
  if (s.selected() != nullptr && (s.rev2() || s.qresync())) {
    s.Untagged("OK [CLOSED] Previous mailbox closed");
  }
  // RFC 3501 6.3.1: a failed SELECT leaves no mailbox selected.
  s.Unselect();
  if (params->condstore) s.Enable(Session::kCondStore);  // RFC 7162 3.1.8
  std::string user = s.user(), box = *name;
  std::optional<imap::QresyncParams> qresync = params->qresync;
  s.Async<Result<Selected>>(
      [user, box, qresync](store::Store& st) -> Result<Selected> {
        Selected sel;
        ASSIGN_OR_RETURN(sel.info, st.GetMailbox(user, box));
        ASSIGN_OR_RETURN(sel.messages, st.FetchByUid(user, box, {{1, UINT32_MAX}}));
        if (qresync) {
          ASSIGN_OR_RETURN(sel.resync, ReadResync(st, user, sel.info, *qresync));
        }
        return sel;
      },
      [&s, examine](Result<Selected> r) {
        if (!r.ok()) return s.FinishError(r.status());
        // RFC 3501 2.3.2: SELECT claims the messages no session was told of
        // yet as \Recent here; EXAMINE only counts them (RFC 3501 6.3.2).
        RecentClaim claim =
            s.rev2() ? nullptr
                     : ClaimFor(&s.server().recent_claims(), s.user(), r->info, examine);
        auto view = std::make_unique<MailboxView>(r->info, r->messages, examine, std::move(claim));
        for (const auto& line : view->FlagsResponses()) s.Untagged(line);
        s.Untagged(std::to_string(view->exists()) + " EXISTS");
        if (s.rev2()) {
          // RFC 9051 6.3.2: a LIST response instead of RECENT and UNSEEN.
          s.Untagged(ListResponse(PlainListEntry(r->info), s.names()));
        } else {
          s.Untagged(std::to_string(view->recent_count()) + " RECENT");
          for (const auto& m : r->messages) {
            if (!(m.flags.system & store::kFlagSeen)) {
              s.Untagged("OK [UNSEEN " + std::to_string(view->SeqOf(m.uid)) + "] First unseen");
              break;
            }
          }
        }
        s.Untagged("OK [UIDVALIDITY " + std::to_string(r->info.uidvalidity) + "] UIDs valid");
        s.Untagged("OK [UIDNEXT " + std::to_string(r->info.uidnext) + "] Predicted next UID");
        // RFC 7162 3.1.2: every mailbox has modseqs, so always HIGHESTMODSEQ.
        s.Untagged("OK [HIGHESTMODSEQ " + std::to_string(r->info.highestmodseq) + "] Highest");
        s.Untagged("OK [MAILBOXID (" + imap::MailboxId(r->info.id) + ")] Ok");  // RFC 8474
        s.Select(std::move(view));
        for (const auto& line : ResyncResponses(r->resync, *s.selected())) s.Untagged(line);
        s.Finish(examine ? "OK [READ-ONLY] EXAMINE completed" : "OK [READ-WRITE] SELECT completed");
      });
}

void CmdCreate(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string refusal;
  auto use = CreateSpecialUse(cmd, &refusal);
  if (!use.ok()) return s.FinishBad(use.status().message());
  if (!refusal.empty()) return s.Finish(refusal);
  std::string box = *name;
  // RFC 3501 6.3.3: a trailing separator announces children; drop it.
  while (box.size() > 1 && box.back() == '/') box.pop_back();
  std::string user = s.user(), special_use = *use;
  s.Async<Result<store::MailboxInfo>>(
      [user, box, special_use](store::Store& st) -> Result<store::MailboxInfo> {
        RETURN_IF_ERROR(st.CreateMailbox(user, box, special_use));
        return st.GetMailbox(user, box);
      },
      [&s](Result<store::MailboxInfo> r) {
        if (!r.ok()) return s.FinishError(r.status());
        // RFC 8474: the new mailbox's id in the tagged OK.
        s.Finish("OK [MAILBOXID (" + imap::MailboxId(r->id) + ")] CREATE completed");
      });
}

void CmdDelete(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string user = s.user(), box = *name;
  RunStatus(s, [user, box](store::Store& st) { return st.DeleteMailbox(user, box); },
            "DELETE completed");
}

void CmdRename(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 2) return s.FinishBad("RENAME takes two mailbox names");
  auto from = MailboxArg(cmd, 0, s.names());
  if (!from.ok()) return s.FinishBad(from.status().message());
  auto to = MailboxArg(cmd, 1, s.names());
  if (!to.ok()) return s.FinishBad(to.status().message());
  std::string user = s.user(), a = *from, b = *to;
  RunStatus(s, [user, a, b](store::Store& st) { return st.RenameMailbox(user, a, b); },
            "RENAME completed");
}

void CmdSubscribe(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0, s.names());
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
  if (cmd.name == "LSUB") return ListSubscriptions(s, cmd);
  auto parsed = ParseList(cmd, s.names());
  if (!parsed.ok()) return s.FinishBad(parsed.status().message());
  if (s.rev2() && parsed->return_status && AsksRecent(*parsed->return_status)) {
    return s.FinishBad(kNoRecent);
  }
  if (parsed->delimiter_only) {
    // RFC 3501 6.3.8: an empty pattern asks for the hierarchy delimiter.
    s.Untagged("LIST (\\Noselect) \"/\" \"\"");
    return s.Finish("OK LIST completed");
  }
  auto req = std::make_shared<const ListRequest>(std::move(*parsed));
  std::string user = s.user();
  const RecentClaims* recent = &s.server().recent_claims();
  s.Async<Result<Listing>>(
      [user, req, recent](store::Store& st) -> Result<Listing> {
        ASSIGN_OR_RETURN(auto boxes, st.ListMailboxes(user));
        ASSIGN_OR_RETURN(auto subscriptions, st.ListSubscriptions(user));
        Listing l;
        l.entries = BuildList(*req, boxes, subscriptions);
        for (const auto& e : l.entries) {
          std::optional<MailboxStatus> status;
          if (req->return_status && e.exists) {
            auto r = ReadStatus(st, user, e.info, *req->return_status, *recent);
            if (r.ok()) status = std::move(*r);
          }
          l.status.push_back(std::move(status));
        }
        return l;
      },
      [&s, req](Result<Listing> r) {
        if (!r.ok()) return s.FinishError(r.status());
        const uint64_t limit = AppendLimit(s.server_config());
        for (size_t i = 0; i < r->entries.size(); ++i) {
          s.Untagged(ListResponse(r->entries[i], s.names()));
          if (r->status[i]) {
            s.Untagged(StatusResponse(*r->status[i], *req->return_status, limit, s.names()));
          }
        }
        s.Finish("OK LIST completed");
      });
}

void CmdStatus(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 2) return s.FinishBad("STATUS takes a mailbox and a list of items");
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  auto items = ParseStatusItems(cmd.args[1]);
  if (!items.ok()) return s.FinishBad(items.status().message());
  if (s.rev2() && AsksRecent(*items)) return s.FinishBad(kNoRecent);
  if (AsksHighestModSeq(*items)) s.Enable(Session::kCondStore);  // RFC 7162 3.1
  std::string user = s.user(), box = *name;
  StatusRequest req = *items;
  const RecentClaims* recent = &s.server().recent_claims();
  s.Async<Result<MailboxStatus>>(
      [user, box, req, recent](store::Store& st) -> Result<MailboxStatus> {
        ASSIGN_OR_RETURN(store::MailboxInfo info, st.GetMailbox(user, box));
        return ReadStatus(st, user, std::move(info), req, *recent);
      },
      [&s, req](Result<MailboxStatus> r) {
        if (!r.ok()) return s.FinishError(r.status());
        s.Untagged(StatusResponse(*r, req, AppendLimit(s.server_config()), s.names()));
        s.Finish("OK STATUS completed");
      });
}

void CmdNamespace(Session& s, imap::Command&) {
  s.Untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  s.Finish("OK NAMESPACE completed");
}

// RFC 5161. ENABLED lists what this command turned on: a capability named
// twice, or already on, is not listed (again); unknown ones are ignored.
void CmdEnable(Session& s, imap::Command& cmd) {
  static const std::pair<const char*, Session::Extension> kEnableable[] = {
      {"IMAP4rev2", Session::kImap4rev2},
      {"UTF8=ACCEPT", Session::kUtf8Accept},
      {"CONDSTORE", Session::kCondStore},
      {"QRESYNC", Session::kQresync},
  };
  if (cmd.args.empty()) return s.FinishBad("ENABLE needs at least one capability");
  for (const auto& a : cmd.args) {
    if (!a.IsAtom()) return s.FinishBad("ENABLE takes capability names");
  }
  std::string enabled = "ENABLED";
  for (const auto& a : cmd.args) {
    for (const auto& [name, ext] : kEnableable) {
      if (imap::EqualsIgnoreCase(a.value, name) && s.Enable(ext)) {
        enabled += std::string(" ") + name;
      }
    }
  }
  s.Untagged(enabled);
  s.Finish("OK ENABLE completed");
}

}  // namespace slotmail::imapd
