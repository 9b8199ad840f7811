// Store: opening and recovery, users, passwords, quota, change log.
#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "common/fs.h"
#include "common/hash.h"
#include "common/limits.h"
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/password.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

Status ValidatePassword(std::string_view password) {
  if (password.empty()) return Status::InvalidArgument("empty password");
  if (password.size() > limits::kMaxPasswordBytes) return Status::TooBig("password too long");
  return Status::Ok();
}

// Removes everything inside `dir` (left by a crash), keeping `dir`.
Status EmptyDir(const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) RETURN_IF_ERROR(fs::RemoveTree(dir + "/" + n));
  return Status::Ok();
}

}  // namespace

Store::Store(std::string root, StoreOptions options)
    : root_(root), impl_(std::make_unique<Impl>(std::move(root), options)) {}

Store::~Store() {
  // The lazily synced changes are made durable first; the marker then says
  // that no call was cut short. (If that sync fails the shutdown is not
  // clean: the next open re-logs every user.)
  if (impl_->lazy && impl_->lazy->Stop().ok()) {
    (void)fs::WriteFileAtomic(impl_->paths.CleanShutdownPath(), "clean\n");
  }
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& root, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store(root, options));
  Impl& d = *store->impl_;
  for (const auto& dir : {d.paths.root(), d.paths.UsersDir(), d.paths.SyncDir(),
                          d.paths.TmpDir(), d.paths.TrashDir()}) {
    RETURN_IF_ERROR(fs::MakeDirs(dir));
  }
  // Made by hand (mkdir under a 022 umask) the slot directory would show
  // every user's name to other local users: it is slotd's alone.
  RETURN_IF_ERROR(fs::MakePrivate(d.paths.root()));
  RETURN_IF_ERROR(EmptyDir(d.paths.TmpDir()));
  RETURN_IF_ERROR(EmptyDir(d.paths.TrashDir()));
  ASSIGN_OR_RETURN(d.durability, Durability::Open(root));
  ASSIGN_OR_RETURN(d.log, ChangeLog::Open(d.paths));
  d.blobs = std::make_unique<BlobStore>(&d.paths);
  d.lazy = std::make_unique<LazySync>(
      options.lazy_sync_delay, [](const std::string& path) { return fs::DataSyncPath(path); },
      [&d](const std::string& user, const std::vector<std::string>& guids) {
        d.CollectBlobs(user, guids);
      });
  const bool clean = fs::Exists(d.paths.CleanShutdownPath());
  if (!clean) {
    // A change may have committed without its log record reaching the disk:
    // mark every user once so replication re-compares them all.
    ASSIGN_OR_RETURN(auto users, store->ListUsers());
    for (const auto& u : users) RETURN_IF_ERROR(d.log->Append(u));
  }
  RETURN_IF_ERROR(fs::Remove(d.paths.CleanShutdownPath()));
  RETURN_IF_ERROR(d.durability->Sync());
  return store;
}

Status Store::Impl::OpenIndex(std::string_view user, UserEntry* entry) {
  if (entry->index) return Status::Ok();
  auto index = UserIndex::Open(paths.IndexPath(user), /*create=*/false);
  if (!index.ok()) {
    if (index.status().code() == Code::kNotFound) return Status::NotFound("no such user");
    return index.status();
  }
  entry->index = std::move(index).value();
  users.NoteOpened();
  return Status::Ok();
}

void Store::Impl::CloseIndex(UserEntry* entry) {
  if (!entry->index) return;
  entry->index.reset();
  users.NoteClosed();
}

namespace {

// The floor file holds the highest UIDVALIDITY a new user must stay above.
Result<uint64_t> ReadUidValidityFloor(const SlotPaths& paths) {
  auto text = fs::ReadFile(paths.UidValidityFloorPath());
  if (text.ok()) return std::strtoull(text->c_str(), nullptr, 10);
  if (text.status().code() == Code::kNotFound) return uint64_t{0};
  return text.status();
}

Status WriteUidValidityFloor(const SlotPaths& paths, uint64_t value) {
  return fs::WriteFileAtomic(paths.UidValidityFloorPath(), std::to_string(value) + "\n");
}

}  // namespace

