// Store: AppendBatch — one or more messages into one mailbox in one
// transaction (IMAP MULTIAPPEND, RFC 3502: all of them are kept or none is).
// Store::Append is a batch of one.
#include "common/hash.h"
#include "store/derived_rows.h"
#include "store/flags.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

// How often the batch re-stages its blobs when a concurrent expunge removed
// one between staging and commit, or a full disk may have space again once
// lazily synced expunges are flushed (each retry needs that again).
constexpr int kBatchAttempts = 3;

uint64_t TotalSize(const std::vector<MessageInfo>& msgs) {
  uint64_t total = 0;
  for (const auto& m : msgs) total += m.size;
  return total;
}

// Inserts `msgs` (uid and modseq are assigned here) at the end of `box`,
// all at one new modseq, and counts them against the quota.
Result<std::vector<AppendResult>> InsertBatch(UserIndex* ix, std::string_view box,
                                              std::vector<MessageInfo>* msgs) {
  ASSIGN_OR_RETURN(QuotaInfo q, ReadQuota(ix));
  RETURN_IF_ERROR(CheckQuota(q, msgs->size(), TotalSize(*msgs)));
  ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
  const uint64_t modseq = ++row.info.highestmodseq;
  std::vector<AppendResult> out;
  for (MessageInfo& m : *msgs) {
    if (row.info.uidnext == UINT32_MAX) return Status::TooBig("mailbox UID space exhausted");
    m.uid = row.info.uidnext++;
    m.modseq = modseq;
    RETURN_IF_ERROR(ix->InsertMessage(row.id, m));
    CountIn(&row, m);
    out.push_back(AppendResult{row.info.uidvalidity, m.uid, m.guid, m.modseq});
  }
  RETURN_IF_ERROR(ix->UpdateMailboxState(row));
  RETURN_IF_ERROR(AddUsage(ix, static_cast<int64_t>(msgs->size()),
                           static_cast<int64_t>(TotalSize(*msgs))));
  return out;
}

}  // namespace

Result<std::vector<AppendResult>> Store::AppendBatch(std::string_view user,
                                                     std::string_view mailbox,
                                                     const std::vector<AppendItem>& items) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalMailboxName(mailbox));
  if (items.empty()) return Status::InvalidArgument("no message to append");
  std::vector<MessageInfo> msgs;
  std::vector<DerivedRows> derived;  // computed outside the lock, stored with the rows
  for (const AppendItem& item : items) {
    if (item.bytes.size() > impl_->options.max_message_bytes) {
      return Status::TooBig("message larger than the size limit");
    }
    MessageInfo m;
    m.guid = Sha256Hex(item.bytes);
    m.size = item.bytes.size();
    m.internal_date = item.internal_date;
    m.flags = item.flags;
    RETURN_IF_ERROR(NormalizeFlags(&m.flags));
    msgs.push_back(std::move(m));
    derived.push_back(DeriveRows(item.bytes));
  }
  // Cheap checks first, so a doomed batch writes nothing at all.
  RETURN_IF_ERROR(impl_->Read(user, [&](UserIndex* ix) -> Status {
    RETURN_IF_ERROR(RequireMailbox(ix, box).status());
    ASSIGN_OR_RETURN(QuotaInfo q, ReadQuota(ix));
    return CheckQuota(q, msgs.size(), TotalSize(msgs));
  }));
  // Expunged messages' files are removed only once their lazily synced
  // expunges are durable: on a full disk, make them so (then try again).
  auto free_space = [&](const Status& st) {
    return st.code() == Code::kNoSpace && impl_->lazy->stats().pending_users > 0 &&
           impl_->lazy->Flush().ok();
  };
  for (int attempt = 1;; ++attempt) {
    // Blobs this attempt created: removed again unless the batch commits.
    std::vector<std::string> created_guids;
    Status staged = Status::Ok();
    for (size_t i = 0; i < items.size() && staged.ok(); ++i) {
      bool created = false;
      staged = impl_->blobs->Put(user, msgs[i].guid, items[i].bytes, &created);
      if (created) created_guids.push_back(msgs[i].guid);
    }
    if (!staged.ok()) {
      impl_->CollectBlobs(user, created_guids);
      if (attempt < kBatchAttempts && free_space(staged)) continue;
      return staged;
    }
    bool vanished = false;
    auto result = impl_->Write(user, [&](UserIndex* ix) -> Result<std::vector<AppendResult>> {
      // Blobs were staged outside the lock; a concurrent expunge of the last
      // message with one of these GUIDs may have removed it since.
      for (const auto& m : msgs) {
        if (!impl_->blobs->Exists(user, m.guid)) {
          vanished = true;
          return Status::IOError("message file vanished before commit");
        }
      }
      for (size_t i = 0; i < msgs.size(); ++i) {
        RETURN_IF_ERROR(PutDerivedRows(ix, msgs[i].guid, derived[i]));
      }
      return InsertBatch(ix, box, &msgs);
    });
    if (result.ok()) {
      impl_->Notify(user, box);
      return result;
    }
    // Leave nothing behind that this call created (no row refers to them).
    impl_->CollectBlobs(user, created_guids);
    if (attempt == kBatchAttempts) return result;
    if (!vanished && !free_space(result.status())) return result;
  }
}

}  // namespace slotmail::store
