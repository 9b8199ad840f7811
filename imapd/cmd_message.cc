// APPEND (with RFC 3502 MULTIAPPEND), CHECK, CLOSE/UNSELECT, EXPUNGE, STORE,
// COPY/MOVE.
#include <ctime>
#include <memory>
#include <optional>

#include "imap/condstore_args.h"
#include "imap/date_time.h"
#include "imap/sequence_set.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "mime/binary_content.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// RFC 3501 7.1: a missing target mailbox is answered with [TRYCREATE].
void FinishWithTryCreate(Session& s, const Status& st) {
  if (st.code() == Code::kNotFound && st.message() == "no such mailbox") {
    return s.Finish("NO [TRYCREATE] No such mailbox");
  }
  s.FinishError(st);
}

bool ReadOnly(Session& s) { return s.selected()->read_only(); }

// The messages of one APPEND. The items point into `bytes`, which the
// command's literals were moved into.
struct AppendMessages {
  std::vector<std::string> bytes;
  std::vector<store::AppendItem> items;
};

struct AppendOutcome {
  Result<std::vector<store::AppendResult>> result;
  std::optional<store::QuotaInfo> quota;  // read after an OVERQUOTA refusal
};

// Reads APPEND's messages from argument `i` on: one or more (RFC 3502
// MULTIAPPEND) of [flag-list] [date-time] message, where the message is a
// literal, a literal8 (RFC 3516 4.4), or with `utf8` (UTF8=ACCEPT or
// IMAP4rev2 enabled) also RFC 6855's "UTF8 (literal8)". Protocol (-> BAD)
// if malformed. Takes the literals out of `cmd`.
Status ParseMessages(imap::Command& cmd, size_t i, bool utf8, AppendMessages* batch) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto& args = cmd.args;
  if (i == args.size()) return Status::Protocol("APPEND needs a message");
  while (i < args.size()) {
    store::AppendItem item;
    item.internal_date = now;
    if (args[i].kind == imap::Arg::kList) {
      ASSIGN_OR_RETURN(item.flags, FlagsArg(args[i++]));
    }
    if (i < args.size() && args[i].kind == imap::Arg::kString && !args[i].literal) {
      auto d = imap::ParseDateTime(args[i++].value);
      if (!d.ok()) return Status::Protocol("Invalid date-time");
      item.internal_date = *d;
    }
    imap::Arg* message = i < args.size() ? &args[i++] : nullptr;
    if (utf8 && message != nullptr && message->kind == imap::Arg::kAtom &&
        imap::EqualsIgnoreCase(message->value, "UTF8") && i < args.size() &&
        args[i].kind == imap::Arg::kList && args[i].list.size() == 1) {
      message = &args[i++].list[0];
    }
    if (message == nullptr || message->kind != imap::Arg::kString || !message->literal) {
      return Status::Protocol(
          "APPEND takes a mailbox and messages: optional flags and date, and a literal");
    }
    if (message->value.empty()) return Status::Protocol("Empty message");
    // RFC 3516 4.4: binary content is kept, its parts re-encoded as base64
    // so that BODY[] can carry them; BINARY[n] decodes them back.
    mime::EncodeBinaryParts(&message->value);
    batch->bytes.push_back(std::move(message->value));
    batch->items.push_back(std::move(item));
  }
  // Only now: growing `bytes` may have moved the strings the items point to.
  for (size_t k = 0; k < batch->items.size(); ++k) batch->items[k].bytes = batch->bytes[k];
  return Status::Ok();
}

}  // namespace

void CmdAppend(Session& s, imap::Command& cmd) {
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  auto batch = std::make_shared<AppendMessages>();
  Status parsed = ParseMessages(cmd, 1, s.utf8(), batch.get());
  if (!parsed.ok()) return s.FinishBad(parsed.message());
  std::string user = s.user(), box = *name;
  NewMailBarrier* barrier = s.server_config().new_mail;
  s.Async<AppendOutcome>(
      [user, box, batch, barrier](store::Store& st) {
        if (barrier != nullptr) {
          if (Status admit = barrier->Admit(user); !admit.ok()) return AppendOutcome{admit, std::nullopt};
        }
        AppendOutcome out{st.AppendBatch(user, box, batch->items), std::nullopt};
        if (out.result.ok() && barrier != nullptr) {
          if (Status confirmed = barrier->Confirm(user); !confirmed.ok()) out.result = confirmed;
        }
        // RFC 9208: an untagged QUOTA may say which limit the append hit.
        if (out.result.status().code() == Code::kOverQuota) {
          auto q = st.GetQuota(user);
          if (q.ok()) out.quota = *q;
        }
        return out;
      },
      [&s](AppendOutcome out) {
        const auto& r = out.result;
        if (!r.ok()) {
          std::string quota = out.quota ? QuotaResponse(*out.quota) : "";
          if (!quota.empty()) s.Untagged(quota);
          return FinishWithTryCreate(s, r.status());
        }
        std::vector<uint32_t> uids;
        for (const auto& a : r.value()) uids.push_back(a.uid);
        // RFC 4315 / RFC 3502: one APPENDUID with the UIDs of all messages.
        s.Finish("OK [APPENDUID " + std::to_string(r->front().uidvalidity) + " " +
                 imap::FormatNumbers(uids) + "] APPEND completed");
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
        // RFC 7162: with CONDSTORE the expunge's modseq (VANISHED carries none).
        std::string code;
        if (r.ok() && s.condstore()) {
          code = "[HIGHESTMODSEQ " + std::to_string(r->highestmodseq) + "] ";
        }
        s.FinishStatus(r.status(), code + name + " completed");
      });
}