Result<uint32_t> Store::Impl::NextUserUidValidity() {
  std::lock_guard<std::mutex> lock(uidvalidity_mu);
  ASSIGN_OR_RETURN(uint64_t floor, ReadUidValidityFloor(paths));
  uint64_t next = std::max<uint64_t>(static_cast<uint64_t>(std::time(nullptr)), floor + 1);
  if (next > UINT32_MAX) return Status::TooBig("UIDVALIDITY exhausted");
  RETURN_IF_ERROR(WriteUidValidityFloor(paths, next));
  return static_cast<uint32_t>(next);
}

Status Store::Impl::RaiseUidValidityFloor(uint64_t used) {
  std::lock_guard<std::mutex> lock(uidvalidity_mu);
  ASSIGN_OR_RETURN(uint64_t floor, ReadUidValidityFloor(paths));
  if (used <= floor) return Status::Ok();
  return WriteUidValidityFloor(paths, used);
}

void Store::Impl::CollectBlobs(std::string_view user, const std::vector<std::string>& guids) {
  if (guids.empty()) return;
  (void)Read(user, [&](UserIndex* index) -> Status {
    for (const auto& g : guids) {
      ASSIGN_OR_RETURN(bool used, index->GuidReferenced(g));
      if (!used) RETURN_IF_ERROR(blobs->Remove(user, g));
    }
    return Status::Ok();
  });
}

Status Store::Impl::SyncBeforeReturn(std::string_view user, const std::string& wal,
                                     const std::string& segment) {
  // Taken before the syncs: every entry in it committed before them.
  LazySync::Pending earlier = lazy->Take(std::string(user));
  earlier.files.insert(wal);
  for (const auto& f : earlier.files) {
    if (f == segment) continue;
    Status st = fs::DataSyncPath(f);
    // The blobs stay on failure: orphans are garbage, a missing blob damage.
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  // The change is durable once its data and the WAL are; its change-log
  // record only tells replication which user to compare, and a record a
  // power loss takes is restored by the unclean-open rule (every user is
  // re-logged). So the segment is synced lazily, like a flag change's:
  // one fdatasync fewer per acknowledged append.
  lazy->NoteShared(segment);
  CollectBlobs(user, earlier.guids);
  return Status::Ok();
}

void Store::Impl::CollectBlobsWhenDurable(std::string_view user,
                                          std::vector<std::string> guids) {
  if (guids.empty()) return;
  lazy->Note(std::string(user), {paths.IndexPath(user) + "-wal"}, std::move(guids));
}

// ---- users

Status Store::Impl::CreateUserIndex(std::string_view user,
                                    const std::function<Status(UserIndex*)>& fill) {
  auto entry = users.Get(user);
  std::lock_guard<std::mutex> lock(entry->mu);
  // A directory without an index is no user (UserExists, ListUsers): it
  // holds only message files replication stored ahead of the index.
  if (fs::Exists(paths.IndexPath(user))) return Status::Exists("user already exists");
  const std::string tmp = paths.NewTmpPath();
  const std::string tmp_index = tmp + "/index.db";
  Status st = fs::MakeDirs(tmp);
  if (st.ok()) {
    auto index = UserIndex::Open(tmp_index, /*create=*/true);
    st = index.ok() ? InTransaction((*index)->db(), [&]() -> Status {
      UserIndex* ix = index->get();
      RETURN_IF_ERROR(ix->SetMetaInt("schema_version", kMetaSchemaVersion));
      RETURN_IF_ERROR(ix->SetMeta("user", user));
      return fill(ix);
    }) : index.status();
  }  // closed here: the WAL is checkpointed into index.db (and removed)
  if (st.ok()) st = fs::MakeDirs(paths.BlobsDir(user));
  if (st.ok()) st = durability->Sync();
  if (st.ok() && fs::Exists(tmp_index + "-wal")) {
    st = fs::Rename(tmp_index + "-wal", paths.IndexPath(user) + "-wal");
  }
  if (st.ok()) st = fs::Rename(tmp_index, paths.IndexPath(user));
  (void)fs::RemoveTree(tmp);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(log->Append(user));
  return durability->Sync();
}

Status Store::CreateUser(std::string_view user, std::string_view password) {
  RETURN_IF_ERROR(ValidateUserName(user));
  RETURN_IF_ERROR(ValidatePassword(password));
  Impl& d = *impl_;
  return d.CreateUserIndex(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(uint32_t uidvalidity, d.NextUserUidValidity());
    RETURN_IF_ERROR(ix->SetMeta("password", HashPassword(password, d.options.kdf_iterations)));
    RETURN_IF_ERROR(ix->SetMetaInt("quota_bytes", static_cast<int64_t>(d.options.default_quota_bytes)));
    RETURN_IF_ERROR(ix->SetMetaInt("quota_messages", static_cast<int64_t>(d.options.default_quota_messages)));
    // INBOX takes `uidvalidity`; later mailboxes rise from there.
    RETURN_IF_ERROR(ix->SetMetaInt("last_uidvalidity", static_cast<int64_t>(uidvalidity) - 1));
    return CreateMailboxRow(ix, "INBOX", "").status();
  });
}

