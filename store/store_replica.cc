// Store: the replication API (store.h "replication"; doc/store.md
// "Replication"). Reading and applying images: replica_rows.h.
#include <algorithm>
#include <map>
#include <set>

#include "common/hash.h"
#include "store/derived_rows.h"
#include "store/names.h"
#include "store/replica_rows.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

// The image in one read transaction. (The user's lock already keeps the
// user's one connection to ourselves; the transaction states the snapshot.)
Result<UserImage> ReadConsistent(UserIndex* ix, const SinceMap* since) {
  Database* db = ix->db();
  RETURN_IF_ERROR(db->Exec("BEGIN DEFERRED"));
  Result<UserImage> image = ReadImage(ix, since);
  Status st = image.ok() ? db->Commit() : image.status();
  if (!st.ok()) {
    db->Rollback();
    return st;
  }
  return image;
}

std::vector<std::string> RecordGuids(const UserImage& image) {
  std::set<std::string> guids;
  for (const MailboxImage& b : image.mailboxes) {
    for (const MessageInfo& m : b.records) guids.insert(m.guid);
  }
  return {guids.begin(), guids.end()};
}

Status MissingFile(const std::string& guid) {
  return Status::NotFound("message file missing: " + guid);
}

}  // namespace

Result<UserImage> Store::ReadUserImage(std::string_view user, const SinceMap& since) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) { return ReadConsistent(ix, &since); });
}

Result<UserImage> Store::SummarizeUser(std::string_view user) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) { return ReadConsistent(ix, nullptr); });
}

Result<std::vector<std::string>> Store::MissingBlobs(std::string_view user,
                                                     const std::vector<std::string>& guids) {
  RETURN_IF_ERROR(ValidateUserName(user));
  std::vector<std::string> missing;
  std::set<std::string_view> seen;
  for (const std::string& g : guids) {
    if (!IsLowerHex(g, 64)) return Status::InvalidArgument("malformed message GUID");
    if (seen.insert(g).second && !impl_->blobs->Exists(user, g)) missing.push_back(g);
  }
  return missing;
}

Status Store::PutBlob(std::string_view user, std::string_view guid, std::string_view bytes) {
  return PutBlobs(user, {{std::string(guid), bytes}});
}

Status Store::PutBlobs(std::string_view user,
                       const std::vector<std::pair<std::string, std::string_view>>& blobs) {
  RETURN_IF_ERROR(ValidateUserName(user));
  for (const auto& [guid, bytes] : blobs) {
    if (!IsLowerHex(guid, 64)) return Status::InvalidArgument("malformed message GUID");
    if (Sha256Hex(bytes) != guid) return Status::Corruption("message bytes do not match GUID " + guid);
  }
  Impl& d = *impl_;
  {
    // A user this slot lacks yet: its directory holds only message files
    // until ApplyUserImage (or CreateUser) adds the index, and is no user
    // until then: UserExists and ListUsers look for the index.
    auto entry = d.users.Get(user);
    std::lock_guard<std::mutex> lock(entry->mu);
    if (!fs::Exists(d.paths.BlobsDir(user))) {
      RETURN_IF_ERROR(fs::MakeDirs(d.paths.BlobsDir(user)));
      RETURN_IF_ERROR(d.durability->Sync());
    }
  }
  // One file: durable as an append's is (tmp/, fdatasync, rename, directory
  // fsync). More: two group-commit syncs for all of them.
  if (blobs.size() == 1) {
    bool created = false;
    return d.blobs->Put(user, blobs[0].first, blobs[0].second, &created);
  }
  return d.blobs->PutMany(user, blobs, [&d] { return d.durability->Sync(); });
}

Status Store::ApplyUserImage(std::string_view user, const UserImage& image) {
  RETURN_IF_ERROR(ValidateUserName(user));
  RETURN_IF_ERROR(ValidateImage(image));
  Impl& d = *impl_;
  // Sort keys and MIME structures of the GUIDs the index lacks, parsed from
  // the files outside the lock, as an append does.
  const std::vector<std::string> guids = RecordGuids(image);
  auto lacking = d.Read(user, [&](UserIndex* ix) { return GuidsLackingDerivedRows(ix, guids); });
  if (!lacking.ok() && lacking.status().code() != Code::kNotFound) return lacking.status();
  std::map<std::string, DerivedRows> derived;
  for (const std::string& g : lacking.ok() ? *lacking : guids) {
    auto bytes = d.blobs->Read(user, g);
    if (!bytes.ok()) {
      return bytes.status().code() == Code::kNotFound ? MissingFile(g) : bytes.status();
    }
    derived.emplace(g, DeriveRows(*bytes));
  }
  // The slot's floor first (durable; raising it needlessly is harmless): a
  // user created here later must not reuse an applied UIDVALIDITY.
  uint32_t max_uidvalidity = 0;
  for (const MailboxImage& b : image.mailboxes) {
    max_uidvalidity = std::max(max_uidvalidity, b.uidvalidity);
  }
  RETURN_IF_ERROR(d.RaiseUidValidityFloor(max_uidvalidity));
  ApplyOutcome out;
  auto apply = [&](UserIndex* ix) -> Status {
    out = ApplyOutcome();
    for (const auto& [guid, rows] : derived) RETURN_IF_ERROR(PutDerivedRows(ix, guid, rows));
    return ApplyImage(ix, image, [&](const std::string& g) { return d.blobs->Exists(user, g); },
                      &out);
  };
  // A user missing here is created whole from the image (no user or the
  // complete one after a crash); otherwise this is one synced write. Either
  // way it is durable and in the change log on return.
  Status st = Status::Exists("");
  if (!UserExists(user)) st = d.CreateUserIndex(user, apply);
  if (st.code() == Code::kExists) st = d.Write(user, apply);
  RETURN_IF_ERROR(st);
  // Durable now, so the files of rows it removed go if nothing else refers
  // to them (as after DeleteMailbox). Files PutBlob stored for an apply that
  // failed stay as orphans: garbage, never damage.
  d.CollectBlobs(user, out.dropped_guids);
  std::sort(out.changed_mailboxes.begin(), out.changed_mailboxes.end());
  out.changed_mailboxes.erase(
      std::unique(out.changed_mailboxes.begin(), out.changed_mailboxes.end()),
      out.changed_mailboxes.end());
  for (const std::string& name : out.changed_mailboxes) d.Notify(user, name);
  return Status::Ok();
}

void Store::SetMasterEpoch(uint64_t epoch) { impl_->master_epoch.store(epoch); }

Result<std::optional<SplitPoint>> Store::ReadSplitPoint(std::string_view user,
                                                       uint64_t after_epoch) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) { return FindSplitPoint(ix, after_epoch); });
}

}  // namespace slotmail::store
