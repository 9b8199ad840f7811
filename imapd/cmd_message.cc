// APPEND, CHECK, CLOSE/UNSELECT, EXPUNGE, STORE, COPY/MOVE.
#include <ctime>

#include "imap/date_time.h"
#include "imap/sequence_set.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// RFC 3501 7.1: a missing target mailbox is answered with [TRYCREATE].
std::string ResponseWithTryCreate(const Status& st) {
  if (st.code() == Code::kNotFound && st.message() == "no such mailbox") {
    return "NO [TRYCREATE] No such mailbox";
  }
  return ResponseFor(st);
}

bool ReadOnly(Session& s) { return s.selected()->read_only(); }

}  // namespace

void CmdAppend(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0);
  if (!name.ok()) return s.FinishBad(name.status().message());
  size_t i = 1;
  store::Flags flags;
  int64_t date = static_cast<int64_t>(std::time(nullptr));
  if (i < cmd.args.size() && cmd.args[i].kind == imap::Arg::kList) {
    auto f = FlagsArg(cmd.args[i++]);
    if (!f.ok()) return s.FinishBad(f.status().message());
    flags = *f;
  }
  if (i < cmd.args.size() && cmd.args[i].kind == imap::Arg::kString && !cmd.args[i].literal) {
    auto d = imap::ParseDateTime(cmd.args[i++].value);
    if (!d.ok()) return s.FinishBad("Invalid date-time");
    date = *d;
  }
  if (i + 1 != cmd.args.size() || cmd.args[i].kind != imap::Arg::kString) {
    return s.FinishBad("APPEND takes a mailbox, optional flags and date, and a message literal");
  }
  if (cmd.args[i].value.empty()) return s.FinishBad("Empty message");
  std::string user = s.user(), box = *name;
  auto message = std::make_shared<std::string>(std::move(cmd.args[i].value));
  s.Async<Result<store::AppendResult>>(
      [user, box, message, flags, date](store::Store& st) {
        return st.Append(user, box, *message, flags, date);
      },
      [&s](Result<store::AppendResult> r) {
        if (!r.ok()) return s.Finish(ResponseWithTryCreate(r.status()));
        s.Finish("OK [APPENDUID " + std::to_string(r->uidvalidity) + " " + std::to_string(r->uid) +
                 "] APPEND completed");
      });
}

// Every change is durable before its OK, so a checkpoint has nothing to do.
void CmdCheck(Session& s, imap::Command&) { s.Finish("OK CHECK completed"); }

void CmdClose(Session& s, imap::Command& cmd) {
  if (!cmd.args.empty()) return s.FinishBad(cmd.name + " takes no arguments");
  if (cmd.name == "UNSELECT" || ReadOnly(s)) {
    s.Unselect();
    return s.Finish("OK " + cmd.name + " completed");
  }
  // RFC 3501 6.4.2: CLOSE expunges silently, then leaves the mailbox.
  std::string user = s.user(), box = s.selected()->name();
  s.Unselect();
  s.Async<Result<store::ExpungeResult>>(
      [user, box](store::Store& st) { return st.Expunge(user, box); },
      [&s](Result<store::ExpungeResult> r) { s.FinishStatus(r.status(), "CLOSE completed"); });
}

void CmdExpunge(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name == "UID EXPUNGE";
  if (ReadOnly(s)) return s.Finish("NO [READ-ONLY] Mailbox is read-only");
  std::optional<store::UidSet> uids;
  if (uid) {
    auto set = UidSetArg(cmd, 0, true, *s.selected());
    if (!set.ok()) return s.FinishBad(set.status().message());
    uids = *set;
  } else if (!cmd.args.empty()) {
    return s.FinishBad("EXPUNGE takes no arguments");
  }
  std::string user = s.user(), box = s.selected()->name();
  s.Async<Result<store::ExpungeResult>>(
      [user, box, uids](store::Store& st) { return st.Expunge(user, box, uids); },
      [&s, name = cmd.name](Result<store::ExpungeResult> r) {
        s.FinishStatus(r.status(), name + " completed");
      });
}