Status Store::DeleteUser(std::string_view user) {
  RETURN_IF_ERROR(ValidateUserName(user));
  Impl& d = *impl_;
  auto entry = d.users.Get(user);
  std::lock_guard<std::mutex> lock(entry->mu);
  RETURN_IF_ERROR(d.OpenIndex(user, entry.get()));
  ASSIGN_OR_RETURN(int64_t last_used, entry->index->GetMetaInt("last_uidvalidity", 0));
  RETURN_IF_ERROR(d.RaiseUidValidityFloor(static_cast<uint64_t>(last_used)));
  d.CloseIndex(entry.get());
  std::string trash = d.paths.TrashDir() + "/" + RandomHex(12);
  RETURN_IF_ERROR(fs::Rename(d.paths.UserDir(user), trash));
  RETURN_IF_ERROR(d.log->Append(user));
  RETURN_IF_ERROR(d.durability->Sync());
  // The user is gone durably; removing the files is tidying (redone at open).
  return fs::RemoveTree(trash);
}

Status Store::RenameUser(std::string_view from, std::string_view to) {
  RETURN_IF_ERROR(ValidateUserName(from));
  RETURN_IF_ERROR(ValidateUserName(to));
  if (from == to) return Status::InvalidArgument("old and new user name are the same");
  Impl& d = *impl_;
  auto a = d.users.Get(from);
  auto b = d.users.Get(to);
  // Lock in name order so two opposite renames cannot deadlock.
  std::scoped_lock lock(from < to ? a->mu : b->mu, from < to ? b->mu : a->mu);
  if (!fs::Exists(d.paths.IndexPath(from))) return Status::NotFound("no such user");
  if (fs::Exists(d.paths.UserDir(to))) return Status::Exists("user already exists");
  // A new user may take the old name: it must not see this user's values.
  RETURN_IF_ERROR(d.OpenIndex(from, a.get()));
  UserIndex* ix = a->index.get();
  ASSIGN_OR_RETURN(int64_t last_used, ix->GetMetaInt("last_uidvalidity", 0));
  RETURN_IF_ERROR(d.RaiseUidValidityFloor(static_cast<uint64_t>(last_used)));
  // Under its new name the user must not show UIDVALIDITYs that an earlier
  // user of that name had (the account changed: clients resync anyway).
  // The index is rewritten and synced before the directory moves, so a
  // crash leaves either the old user (perhaps with fresh UIDVALIDITYs,
  // harmless) or the renamed one complete.
  ASSIGN_OR_RETURN(uint32_t first, d.NextUserUidValidity());
  RETURN_IF_ERROR(InTransaction(ix->db(), [&]() -> Status {
    RETURN_IF_ERROR(ix->SetMeta("user", to));
    RETURN_IF_ERROR(ix->SetMetaInt("last_uidvalidity", static_cast<int64_t>(first) - 1));
    ASSIGN_OR_RETURN(auto boxes, ix->AllMailboxes());
    for (const auto& box : boxes) {
      ASSIGN_OR_RETURN(uint32_t v, NextUidValidity(ix));
      RETURN_IF_ERROR(ix->SetUidValidity(box.id, v));
    }
    return Status::Ok();
  }));
  d.CloseIndex(a.get());
  RETURN_IF_ERROR(d.durability->Sync());
  RETURN_IF_ERROR(fs::MakeDirs(d.paths.UserBucketDir(to)));
  RETURN_IF_ERROR(fs::Rename(d.paths.UserDir(from), d.paths.UserDir(to)));
  RETURN_IF_ERROR(d.log->Append(from));
  RETURN_IF_ERROR(d.log->Append(to));
  return d.durability->Sync();
}

