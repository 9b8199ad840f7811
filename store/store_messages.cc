// Store: messages — append, copy, move, flags, expunge, and reads.
#include "common/hash.h"
#include "common/limits.h"
#include "store/flags.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

Result<std::string> Canonical(std::string_view user, std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return CanonicalMailboxName(name);
}

// Allocates the next UID of `box`.
Result<uint32_t> NextUid(MailboxRow* box) {
  if (box->info.uidnext == UINT32_MAX) return Status::TooBig("mailbox UID space exhausted");
  return box->info.uidnext++;
}

// Copies `msgs` into `dst` with new UIDs and one new modseq. Fills `out`.
Status CopyInto(UserIndex* ix, const std::vector<MessageInfo>& msgs, MailboxRow* dst,
                CopyResult* out) {
  out->dst_uidvalidity = dst->info.uidvalidity;
  if (msgs.empty()) return Status::Ok();
  const uint64_t modseq = ++dst->info.highestmodseq;
  for (MessageInfo m : msgs) {
    out->src_uids.push_back(m.uid);
    ASSIGN_OR_RETURN(m.uid, NextUid(dst));
    m.modseq = modseq;
    RETURN_IF_ERROR(ix->InsertMessage(dst->id, m));
    CountIn(dst, m);
    out->dst_uids.push_back(m.uid);
  }
  return ix->UpdateMailboxState(*dst);
}

// Removes `msgs` from `box`, leaving tombstones at one new modseq.
Status ExpungeRows(UserIndex* ix, const std::vector<MessageInfo>& msgs, MailboxRow* box) {
  if (msgs.empty()) return Status::Ok();
  const uint64_t modseq = ++box->info.highestmodseq;
  for (const auto& m : msgs) {
    RETURN_IF_ERROR(ix->DeleteMessage(box->id, m.uid));
    RETURN_IF_ERROR(ix->InsertTombstone(box->id, m.uid, modseq));
    CountOut(box, m);
  }
  return ix->UpdateMailboxState(*box);
}

uint64_t TotalSize(const std::vector<MessageInfo>& msgs) {
  uint64_t total = 0;
  for (const auto& m : msgs) total += m.size;
  return total;
}

std::vector<std::string> Guids(const std::vector<MessageInfo>& msgs) {
  std::vector<std::string> out;
  for (const auto& m : msgs) out.push_back(m.guid);
  return out;
}

}  // namespace

Result<AppendResult> Store::Append(std::string_view user, std::string_view mailbox,
                                   std::string_view bytes, const Flags& flags,
                                   int64_t internal_date) {
  ASSIGN_OR_RETURN(auto results, AppendBatch(user, mailbox, {AppendItem{bytes, flags, internal_date}}));
  return results.front();
}

// COPY and MOVE: the copies share the blobs; MOVE then expunges the
// originals (leaving tombstones) in the same transaction, so its quota use
// does not change. Both are synced before they return (new mail in the
// destination, like Append), and MOVE's removal is in the same commit as
// its copies: the source never loses mail the destination does not have.
// A client's COPY + EXPUNGE (MOVE without the extension) is safe too: the
// COPY is synced first, and the user's WAL keeps its commits in order.
Result<CopyResult> Store::CopyOrMove(std::string_view user, std::string_view src,
                                     const UidSet& uids, std::string_view dst, bool move) {
  ASSIGN_OR_RETURN(std::string from, Canonical(user, src));
  ASSIGN_OR_RETURN(std::string to, CanonicalMailboxName(dst));
  auto result = impl_->Write(user, [&](UserIndex* ix) -> Result<CopyResult> {
    ASSIGN_OR_RETURN(MailboxRow s, RequireMailbox(ix, from));
    ASSIGN_OR_RETURN(MailboxRow d, RequireMailbox(ix, to));
    ASSIGN_OR_RETURN(auto msgs, MessagesIn(ix, s.id, uids));
    if (!move && !msgs.empty()) {  // copying nothing costs nothing, even over quota
      ASSIGN_OR_RETURN(QuotaInfo q, ReadQuota(ix));
      RETURN_IF_ERROR(CheckQuota(q, msgs.size(), TotalSize(msgs)));
    }
    CopyResult out;
    RETURN_IF_ERROR(CopyInto(ix, msgs, &d, &out));
    if (move) {
      // Moving within one mailbox: the originals leave the row CopyInto updated.
      RETURN_IF_ERROR(ExpungeRows(ix, msgs, s.id == d.id ? &d : &s));
    } else {
      RETURN_IF_ERROR(AddUsage(ix, static_cast<int64_t>(msgs.size()),
                               static_cast<int64_t>(TotalSize(msgs))));
    }
    return out;
  });
  if (result.ok()) {
    if (move) impl_->Notify(user, from);
    impl_->Notify(user, to);
  }
  return result;
}

Result<CopyResult> Store::Copy(std::string_view user, std::string_view src, const UidSet& uids,
                               std::string_view dst) {
  return CopyOrMove(user, src, uids, dst, /*move=*/false);
}

Result<CopyResult> Store::Move(std::string_view user, std::string_view src, const UidSet& uids,
                               std::string_view dst) {
  return CopyOrMove(user, src, uids, dst, /*move=*/true);
}