void CmdStore(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name == "UID STORE";
  // RFC 7162 3.1.3: STORE set (UNCHANGEDSINCE n) item flags.
  std::optional<uint64_t> unchanged_since;
  if (cmd.args.size() == 4 && cmd.args[1].kind == imap::Arg::kList) {
    auto mods = imap::ParseStoreModifiers(cmd.args[1]);
    if (!mods.ok()) return s.FinishBad(mods.status().message());
    unchanged_since = mods->unchanged_since;
    cmd.args.erase(cmd.args.begin() + 1);
  }
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
  if (unchanged_since) s.Enable(Session::kCondStore);
  std::string user = s.user(), box = s.selected()->name();
  store::Flags f = *flags;
  store::UidSet uids = *set;
  s.Async<Result<store::StoreFlagsResult>>(
      [user, box, uids, op, f, unchanged_since](store::Store& st) {
        return st.StoreFlags(user, box, uids, op, f, unchanged_since);
      },
      [&s, silent, uid](Result<store::StoreFlagsResult> r) {
        if (!r.ok()) return s.FinishError(r.status());
        MailboxView* view = s.selected();
        for (const auto& m : r->changed) {
          for (const auto& line : view->NoteFlags(m)) s.Untagged(line);
          uint32_t seq = view->SeqOf(m.uid);
          // RFC 7162 3.1.3: with CONDSTORE the new MODSEQ is sent even for .SILENT.
          if ((silent && !s.condstore()) || seq == 0) continue;
          s.Untagged(view->FlagsFetch(m, uid, silent));
        }
        // RFC 7162 3.1.3: messages changed since UNCHANGEDSINCE are named
        // (by number, or UID for UID STORE) and left alone.
        std::vector<uint32_t> modified;
        for (uint32_t u : r->failed) {
          const uint32_t n = uid ? u : view->SeqOf(u);
          if (n != 0) modified.push_back(n);
        }
        if (modified.empty()) return s.Finish("OK STORE completed");
        s.Finish("OK [MODIFIED " + imap::FormatNumbers(std::move(modified)) +
                 "] Conditional STORE failed");
      });
}

void CmdCopy(Session& s, imap::Command& cmd) {
  const bool uid = cmd.name.rfind("UID ", 0) == 0;
  const bool move = cmd.name.find("MOVE") != std::string::npos;
  auto set = UidSetArg(cmd, 0, uid, *s.selected());
  if (!set.ok()) return s.FinishBad(set.status().message());
  if (cmd.args.size() != 2) return s.FinishBad("Expected a sequence set and a mailbox");
  auto dst = MailboxArg(cmd, 1, s.names());
  if (!dst.ok()) return s.FinishBad(dst.status().message());
  if (move && ReadOnly(s)) return s.Finish("NO [READ-ONLY] Mailbox is read-only");
  std::string user = s.user(), src = s.selected()->name(), to = *dst;
  store::UidSet uids = *set;
  NewMailBarrier* barrier = s.server_config().new_mail;
  s.Async<Result<store::CopyResult>>(
      [user, src, uids, to, move, barrier](store::Store& st) -> Result<store::CopyResult> {
        if (barrier != nullptr) RETURN_IF_ERROR(barrier->Admit(user));
        auto r = move ? st.Move(user, src, uids, to) : st.Copy(user, src, uids, to);
        if (r.ok() && barrier != nullptr) RETURN_IF_ERROR(barrier->Confirm(user));
        return r;
      },
      [&s, move](Result<store::CopyResult> r) {
        if (!r.ok()) return FinishWithTryCreate(s, r.status());
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
