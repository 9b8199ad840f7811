// Replication: a user's image read from the index, and the checks an image
// from elsewhere must pass before it is applied.
#include <algorithm>
#include <set>

#include "common/hash.h"
#include "common/limits.h"
#include "store/flags.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/replica_rows.h"

namespace slotmail::store {
namespace {

Result<MailboxImage> ReadMailbox(UserIndex* ix, const MailboxRow& row, const SinceMap* since) {
  MailboxImage b;
  const MailboxInfo& m = row.info;
  b.id = m.id;
  b.name = m.name;
  b.uidvalidity = m.uidvalidity;
  b.uidnext = m.uidnext;
  b.highestmodseq = m.highestmodseq;
  b.crc = m.crc;
  b.messages = m.messages;
  b.special_use = m.special_use;
  ASSIGN_OR_RETURN(b.metadata, ix->AllMetadata(row.id));
  if (since == nullptr) {
    b.since_modseq = m.highestmodseq;
    return b;
  }
  auto it = since->find(m.id);
  b.complete = it == since->end();
  b.since_modseq = b.complete ? 0 : it->second;
  ASSIGN_OR_RETURN(b.records, ix->MessagesChangedSince(row.id, b.since_modseq));
  ASSIGN_OR_RETURN(b.tombstones, ix->TombstoneRowsSince(row.id, b.since_modseq));
  return b;
}

Status Invalid(const std::string& where, const char* what) {
  return Status::InvalidArgument("replica image: " + where + what);
}

Status ValidateMetadata(const std::vector<MetadataEntry>& entries, const std::string& where) {
  for (const auto& e : entries) {
    auto canonical = CanonicalMetadataEntry(e.entry);
    if (!canonical.ok() || *canonical != e.entry) return Invalid(where, "bad metadata entry");
    if (e.value.size() > limits::kMaxMetadataValueBytes) {
      return Invalid(where, "metadata value too large");
    }
  }
  return Status::Ok();
}

Status ValidateMailbox(const MailboxImage& b) {
  const std::string where = "mailbox " + b.name + ": ";
  auto special = CanonicalSpecialUse(b.special_use);
  if (!special.ok() || *special != b.special_use) return Invalid(where, "bad special use");
  if (b.uidvalidity == 0 || b.uidnext == 0) return Invalid(where, "zero UIDVALIDITY or UIDNEXT");
  std::set<uint32_t> uids;
  for (const MessageInfo& m : b.records) {
    if (m.uid == 0 || m.uid >= b.uidnext) return Invalid(where, "record UID not below UIDNEXT");
    if (m.modseq == 0 || m.modseq > b.highestmodseq) {
      return Invalid(where, "record modseq above HIGHESTMODSEQ");
    }
    if (!IsLowerHex(m.guid, 64)) return Invalid(where, "malformed GUID");
    Flags canonical = m.flags;
    if (!NormalizeFlags(&canonical).ok() || canonical != m.flags) {
      return Invalid(where, "flags not canonical");
    }
    if (!uids.insert(m.uid).second) return Invalid(where, "UID given twice");
  }
  for (const Tombstone& t : b.tombstones) {
    if (t.uid == 0 || t.uid >= b.uidnext) return Invalid(where, "tombstone UID not below UIDNEXT");
    if (t.modseq > b.highestmodseq) return Invalid(where, "tombstone modseq above HIGHESTMODSEQ");
    if (!uids.insert(t.uid).second) return Invalid(where, "UID given twice");
  }
  return ValidateMetadata(b.metadata, where);
}

}  // namespace

Result<UserImage> ReadImage(UserIndex* ix, const SinceMap* since) {
  UserImage image;
  ASSIGN_OR_RETURN(auto password, ix->GetMeta("password"));
  if (!password) return Status::Corruption("user has no password hash");
  image.password_hash = *password;
  ASSIGN_OR_RETURN(QuotaInfo quota, ReadQuota(ix));
  image.quota_bytes = quota.limit_bytes;
  image.quota_messages = quota.limit_messages;
  ASSIGN_OR_RETURN(image.subscriptions, ix->Subscriptions());
  ASSIGN_OR_RETURN(image.server_metadata, ix->AllMetadata(kServerMetadataRow));
  ASSIGN_OR_RETURN(auto rows, ix->AllMailboxes());
  std::sort(rows.begin(), rows.end(),
            [](const MailboxRow& a, const MailboxRow& b) { return a.info.id < b.info.id; });
  for (const MailboxRow& row : rows) {
    ASSIGN_OR_RETURN(MailboxImage b, ReadMailbox(ix, row, since));
    image.mailboxes.push_back(std::move(b));
  }
  return image;
}

Status ValidateImage(const UserImage& image) {
  if (image.password_hash.empty()) return Invalid("", "no password hash");
  if (image.mailboxes.size() > limits::kMaxMailboxesPerUser) {
    return Status::TooBig("replica image: too many mailboxes");
  }
  std::set<std::string> ids, names;
  for (const MailboxImage& b : image.mailboxes) {
    auto canonical = CanonicalMailboxName(b.name);
    if (!canonical.ok() || *canonical != b.name) return Invalid(b.name, ": bad mailbox name");
    if (!IsLowerHex(b.id, 32)) return Invalid("mailbox " + b.name, ": malformed id");
    if (!ids.insert(b.id).second || !names.insert(b.name).second) {
      return Invalid("mailbox " + b.name, ": id or name given twice");
    }
    RETURN_IF_ERROR(ValidateMailbox(b));
  }
  if (names.count("INBOX") == 0) return Invalid("", "no INBOX");
  for (const std::string& s : image.subscriptions) {
    auto canonical = CanonicalMailboxName(s);
    if (!canonical.ok() || *canonical != s) return Invalid("", "bad subscription");
  }
  return ValidateMetadata(image.server_metadata, "server: ");
}

}  // namespace slotmail::store
