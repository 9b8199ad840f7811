// The mail store of one slot: users, mailboxes, messages, blobs, quota,
// checksums and the change log. No sockets here.
//
// Thread safety: every method may be called from any thread at any time.
// Calls for one user are serialised by that user's lock; calls for different
// users run in parallel. A write method returns only after its change (and
// every blob it refers to) is durable on disk, except StoreFlags and Expunge:
// they return once committed and are made durable by the user's next synced
// write or within StoreOptions::lazy_sync_delay (Dovecot's
// mail_fsync=optimized policy). Each writer fsyncs exactly the files it
// wrote, outside the user's lock, so concurrent writers share the file
// system's journal commits and one user's writers share WAL syncs (see
// doc/store.md "Durability").
//
// Visibility: a change is visible to other callers as soon as it commits, a
// moment before it is durable; a crash in that moment loses it as if it never
// happened, and nobody was told it succeeded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "mime/message.h"
#include "mime/sort_keys.h"
#include "store/lazy_sync.h"
#include "store/metadata.h"
#include "store/replica.h"
#include "store/types.h"

namespace slotmail::store {

class ChangeLog;
class Durability;
class UserTable;

// One message of Store::AppendBatch. `bytes` must outlive the call.
struct AppendItem {
  std::string_view bytes;
  Flags flags;
  int64_t internal_date = 0;
};

// A message with what SORT and THREAD need of it (Store::FetchSortKeys).
struct SortRecord {
  MessageInfo info;
  mime::SortKeys keys;
};

struct StoreOptions {
  // PBKDF2-HMAC-SHA256 iterations for new password hashes. Tests lower it.
  uint32_t kdf_iterations = 100000;
  // Largest message Append accepts, in bytes.
  uint64_t max_message_bytes = 64ull << 20;
  // Quota given to new users (0: unlimited).
  uint64_t default_quota_bytes = 0;
  uint64_t default_quota_messages = 0;
  // Longest a flag change or expunge stays acknowledged but not synced.
  std::chrono::milliseconds lazy_sync_delay = limits::kLazySyncDelay;
};

class Store {
 public:
  // Opens (creating if needed) the slot directory `root`. Recovers from an
  // unclean shutdown: stray temporary files are removed and every user is
  // appended to the change log once, so replication re-checks all of them.
  static Result<std::unique_ptr<Store>> Open(const std::string& root,
                                             const StoreOptions& options);
  ~Store();  // marks the shutdown clean
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- users. Names: see names.h ValidateUserName. Passwords: 1 to
  // limits::kMaxPasswordBytes bytes (an empty one is InvalidArgument).
  Status CreateUser(std::string_view user, std::string_view password);
  Status DeleteUser(std::string_view user);
  // Every mailbox of the renamed user gets a new UIDVALIDITY (UIDs stay):
  // an earlier user of the name `to` may have had the same values, and a
  // client of the new account must not trust caches keyed by them.
  Status RenameUser(std::string_view from, std::string_view to);
  Result<std::vector<std::string>> ListUsers();  // sorted
  bool UserExists(std::string_view user);
  Status SetPassword(std::string_view user, std::string_view password);
  // Ok if the password matches; Permission if not; NotFound for no such user.
  // Takes the same time for a wrong password as for a right one.
  Status VerifyPassword(std::string_view user, std::string_view password);

  // ---- quota
  Status SetQuota(std::string_view user, uint64_t limit_bytes, uint64_t limit_messages);
  Result<QuotaInfo> GetQuota(std::string_view user);