Result<StoreFlagsResult> Store::StoreFlags(std::string_view user, std::string_view mailbox,
                                           const UidSet& uids, FlagOp op, const Flags& flags,
                                           std::optional<uint64_t> unchanged_since) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  Flags arg = flags;
  RETURN_IF_ERROR(NormalizeFlags(&arg));
  auto result = impl_->Write(user, [&](UserIndex* ix) -> Result<StoreFlagsResult> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    ASSIGN_OR_RETURN(auto msgs, MessagesIn(ix, row.id, uids));
    StoreFlagsResult out;
    uint64_t modseq = 0;  // allocated on the first real change
    for (MessageInfo m : msgs) {
      if (unchanged_since && m.modseq > *unchanged_since) {
        out.failed.push_back(m.uid);
        continue;
      }
      Flags next = ApplyFlagOp(m.flags, op, arg);
      if (next.keywords.size() > limits::kMaxKeywordsPerMessage) {
        return Status::TooBig("too many keywords on one message");
      }
      if (next == m.flags) continue;
      if (modseq == 0) modseq = ++row.info.highestmodseq;
      CountOut(&row, m);
      m.flags = std::move(next);
      m.modseq = modseq;
      CountIn(&row, m);
      RETURN_IF_ERROR(ix->UpdateFlags(row.id, m.uid, m.flags, m.modseq));
      out.changed.push_back(std::move(m));
    }
    if (modseq != 0) RETURN_IF_ERROR(ix->UpdateMailboxState(row));
    out.highestmodseq = row.info.highestmodseq;
    return out;
  }, SyncPolicy::kLazy);
  if (result.ok() && !result->changed.empty()) impl_->Notify(user, box);
  return result;
}

Result<ExpungeResult> Store::Expunge(std::string_view user, std::string_view mailbox,
                                     const std::optional<UidSet>& uids) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  std::vector<std::string> guids;
  auto result = impl_->Write(user, [&](UserIndex* ix) -> Result<ExpungeResult> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    ASSIGN_OR_RETURN(auto msgs, MessagesIn(ix, row.id, uids ? *uids : UidSet{{1, UINT32_MAX}}));
    std::vector<MessageInfo> doomed;
    for (auto& m : msgs) {
      if (m.flags.system & kFlagDeleted) doomed.push_back(std::move(m));
    }
    RETURN_IF_ERROR(ExpungeRows(ix, doomed, &row));
    RETURN_IF_ERROR(AddUsage(ix, -static_cast<int64_t>(doomed.size()),
                             -static_cast<int64_t>(TotalSize(doomed))));
    guids = Guids(doomed);
    ExpungeResult out;
    for (const auto& m : doomed) out.uids.push_back(m.uid);
    out.highestmodseq = row.info.highestmodseq;
    return out;
  }, SyncPolicy::kLazy);
  if (result.ok()) {
    impl_->CollectBlobsWhenDurable(user, std::move(guids));
    if (!result->uids.empty()) impl_->Notify(user, box);
  }
  return result;
}

Result<std::vector<MessageInfo>> Store::FetchByUid(std::string_view user, std::string_view mailbox,
                                                   const UidSet& uids) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<MessageInfo>> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    return MessagesIn(ix, row.id, uids);
  });
}

Result<std::vector<MessageInfo>> Store::FetchBySeq(std::string_view user, std::string_view mailbox,
                                                   const UidSet& seqs) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<MessageInfo>> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    ASSIGN_OR_RETURN(auto all, ix->AllUids(row.id));
    UidSet uid_ranges;
    for (const UidRange& r : MergeRanges(seqs)) {
      if (r.lo == 0 || r.lo > all.size()) continue;
      uint32_t hi = std::min<uint64_t>(r.hi, all.size());
      uid_ranges.push_back({all[r.lo - 1], all[hi - 1]});
    }
    return MessagesIn(ix, row.id, uid_ranges);
  });
}

Result<std::vector<MessageInfo>> Store::ChangedSince(std::string_view user,
                                                     std::string_view mailbox, uint64_t modseq) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<MessageInfo>> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    return ix->MessagesChangedSince(row.id, modseq);
  });
}

Result<std::vector<uint32_t>> Store::VanishedSince(std::string_view user, std::string_view mailbox,
                                                   uint64_t modseq) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, mailbox));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<uint32_t>> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    return ix->TombstonesSince(row.id, modseq);
  });
}

Result<std::string> Store::ReadMessage(std::string_view user, std::string_view guid) {
  RETURN_IF_ERROR(ValidateUserName(user));
  if (!IsLowerHex(guid, 64)) return Status::InvalidArgument("malformed message GUID");
  return impl_->blobs->Read(user, guid);
}

Result<std::string> Store::ReadMessageHead(std::string_view user, std::string_view guid,
                                           size_t max_bytes) {
  RETURN_IF_ERROR(ValidateUserName(user));
  if (!IsLowerHex(guid, 64)) return Status::InvalidArgument("malformed message GUID");
  return impl_->blobs->Read(user, guid, max_bytes);
}

}  // namespace slotmail::store
