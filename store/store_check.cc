// Store: integrity checks of one user's index against its blobs.
#include <set>

#include "store/flags.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

uint64_t CrcOf(const std::vector<MessageInfo>& msgs) {
  uint64_t crc = 0;
  for (const auto& m : msgs) crc ^= RecordHash(m.uid, m.guid, m.flags, m.modseq);
  return crc;
}

std::string Where(const MailboxRow& box) { return "mailbox " + box.info.name + ": "; }

// Checks one mailbox's rows against its stored state.
Status CheckMailbox(UserIndex* ix, const MailboxRow& box, uint64_t* messages, uint64_t* bytes) {
  ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(box.id, 0, UINT32_MAX));
  const MailboxInfo& b = box.info;
  if (CrcOf(msgs) != b.crc) return Status::Corruption(Where(box) + "stored CRC differs from rows");
  uint64_t size = 0;
  uint32_t unseen = 0;
  for (const auto& m : msgs) {
    if (m.uid == 0 || m.uid >= b.uidnext) return Status::Corruption(Where(box) + "UID not below UIDNEXT");
    if (m.modseq == 0 || m.modseq > b.highestmodseq) {
      return Status::Corruption(Where(box) + "message modseq above HIGHESTMODSEQ");
    }
    size += m.size;
    if (!(m.flags.system & kFlagSeen)) ++unseen;
  }
  if (msgs.size() != b.messages || size != b.bytes || unseen != b.unseen) {
    return Status::Corruption(Where(box) + "stored counters differ from rows");
  }
  ASSIGN_OR_RETURN(auto gone, ix->TombstonesSince(box.id, 0));
  std::set<uint32_t> live;
  for (const auto& m : msgs) live.insert(m.uid);
  for (uint32_t uid : gone) {
    if (uid >= b.uidnext || live.count(uid)) {
      return Status::Corruption(Where(box) + "tombstone for a live or unassigned UID");
    }
  }
  *messages += msgs.size();
  *bytes += size;
  return Status::Ok();
}

}  // namespace

Result<uint64_t> Store::RecomputeCrc(std::string_view user, std::string_view mailbox) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalMailboxName(mailbox));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<uint64_t> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(row.id, 0, UINT32_MAX));
    return CrcOf(msgs);
  });
}

Status Store::CheckUser(std::string_view user) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(auto boxes, ix->AllMailboxes());
    uint64_t messages = 0, bytes = 0;
    bool inbox = false;
    for (const auto& box : boxes) {
      inbox = inbox || box.info.name == "INBOX";
      RETURN_IF_ERROR(CheckMailbox(ix, box, &messages, &bytes));
    }
    if (!inbox) return Status::Corruption("user has no INBOX");
    ASSIGN_OR_RETURN(QuotaInfo q, ReadQuota(ix));
    if (q.used_messages != messages || q.used_bytes != bytes) {
      return Status::Corruption("quota usage differs from the sum of messages");
    }
    ASSIGN_OR_RETURN(auto refs, ix->AllBlobRefs());
    for (const auto& [guid, size] : refs) {
      auto actual = impl_->blobs->Size(user, guid);
      if (!actual.ok()) return Status::Corruption("message file missing for " + guid);
      if (*actual != size) return Status::Corruption("message file has wrong size: " + guid);
    }
    return Status::Ok();
  });
}

}  // namespace slotmail::store