  // ---- mailboxes. Names are UTF-8 with '/' as hierarchy separator; any
  // case of "inbox" as first component means INBOX. Missing parents are
  // created. Every user has INBOX from creation.
  Status CreateMailbox(std::string_view user, std::string_view name,
                       std::string_view special_use = "");
  // InUse if it has children; InvalidArgument for INBOX.
  Status DeleteMailbox(std::string_view user, std::string_view name);
  // Children move too. Renaming INBOX moves its messages into a new mailbox
  // `to` and leaves INBOX empty (RFC 3501 6.3.5); INBOX's children stay.
  Status RenameMailbox(std::string_view user, std::string_view from, std::string_view to);
  Result<MailboxInfo> GetMailbox(std::string_view user, std::string_view name);
  // Mailboxes whose names match the IMAP LIST pattern (`*` any, `%` any but
  // '/'), sorted by name.
  Result<std::vector<MailboxInfo>> ListMailboxes(std::string_view user,
                                                 std::string_view pattern = "*");
  Status SetSpecialUse(std::string_view user, std::string_view name, std::string_view use);
  // Subscriptions are names; they may outlive the mailbox (RFC 3501 6.3.6).
  Status Subscribe(std::string_view user, std::string_view name);
  Status Unsubscribe(std::string_view user, std::string_view name);
  Result<std::vector<std::string>> ListSubscriptions(std::string_view user,
                                                     std::string_view pattern = "*");

  // ---- metadata (RFC 5464; store_metadata.cc). `mailbox` "" holds the
  // user's server entries. A mailbox's entries keep to it through RENAME
  // and go with it at DELETE. Entry names: see metadata.h.
  // Applies `changes` in one transaction, all or nothing. NotFound for no
  // such mailbox; InvalidArgument for a bad entry name; TooBig for a value
  // over kMaxMetadataValueBytes; TooBig "too many metadata entries" if the
  // mailbox or the user would hold more than the limits allow.
  Status SetMetadata(std::string_view user, std::string_view mailbox,
                     const std::vector<MetadataChange>& changes);
  // The entries of `mailbox` that are `entry` or below it at most `depth`
  // levels (SIZE_MAX: any depth), sorted by name. NotFound for no such
  // mailbox.
  Result<std::vector<MetadataEntry>> GetMetadata(std::string_view user, std::string_view mailbox,
                                                 std::string_view entry, size_t depth);

  // ---- messages
  // Stores `bytes` with `flags` and `internal_date`. TooBig over
  // max_message_bytes, OverQuota over quota (nothing is written then).
  Result<AppendResult> Append(std::string_view user, std::string_view mailbox,
                              std::string_view bytes, const Flags& flags,
                              int64_t internal_date);
  // Appends `items` to `mailbox` in one transaction: every message is stored
  // or none is (IMAP MULTIAPPEND, RFC 3502). UIDs are consecutive in the
  // order given and share one modseq. TooBig if any message is over
  // max_message_bytes, OverQuota if the batch as a whole is over quota,
  // InvalidArgument if `items` is empty. (store_append_batch.cc)
  Result<std::vector<AppendResult>> AppendBatch(std::string_view user, std::string_view mailbox,
                                                const std::vector<AppendItem>& items);
  // Copies the messages of `uids` that exist; the copies share the blob.
  // Copy and Move are synced before they return, like Append: they put mail
  // in the destination, and Move's removal from the source is in the same
  // commit, so it is never durable without the copies.
  Result<CopyResult> Copy(std::string_view user, std::string_view src,
                          const UidSet& uids, std::string_view dst);
  // Copy, then expunge the sources (leaving tombstones), in one transaction.
  Result<CopyResult> Move(std::string_view user, std::string_view src,
                          const UidSet& uids, std::string_view dst);
  // Changes flags of the messages in `uids`. A message whose modseq is above
  // `unchanged_since` (when given, RFC 7162) is left alone and reported in
  // `failed`. Only messages whose flags really change get a new modseq.
  // Durable lazily (see the top of this file).
  Result<StoreFlagsResult> StoreFlags(std::string_view user, std::string_view mailbox,
                                      const UidSet& uids, FlagOp op, const Flags& flags,
                                      std::optional<uint64_t> unchanged_since = std::nullopt);
  // Expunges messages flagged \Deleted (restricted to `uids` when given),
  // leaving a tombstone (uid, modseq) for each. Durable lazily; the blobs
  // no row refers to any more are removed once it is durable.
  Result<ExpungeResult> Expunge(std::string_view user, std::string_view mailbox,
                                const std::optional<UidSet>& uids = std::nullopt);

