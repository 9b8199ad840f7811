// Store: FetchSortKeys — messages with what SORT and THREAD need, from the
// index, filling in keys the index lacks (messages stored before it kept
// them) from the message bytes, once.
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/sort_key_rows.h"
#include "store/store_impl.h"

namespace slotmail::store {

Result<std::vector<SortRecord>> Store::FetchSortKeys(std::string_view user,
                                                     std::string_view mailbox, UidRange range) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalMailboxName(mailbox));
  std::vector<size_t> missing;
  ASSIGN_OR_RETURN(std::vector<SortRecord> records,
                   impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<SortRecord>> {
                     ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
                     return SortRecordsInRange(ix, row.id, range.lo, range.hi, &missing);
                   }));
  if (missing.empty()) return records;
  // Outside the lock: read and parse each missing message once. One whose
  // file is gone (expunged meanwhile) keeps empty keys and is not stored.
  std::vector<size_t> computed;
  for (size_t i : missing) {
    SortRecord& r = records[i];
    auto bytes = impl_->blobs->Read(user, r.info.guid);
    if (!bytes.ok()) {
      if (bytes.status().code() == Code::kNotFound) continue;
      return bytes.status();
    }
    r.keys = mime::ComputeSortKeys(*bytes);
    computed.push_back(i);
  }
  if (computed.empty()) return records;
  RETURN_IF_ERROR(impl_->Write(user, [&](UserIndex* ix) -> Status {
    for (size_t i : computed) RETURN_IF_ERROR(PutSortKeys(ix, records[i].info.guid, records[i].keys));
    return Status::Ok();
  }));
  return records;
}

}  // namespace slotmail::store
