// Internals shared by the files that implement Store (store_*.cc).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/fs.h"
#include "store/blob_store.h"
#include "store/change_log.h"
#include "store/durability.h"
#include "store/lazy_sync.h"
#include "store/paths.h"
#include "store/split_point.h"
#include "store/store.h"
#include "store/user_table.h"

namespace slotmail::store {

// When a write is made durable (see Store::Impl::Write).
enum class SyncPolicy { kBeforeReturn, kLazy };

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

class Store::Impl {
 public:
  Impl(std::string root, StoreOptions opts)
      : paths(std::move(root)), options(opts) {}

  SlotPaths paths;
  StoreOptions options;
  std::unique_ptr<Durability> durability;
  std::unique_ptr<ChangeLog> log;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<LazySync> lazy;  // started by Open, stopped first by ~Store
  UserTable users;
  Store::Observer observer;
  std::mutex uidvalidity_mu;      // guards the slot's UIDVALIDITY floor file
  std::atomic<uint64_t> master_epoch{0};  // see Store::SetMasterEpoch

  // A UIDVALIDITY never used before in this slot for a new user's INBOX,
  // persisted, so a user deleted and recreated within one second still gets
  // a new one (clients would otherwise trust stale caches).
  Result<uint32_t> NextUserUidValidity();
  // Raises the floor to at least `used`: called with the highest value a
  // user deleted or renamed away ever issued, so a new user of that name
  // starts above all of them.
  Status RaiseUidValidityFloor(uint64_t used);

  // Tells the observer that `mailbox` of `user` changed.
  void Notify(std::string_view user, std::string_view mailbox) {
    if (observer) observer(std::string(user), std::string(mailbox));
  }

  // Runs fn(UserIndex*) with the user's lock held and its index open.
  // NotFound if there is no such user. REQUIRES: `user` validated.
  template <typename Fn>
  auto Read(std::string_view user, Fn fn) -> decltype(fn(nullptr)) {
    auto entry = users.Get(user);
    std::lock_guard<std::mutex> lock(entry->mu);
    RETURN_IF_ERROR(OpenIndex(user, entry.get()));
    return fn(entry->index.get());
  }

  // Like Read, but fn runs in one transaction. If fn succeeds the
  // transaction commits (WAL, synchronous=NORMAL) and the user is appended
  // to the change log. Then, by `policy`:
  //  - kBeforeReturn: the call returns only once both are fdatasynced (and
  //    with them every earlier lazy change of the user: see LazySync::Take);
  //  - kLazy: the call returns at once; `lazy` syncs them within
  //    kLazySyncDelay, or the user's next synced write does. After a kill -9
  //    the change is kept (it is in the page cache); after a power loss it
  //    may be lost, together with the user's later lazy changes only (the
  //    WAL and the log segment are each one file, kept as a prefix).
  // If fn fails, nothing it did remains.
  template <typename Fn>
  auto Write(std::string_view user, Fn fn, SyncPolicy policy = SyncPolicy::kBeforeReturn)
      -> decltype(fn(nullptr)) {
    using R = decltype(fn(nullptr));
    auto entry = users.Get(user);
    std::unique_lock<std::mutex> lock(entry->mu);
    RETURN_IF_ERROR(OpenIndex(user, entry.get()));
    Database* db = entry->index->db();
    RETURN_IF_ERROR(db->Begin());
    const uint64_t epoch = master_epoch.load();
    Status st = epoch != 0 && entry->split_epoch != epoch
                    ? RecordSplitPoint(entry->index.get(), epoch)
                    : Status::Ok();
    if (!st.ok()) {
      db->Rollback();
      return st;
    }
    R result = fn(entry->index.get());
    st = StatusOf(result);
    if (st.ok()) st = db->Commit();
    if (!st.ok()) {
      db->Rollback();
      return st;
    }
    entry->split_epoch = epoch;
    std::string segment;
    RETURN_IF_ERROR(log->Append(user, &segment));
    lock.unlock();
    users.EvictIdle();
    std::string wal = paths.IndexPath(user) + "-wal";
    if (policy == SyncPolicy::kLazy) {
      lazy->Note(std::string(user), {std::move(wal), std::move(segment)});
      return result;
    }
    RETURN_IF_ERROR(SyncBeforeReturn(user, wal, segment));
    return result;
  }

  // A synced write's syncs: `wal` and the files of the user's pending lazy
  // changes, then those changes' blob collection; `segment` (the change-log
  // record) is noted as a lazy change (see the definition). Outside the
  // lock, so writers of one user share WAL syncs and writers of all users
  // share the journal's commits. (No WAL file means the connection has
  // written nothing since it was opened: nothing to sync.)
  Status SyncBeforeReturn(std::string_view user, const std::string& wal,
                          const std::string& segment);

  // Removes the blobs of `guids` that no row refers to once the user's lazy
  // changes (among them the one that dropped the references) are synced.
  void CollectBlobsWhenDurable(std::string_view user, std::vector<std::string> guids);

  // Removes those of `guids` that no row of `user` refers to any more.
  // Called after the change that dropped the references is durable.
  void CollectBlobs(std::string_view user, const std::vector<std::string>& guids);

  // Creates `user` whole: an index is built under tmp/, filled by `fill`
  // in one transaction, synced, and renamed into the user's directory
  // (made if missing; it may hold message files already: Store::PutBlob),
  // so a crash leaves no user or a complete one. The user is appended to
  // the change log and everything is durable on return. Exists if the user
  // has an index. Takes the user's lock.
  Status CreateUserIndex(std::string_view user, const std::function<Status(UserIndex*)>& fill);

  // Opens the user's index into entry if closed. REQUIRES: entry->mu held.
  Status OpenIndex(std::string_view user, UserEntry* entry);
  // Closes the user's index. REQUIRES: entry->mu held.
  void CloseIndex(UserEntry* entry);
};

}  // namespace slotmail::store