  // Metadata of the live messages in `uids`, ascending by UID.
  Result<std::vector<MessageInfo>> FetchByUid(std::string_view user, std::string_view mailbox,
                                              const UidSet& uids);
  // Metadata by sequence numbers (1-based positions in ascending UID order).
  Result<std::vector<MessageInfo>> FetchBySeq(std::string_view user, std::string_view mailbox,
                                              const UidSet& seqs);
  // Live messages whose modseq is above `modseq`.
  Result<std::vector<MessageInfo>> ChangedSince(std::string_view user, std::string_view mailbox,
                                                uint64_t modseq);
  // UIDs expunged with a modseq above `modseq`, ascending.
  Result<std::vector<uint32_t>> VanishedSince(std::string_view user, std::string_view mailbox,
                                              uint64_t modseq);
  // Metadata and sort keys of the live messages with UIDs in `range`,
  // ascending by UID, from one index query. Keys the index lacks (messages
  // stored before it kept them) are computed from the bytes once and
  // stored; a message whose bytes are gone meanwhile gets empty keys.
  // (store_sort.cc)
  Result<std::vector<SortRecord>> FetchSortKeys(std::string_view user, std::string_view mailbox,
                                                UidRange range);
  // The GUIDs of up to `max` live messages of `mailbox` whose Message-ID is
  // `message_id` (its first msg-id as mime::ComputeSortKeys derives it, e.g.
  // "<a@b>") and whose internal date is at or after `since`, newest (highest
  // UID) first. One index query over messages and sort_keys; no message file
  // is read, so messages whose keys the index lacks (stored before it kept
  // them) are not considered. None for an empty `message_id`. NotFound for
  // no such mailbox. (store_dedup.cc)
  Result<std::vector<std::string>> FindMessageIdSince(std::string_view user,
                                                      std::string_view mailbox,
                                                      std::string_view message_id,
                                                      int64_t since, size_t max);
  // The bytes of a message of `user`, by GUID.
  Result<std::string> ReadMessage(std::string_view user, std::string_view guid);
  // The first `max_bytes` bytes of that message (all of it if shorter): e.g.
  // its header block, whose end the message's structure records.
  Result<std::string> ReadMessageHead(std::string_view user, std::string_view guid,
                                      size_t max_bytes);
  // The MIME structure (mime::ParseMessage of the bytes) of each message of
  // `guids`, in order, from the index in one query (kept at append). Those
  // the index lacks (stored before it kept them) are parsed from the bytes
  // once and kept as a cache row: no change log entry, no sync; a crash
  // may lose the row and the next call computes it again. nullptr for a
  // message whose row and bytes are both gone. (store_structures.cc)
  Result<std::vector<std::shared_ptr<const mime::Message>>> FetchStructures(
      std::string_view user, const std::vector<std::string>& guids);

  // ---- integrity
  // The mailbox checksum recomputed from its rows, ignoring the stored one.
  Result<uint64_t> RecomputeCrc(std::string_view user, std::string_view mailbox);
  // Checks one user's invariants: stored CRC equals recomputed, UIDs below
  // UIDNEXT, modseqs at most HIGHESTMODSEQ, every row's blob present with the
  // right size, quota usage equals the sum of rows. Corruption says which.
  Status CheckUser(std::string_view user);