Result<std::vector<std::string>> Store::ListUsers() {
  const SlotPaths& p = impl_->paths;
  std::vector<std::string> users;
  ASSIGN_OR_RETURN(auto buckets, fs::ListDir(p.UsersDir()));
  for (const auto& bucket : buckets) {
    ASSIGN_OR_RETURN(auto names, fs::ListDir(p.UsersDir() + "/" + bucket));
    for (const auto& n : names) {
      auto user = DecodeUserName(n);
      if (user && ValidateUserName(*user).ok() && fs::Exists(p.IndexPath(*user))) {
        users.push_back(*user);
      }
    }
  }
  std::sort(users.begin(), users.end());
  return users;
}

bool Store::UserExists(std::string_view user) {
  return ValidateUserName(user).ok() && fs::Exists(impl_->paths.IndexPath(user));
}

Status Store::SetPassword(std::string_view user, std::string_view password) {
  RETURN_IF_ERROR(ValidateUserName(user));
  RETURN_IF_ERROR(ValidatePassword(password));
  std::string hash = HashPassword(password, impl_->options.kdf_iterations);
  return impl_->Write(user, [&](UserIndex* ix) { return ix->SetMeta("password", hash); });
}

Status Store::VerifyPassword(std::string_view user, std::string_view password) {
  const uint32_t iterations = impl_->options.kdf_iterations;
  if (!ValidateUserName(user).ok() || !ValidatePassword(password).ok()) {
    BurnPasswordTime(password.substr(0, limits::kMaxPasswordBytes), iterations);
    return Status::Permission("wrong user name or password");
  }
  // Read the hash under the lock; derive outside it, so a slow KDF does not
  // hold up the user's mail.
  auto stored = impl_->Read(user, [](UserIndex* ix) -> Result<std::string> {
    ASSIGN_OR_RETURN(auto v, ix->GetMeta("password"));
    if (!v) return Status::Corruption("user has no password hash");
    return *v;
  });
  if (!stored.ok()) {
    if (stored.status().code() == Code::kNotFound) BurnPasswordTime(password, iterations);
    return stored.status();
  }
  return VerifyPasswordHash(password, *stored);
}

// ---- quota

Status Store::SetQuota(std::string_view user, uint64_t limit_bytes, uint64_t limit_messages) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Write(user, [&](UserIndex* ix) -> Status {
    RETURN_IF_ERROR(ix->SetMetaInt("quota_bytes", static_cast<int64_t>(limit_bytes)));
    return ix->SetMetaInt("quota_messages", static_cast<int64_t>(limit_messages));
  });
}

Result<QuotaInfo> Store::GetQuota(std::string_view user) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [](UserIndex* ix) { return ReadQuota(ix); });
}

// ---- change log

void Store::SetObserver(Observer observer) { impl_->observer = std::move(observer); }

Result<ChangeBatch> Store::ReadChanges(size_t max) {
  RETURN_IF_ERROR(SyncAll());
  return impl_->log->Read(max);
}

Status Store::SyncAll() { return impl_->lazy->Flush(); }

LazySync::Stats Store::lazy_sync_stats() const { return impl_->lazy->stats(); }

Status Store::AckChanges(const ChangeLogPosition& end) { return impl_->log->Ack(end); }

}  // namespace slotmail::store