void CmdStore(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name == "UID STORE";
  if (cmd.args.size() != 3 || cmd.args[1].kind != imap::Arg::kAtom) {
    return s.FinishBad("STORE takes a sequence set, an item and flags");
  }
  auto set = UidSetArg(cmd, 0, uid, *s.selected());
  if (!set.ok()) return s.FinishBad(set.status().message());
  std::string item = imap::AsciiUpper(cmd.args[1].value);
  store::FlagOp op = store::FlagOp::kReplace;
  if (!item.empty() && item[0] == '+') op = store::FlagOp::kAdd;
  if (!item.empty() && item[0] == '-') op = store::FlagOp::kRemove;
  if (op != store::FlagOp::kReplace) item.erase(0, 1);
  const bool silent = item == "FLAGS.SILENT";
  if (item != "FLAGS" && !silent) return s.FinishBad("Unknown STORE item");
  auto flags = FlagsArg(cmd.args[2]);
  if (!flags.ok()) return s.FinishBad(flags.status().message());
  if (ReadOnly(s)) return s.Finish("NO [READ-ONLY] Mailbox is read-only");
  std::string user = s.user(), box = s.selected()->name();
  store::Flags f = *flags;
  store::UidSet uids = *set;
  s.Async<Result<store::StoreFlagsResult>>(
      [user, box, uids, op, f](store::Store& st) { return st.StoreFlags(user, box, uids, op, f); },
      [&s, silent, uid](Result<store::StoreFlagsResult> r) {
        if (!r.ok()) return s.Finish(ResponseFor(r.status()));
        MailboxView* view = s.selected();
        for (const auto& m : r->changed) {
          view->NoteFlags(m);
          uint32_t seq = view->SeqOf(m.uid);
          if (silent || seq == 0) continue;
          s.Untagged(std::to_string(seq) + " FETCH (FLAGS " + FlagList(m.flags, view->IsRecent(m.uid)) +
                     (uid ? " UID " + std::to_string(m.uid) : "") + ")");
        }
        s.Finish("OK STORE completed");
      });
}

void CmdCopy(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name.rfind("UID ", 0) == 0;
  const bool move = cmd.name.find("MOVE") != std::string::npos;
  auto set = UidSetArg(cmd, 0, uid, *s.selected());
  if (!set.ok()) return s.FinishBad(set.status().message());
  auto dst = MailboxArg(cmd, 1);
  if (!dst.ok() || cmd.args.size() != 2) return s.FinishBad("Expected a sequence set and a mailbox");
  if (move && ReadOnly(s)) return s.Finish("NO [READ-ONLY] Mailbox is read-only");
  std::string user = s.user(), src = s.selected()->name(), to = *dst;
  store::UidSet uids = *set;
  s.Async<Result<store::CopyResult>>(
      [user, src, uids, to, move](store::Store& st) {
        return move ? st.Move(user, src, uids, to) : st.Copy(user, src, uids, to);
      },
      [&s, move](Result<store::CopyResult> r) {
        if (!r.ok()) return s.Finish(ResponseWithTryCreate(r.status()));
        std::string code;
        if (!r->src_uids.empty()) {
          code = "[COPYUID " + std::to_string(r->dst_uidvalidity) + " " +
                 imap::FormatNumbers(r->src_uids) + " " + imap::FormatNumbers(r->dst_uids) + "] ";
        }
        if (move) {
          // RFC 6851: COPYUID goes in an untagged OK before the EXPUNGEs.
          if (!code.empty()) s.Untagged("OK " + code + "Moved");
          return s.Finish("OK MOVE completed");
        }
        s.Finish("OK " + code + "COPY completed");
      });
}

}  // namespace slotmail::imapd