  // ---- replication (store_replica.cc; types in replica.h)
  // The user's state in one read transaction (consistent): every mailbox
  // with its header fields and metadata, plus the user's password hash,
  // quota limits, subscriptions and server metadata. Records and
  // tombstones: for a mailbox whose id is in `since`, those with modseq
  // above since[id] (complete = false, since_modseq set); for the others,
  // all of them (complete = true). NotFound for no such user.
  Result<UserImage> ReadUserImage(std::string_view user, const SinceMap& since);
  // The same without any record or tombstone (complete = false,
  // since_modseq = highestmodseq): what two sides compare first.
  Result<UserImage> SummarizeUser(std::string_view user);
  // The GUIDs of `guids` whose message file this user lacks.
  Result<std::vector<std::string>> MissingBlobs(std::string_view user,
                                                const std::vector<std::string>& guids);
  // Keeps `bytes` as the user's message file `guid`, durably. Corruption if
  // SHA-256(bytes) is not `guid` (nothing is written then). Creates nothing
  // in the index; the user need not exist yet (its directory is made).
  Status PutBlob(std::string_view user, std::string_view guid, std::string_view bytes);
  // PutBlob of many files, checked first (Corruption and nothing written if
  // any does not match its GUID), made durable with two syncs of the slot's
  // file system shared with concurrent writers (group commit) instead of
  // two fsyncs per file: how a replica takes a batch of new mail.
  Status PutBlobs(std::string_view user,
                  const std::vector<std::pair<std::string, std::string_view>>& blobs);
  // Makes the user equal to `image`, in one transaction, durable when it
  // returns; creates the user if missing. Mailboxes are matched by id:
  // renamed, created, or deleted when absent from the image. A complete
  // mailbox's records and tombstones replace the local ones; a delta's are
  // upserted by uid (a tombstone removes the live record of its uid).
  // UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, special use, metadata, password
  // hash, quota limits and subscriptions are set as given; counts, quota
  // usage and checksums are recomputed from the rows, and if a mailbox's
  // checksum or count then differs from the image's, nothing is applied:
  // Corruption naming the mailbox (the caller falls back to a complete
  // image). NotFound if a record's message file is missing (PutBlob first).
  Status ApplyUserImage(std::string_view user, const UserImage& image);

  // ---- split points, for a rejoining old master (doc/store.md "Split points")
  // Called when this slot becomes master at `epoch` (0: no longer master).
  // From then on, a user's first write in that epoch first records the
  // user's split point (its mailboxes' UIDNEXT and HIGHESTMODSEQ), in the
  // same transaction. Thread-safe.
  void SetMasterEpoch(uint64_t epoch);
  // The user's split point of the lowest epoch above `after_epoch`:
  // nullopt when this slot has not written to the user since. NotFound for
  // no such user.
  Result<std::optional<SplitPoint>> ReadSplitPoint(std::string_view user, uint64_t after_epoch);

  // ---- change log (consumer side; see change_log.h)
  // Up to `max` entries after the last acknowledged position. Syncs the
  // lazily synced changes first (SyncAll), so a consumer does not ship a
  // change long before it is durable here.
  Result<ChangeBatch> ReadChanges(size_t max);
  // Durably records that everything up to `end` has been handled.
  // InvalidArgument if `end` is before the last acknowledged position or
  // past the end of the log (only positions ReadChanges returned are valid).
  Status AckChanges(const ChangeLogPosition& end);

  // ---- durability
  // Makes every change acknowledged so far durable now, the lazily synced
  // flag changes and expunges included. ~Store calls it before it marks the
  // shutdown clean.
  Status SyncAll();
  // Counters of the lazy syncs, for tests and benchmarks.
  LazySync::Stats lazy_sync_stats() const;

  // ---- observation
  // Called after a change to the messages, flags or existence of a mailbox
  // is committed (and durable, but for StoreFlags and Expunge: see the top
  // of this file), on the thread that made it, without locks held. Set before
  // the store is shared between threads; must be cheap and thread-safe.
  using Observer = std::function<void(const std::string& user, const std::string& mailbox)>;
  void SetObserver(Observer observer);

  const std::string& root() const { return root_; }

 private:
  Store(std::string root, StoreOptions options);
  Result<CopyResult> CopyOrMove(std::string_view user, std::string_view src, const UidSet& uids,
                                std::string_view dst, bool move);
  class Impl;
  std::string root_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace slotmail::store
