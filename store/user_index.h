// One user's SQLite index: typed reads and writes of its tables. No policy
// here (quota, modseq rules and checksums live in the operations that call
// it). REQUIRES for every call: the caller holds the user's lock.
// Schema: doc/store.md "Index".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/metadata.h"
#include "store/replica.h"
#include "store/sqlite.h"
#include "store/types.h"

namespace slotmail::store {

// meta.schema_version of an index this build creates.
inline constexpr int64_t kMetaSchemaVersion = 1;

// The metadata table's mailbox for the user's server entries; mailbox row
// ids start at 1.
inline constexpr int64_t kServerMetadataRow = 0;

// A mailbox as stored; `id` is the local row id (never leaves the index).
struct MailboxRow {
  int64_t id = 0;
  MailboxInfo info;  // subscribed/has_children are not stored here
};

class UserIndex {
 public:
  // Opens an existing index (NotFound if absent), or creates one with the
  // schema when `create`.
  static Result<std::unique_ptr<UserIndex>> Open(const std::string& path, bool create);

  Database* db() { return db_.get(); }

  // ---- meta: small key/value facts (user name, password, quota, counters)
  Result<std::optional<std::string>> GetMeta(const char* key);
  Result<int64_t> GetMetaInt(const char* key, int64_t fallback);
  Status SetMeta(const char* key, std::string_view value);
  Status SetMetaInt(const char* key, int64_t value);

  // ---- mailboxes
  Result<std::optional<MailboxRow>> FindMailbox(std::string_view name);
  Result<std::vector<MailboxRow>> AllMailboxes();  // by name
  Status InsertMailbox(MailboxRow* row);            // sets row->id
  // Writes uidnext, highestmodseq, crc, messages, unseen, bytes.
  Status UpdateMailboxState(const MailboxRow& row);
  Status RenameMailboxRow(int64_t id, std::string_view name);
  Status SetSpecialUse(int64_t id, std::string_view use);
  Status SetUidValidity(int64_t id, uint32_t uidvalidity);
  // Removes the mailbox row with its messages, tombstones and metadata.
  Status DeleteMailboxRow(int64_t id);

  // ---- messages
  Status InsertMessage(int64_t mailbox, const MessageInfo& msg);
  Status UpdateFlags(int64_t mailbox, uint32_t uid, const Flags& flags, uint64_t modseq);
  Status DeleteMessage(int64_t mailbox, uint32_t uid);
  // Live messages with lo <= uid <= hi, ascending.
  Result<std::vector<MessageInfo>> MessagesInRange(int64_t mailbox, uint32_t lo, uint32_t hi);
  Result<std::vector<uint32_t>> AllUids(int64_t mailbox);
  Result<std::vector<MessageInfo>> MessagesChangedSince(int64_t mailbox, uint64_t modseq);
  Result<bool> GuidReferenced(std::string_view guid);
  // (guid, size) of every message row of the user, for integrity checks.
  Result<std::vector<std::pair<std::string, uint64_t>>> AllBlobRefs();

  // ---- tombstones of expunged UIDs
  Status InsertTombstone(int64_t mailbox, uint32_t uid, uint64_t modseq);
  Result<std::vector<uint32_t>> TombstonesSince(int64_t mailbox, uint64_t modseq);
  // Tombstones with modseq above `modseq`, with their modseqs, by uid.
  Result<std::vector<Tombstone>> TombstoneRowsSince(int64_t mailbox, uint64_t modseq);
  Status DeleteTombstone(int64_t mailbox, uint32_t uid);
  // Removes every message and tombstone of the mailbox, keeping its row.
  Status ClearMailboxRows(int64_t mailbox);

  // ---- metadata (`mailbox` kServerMetadataRow: the user's server entries)
  Result<std::vector<MetadataEntry>> AllMetadata(int64_t mailbox);  // by entry
  // Replaces every entry of `mailbox` with `entries`.
  Status ReplaceMetadata(int64_t mailbox, const std::vector<MetadataEntry>& entries);

  // ---- subscriptions (names, independent of mailbox existence)
  Status Subscribe(std::string_view name);
  Status Unsubscribe(std::string_view name);  // NotFound if not subscribed
  Result<std::vector<std::string>> Subscriptions();  // sorted
  // Replaces every subscription with `names`.
  Status ReplaceSubscriptions(const std::vector<std::string>& names);

 private:
  explicit UserIndex(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  std::unique_ptr<Database> db_;
};

// A message from the columns uid, guid, size, internal_date, flags,
// keywords, modseq (columns 0 to 6 of `s`), as UserIndex reads them.
MessageInfo MessageFromColumns(const Stmt& s);

}  // namespace slotmail::store
