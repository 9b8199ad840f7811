// Replication: applying a UserImage to a user's index, inside the caller's
// transaction (Store::ApplyUserImage, store_replica.cc).
#include <algorithm>
#include <map>
#include <set>

#include "store/mailbox_rows.h"
#include "store/replica_rows.h"

namespace slotmail::store {
namespace {

using HasBlob = std::function<bool(const std::string&)>;

// A name no mailbox can have (CanonicalMailboxName refuses control
// characters), unique per mailbox: where a renamed mailbox waits while the
// others of a swap or chain (A->B, B->A) move, inside the one transaction.
std::string TransitName(const std::string& id) { return "\x01" + id; }

// The live message `uid` of `box`, if any.
Result<std::optional<MessageInfo>> LiveMessage(UserIndex* ix, int64_t box, uint32_t uid) {
  ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(box, uid, uid));
  if (msgs.empty()) return std::optional<MessageInfo>();
  return std::optional<MessageInfo>(std::move(msgs.front()));
}

// Removes the live message `uid` from `row` (counted out), if there is one.
Status DropLive(UserIndex* ix, MailboxRow* row, uint32_t uid, ApplyOutcome* out) {
  ASSIGN_OR_RETURN(auto live, LiveMessage(ix, row->id, uid));
  if (!live) return Status::Ok();
  CountOut(row, *live);
  out->dropped_guids.push_back(live->guid);
  return ix->DeleteMessage(row->id, uid);
}

// A complete image replaces every row; the counters and checksum are then
// those of the rows it inserted. A delta's rows are upserted by UID and
// counted in and out like any local write's (O(changes), not O(mailbox)):
// a stored state that was already wrong shows as a checksum mismatch, and
// the caller sends a complete image, which is counted from scratch.
Status ApplyRows(UserIndex* ix, const MailboxImage& b, MailboxRow* row, ApplyOutcome* out) {
  if (b.complete) {
    ASSIGN_OR_RETURN(auto old, ix->MessagesInRange(row->id, 0, UINT32_MAX));
    for (const auto& m : old) out->dropped_guids.push_back(m.guid);
    RETURN_IF_ERROR(ix->ClearMailboxRows(row->id));
    row->info.messages = row->info.unseen = 0;
    row->info.bytes = row->info.crc = 0;
  }
  for (const Tombstone& t : b.tombstones) {
    if (!b.complete) RETURN_IF_ERROR(DropLive(ix, row, t.uid, out));
    RETURN_IF_ERROR(ix->InsertTombstone(row->id, t.uid, t.modseq));
  }
  for (const MessageInfo& m : b.records) {
    if (!b.complete) {
      RETURN_IF_ERROR(DropLive(ix, row, m.uid, out));
      RETURN_IF_ERROR(ix->DeleteTombstone(row->id, m.uid));
    }
    RETURN_IF_ERROR(ix->InsertMessage(row->id, m));
    CountIn(row, m);
  }
  return Status::Ok();
}

// The mailbox's rows, header and metadata as the image has them.
Status ApplyMailbox(UserIndex* ix, const MailboxImage& b, const HasBlob& has_blob,
                    MailboxRow* row, ApplyOutcome* out) {
  for (const MessageInfo& m : b.records) {
    if (!has_blob(m.guid)) return Status::NotFound("message file missing: " + m.guid);
  }
  RETURN_IF_ERROR(ApplyRows(ix, b, row, out));
  MailboxInfo& info = row->info;
  if (info.crc != b.crc || info.messages != b.messages) {
    return Status::Corruption("mailbox " + b.name +
                              ": checksum or message count differs from the image after apply");
  }
  info.uidnext = b.uidnext;
  info.highestmodseq = b.highestmodseq;
  RETURN_IF_ERROR(ix->UpdateMailboxState(*row));
  RETURN_IF_ERROR(ix->SetUidValidity(row->id, b.uidvalidity));
  RETURN_IF_ERROR(ix->SetSpecialUse(row->id, b.special_use));
  return ix->ReplaceMetadata(row->id, b.metadata);
}

bool SameState(const MailboxInfo& a, const MailboxImage& b) {
  return a.name == b.name && a.uidvalidity == b.uidvalidity && a.uidnext == b.uidnext &&
         a.highestmodseq == b.highestmodseq && a.crc == b.crc && a.messages == b.messages &&
         a.special_use == b.special_use;
}

// Deletes the local mailboxes the image lacks, renames those it names
// differently, creates those it adds. Fills `rows` (image id -> local row).
Status MatchMailboxes(UserIndex* ix, const UserImage& image,
                      std::map<std::string, MailboxRow>* rows, ApplyOutcome* out) {
  std::map<std::string, const MailboxImage*> wanted;
  for (const MailboxImage& b : image.mailboxes) wanted[b.id] = &b;
  ASSIGN_OR_RETURN(auto local, ix->AllMailboxes());
  // Deletes first: their names may be what a rename or create needs.
  for (MailboxRow& row : local) {
    auto it = wanted.find(row.info.id);
    if (it == wanted.end()) {
      ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(row.id, 0, UINT32_MAX));
      for (const auto& m : msgs) out->dropped_guids.push_back(m.guid);
      RETURN_IF_ERROR(ix->DeleteMailboxRow(row.id));
      out->changed_mailboxes.push_back(row.info.name);
      continue;
    }
    if (!SameState(row.info, *it->second)) {
      out->changed_mailboxes.push_back(row.info.name);
      out->changed_mailboxes.push_back(it->second->name);
    }
    (*rows)[row.info.id] = std::move(row);
  }
  // Renames in two steps, so swaps and chains never collide.
  std::vector<MailboxRow*> renamed;
  for (auto& [id, row] : *rows) {
    if (row.info.name == wanted[id]->name) continue;
    RETURN_IF_ERROR(ix->RenameMailboxRow(row.id, TransitName(id)));
    renamed.push_back(&row);
  }
  for (MailboxRow* row : renamed) {
    row->info.name = wanted[row->info.id]->name;
    RETURN_IF_ERROR(ix->RenameMailboxRow(row->id, row->info.name));
  }
  for (const MailboxImage& b : image.mailboxes) {
    if (rows->count(b.id)) continue;
    MailboxRow row;
    row.info.name = b.name;
    row.info.id = b.id;
    row.info.uidvalidity = b.uidvalidity;
    row.info.special_use = b.special_use;
    RETURN_IF_ERROR(ix->InsertMailbox(&row));
    out->changed_mailboxes.push_back(b.name);
    (*rows)[b.id] = std::move(row);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyImage(UserIndex* ix, const UserImage& image, const HasBlob& has_blob,
                  ApplyOutcome* out) {
  std::map<std::string, MailboxRow> rows;
  RETURN_IF_ERROR(MatchMailboxes(ix, image, &rows, out));
  uint64_t messages = 0, bytes = 0;
  uint32_t max_uidvalidity = 0;
  for (const MailboxImage& b : image.mailboxes) {
    MailboxRow& row = rows[b.id];
    RETURN_IF_ERROR(ApplyMailbox(ix, b, has_blob, &row, out));
    messages += row.info.messages;
    bytes += row.info.bytes;
    max_uidvalidity = std::max(max_uidvalidity, b.uidvalidity);
  }
  // User-wide state. Later local writes (after a failover) continue from
  // here: UIDs from each UIDNEXT, modseqs above each HIGHESTMODSEQ, and new
  // UIDVALIDITYs above every one applied (the slot's floor is the caller's).
  ASSIGN_OR_RETURN(int64_t last_uidvalidity, ix->GetMetaInt("last_uidvalidity", 0));
  RETURN_IF_ERROR(ix->SetMetaInt(
      "last_uidvalidity", std::max<int64_t>(last_uidvalidity, max_uidvalidity)));
  RETURN_IF_ERROR(ix->SetMetaInt("mailbox_count", static_cast<int64_t>(rows.size())));
  RETURN_IF_ERROR(ix->SetMetaInt("used_messages", static_cast<int64_t>(messages)));
  RETURN_IF_ERROR(ix->SetMetaInt("used_bytes", static_cast<int64_t>(bytes)));
  RETURN_IF_ERROR(ix->SetMetaInt("quota_bytes", static_cast<int64_t>(image.quota_bytes)));
  RETURN_IF_ERROR(ix->SetMetaInt("quota_messages", static_cast<int64_t>(image.quota_messages)));
  RETURN_IF_ERROR(ix->SetMeta("password", image.password_hash));
  RETURN_IF_ERROR(ix->ReplaceSubscriptions(image.subscriptions));
  return ix->ReplaceMetadata(kServerMetadataRow, image.server_metadata);
}

}  // namespace slotmail::store
