#include "store/user_index.h"

#include "store/flags.h"

namespace slotmail::store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mailboxes(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mailbox_guid TEXT NOT NULL UNIQUE,
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL,
  highestmodseq INTEGER NOT NULL,
  crc INTEGER NOT NULL,
  messages INTEGER NOT NULL,
  unseen INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  special_use TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS messages(
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  guid TEXT NOT NULL,
  size INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  keywords TEXT NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY(mailbox, uid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_guid ON messages(guid);
CREATE INDEX IF NOT EXISTS messages_modseq ON messages(mailbox, modseq);
CREATE TABLE IF NOT EXISTS tombstones(
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY(mailbox, uid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscriptions(name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata(
  mailbox INTEGER NOT NULL,
  entry TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY(mailbox, entry)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sort_keys(
  guid TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  has_sent_date INTEGER NOT NULL,
  sent_date INTEGER NOT NULL,
  subject TEXT NOT NULL,
  subject_reply INTEGER NOT NULL,
  from_key TEXT NOT NULL,
  to_key TEXT NOT NULL,
  cc_key TEXT NOT NULL,
  display_from TEXT NOT NULL,
  display_to TEXT NOT NULL,
  message_id TEXT NOT NULL,
  in_reply_to TEXT NOT NULL,
  refs TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sort_keys_message_id ON sort_keys(message_id);
CREATE TABLE IF NOT EXISTS mime_structures(
  guid TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  data BLOB NOT NULL);
)sql";

// A stamp of the schema text (FNV-1a, 31 bits, never 0), kept in the
// index's PRAGMA user_version: any edit to kSchema (a table added) changes
// it, so an index is brought up to date on its first open by a new build.
constexpr int64_t SchemaStamp() {
  uint32_t h = 2166136261u;
  for (const char* p = kSchema; *p != '\0'; ++p) {
    h = (h ^ static_cast<unsigned char>(*p)) * 16777619u;
  }
  return (h & 0x7fffffff) | 1;
}

MailboxRow ReadMailbox(const Stmt& s) {
  MailboxRow r;
  r.id = s.Int(0);
  r.info.name = s.Text(1);
  r.info.id = s.Text(2);
  r.info.uidvalidity = static_cast<uint32_t>(s.Int(3));
  r.info.uidnext = static_cast<uint32_t>(s.Int(4));
  r.info.highestmodseq = static_cast<uint64_t>(s.Int(5));
  r.info.crc = static_cast<uint64_t>(s.Int(6));
  r.info.messages = static_cast<uint32_t>(s.Int(7));
  r.info.unseen = static_cast<uint32_t>(s.Int(8));
  r.info.bytes = static_cast<uint64_t>(s.Int(9));
  r.info.special_use = s.Text(10);
  return r;
}

// Columns: uid, guid, size, internal_date, flags, keywords, modseq.
MessageInfo ReadMessage(const Stmt& s) {
  MessageInfo m;
  m.uid = static_cast<uint32_t>(s.Int(0));
  m.guid = s.Text(1);
  m.size = static_cast<uint64_t>(s.Int(2));
  m.internal_date = s.Int(3);
  m.flags.system = static_cast<uint32_t>(s.Int(4));
  KeywordsFromString(s.Text(5), &m.flags);
  m.modseq = static_cast<uint64_t>(s.Int(6));
  return m;
}

template <typename T, typename ReadRow>
Result<std::vector<T>> CollectRows(Stmt& s, ReadRow read) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

MessageInfo MessageFromColumns(const Stmt& s) { return ReadMessage(s); }

Result<std::unique_ptr<UserIndex>> UserIndex::Open(const std::string& path, bool create) {
  ASSIGN_OR_RETURN(auto db, Database::Open(path, create));
  // Every statement is IF NOT EXISTS: an index made by an older version
  // gets the tables added since. It runs only when the index's stamp
  // differs from this build's (a login reopening an index skips it); the
  // stamp is written after the schema, so a crash between them just runs
  // the schema again next time.
  bool current = false;
  {
    ASSIGN_OR_RETURN(Stmt version, db->Prepare("PRAGMA user_version"));
    ASSIGN_OR_RETURN(bool row, version.Step());
    current = row && version.Int(0) == SchemaStamp();
  }  // the statement resets here
  if (!current) {
    RETURN_IF_ERROR(db->Exec(kSchema));
    const std::string stamp = "PRAGMA user_version = " + std::to_string(SchemaStamp());
    RETURN_IF_ERROR(db->Exec(stamp.c_str()));
  }
  return std::unique_ptr<UserIndex>(new UserIndex(std::move(db)));
}

Result<std::optional<std::string>> UserIndex::GetMeta(const char* key) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM meta WHERE key = ?"));
  s.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Result<int64_t> UserIndex::GetMetaInt(const char* key, int64_t fallback) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM meta WHERE key = ?"));
  s.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : fallback;
}

Status UserIndex::SetMeta(const char* key, std::string_view value) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  return s.Bind(1, key).Bind(2, value).Run();
}

Status UserIndex::SetMetaInt(const char* key, int64_t value) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  return s.Bind(1, key).Bind(2, value).Run();
}

Result<std::optional<MailboxRow>> UserIndex::FindMailbox(std::string_view name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, name, mailbox_guid, uidvalidity, uidnext, "
                                        "highestmodseq, crc, messages, unseen, bytes, special_use "
                                        "FROM mailboxes WHERE name = ?"));
  s.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<MailboxRow>();
  return std::optional<MailboxRow>(ReadMailbox(s));
}

Result<std::vector<MailboxRow>> UserIndex::AllMailboxes() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, name, mailbox_guid, uidvalidity, uidnext, "
                                        "highestmodseq, crc, messages, unseen, bytes, special_use "
                                        "FROM mailboxes ORDER BY name"));
  return CollectRows<MailboxRow>(s, ReadMailbox);
}

Status UserIndex::InsertMailbox(MailboxRow* row) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO mailboxes(name, mailbox_guid, uidvalidity, uidnext, highestmodseq, crc, "
      "messages, unseen, bytes, special_use) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const MailboxInfo& m = row->info;
  s.Bind(1, m.name).Bind(2, m.id).Bind(3, m.uidvalidity).Bind(4, m.uidnext);
  s.Bind(5, I(m.highestmodseq)).Bind(6, I(m.crc)).Bind(7, m.messages).Bind(8, m.unseen);
  s.Bind(9, I(m.bytes)).Bind(10, m.special_use);
  RETURN_IF_ERROR(s.Run());
  ASSIGN_OR_RETURN(Stmt id, db_->Prepare("SELECT last_insert_rowid()"));
  ASSIGN_OR_RETURN(bool row_ok, id.Step());
  (void)row_ok;
  row->id = id.Int(0);
  return Status::Ok();
}

Status UserIndex::UpdateMailboxState(const MailboxRow& row) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE mailboxes SET uidnext = ?, highestmodseq = ?, crc = ?, messages = ?, unseen = ?, "
      "bytes = ? WHERE id = ?"));
  const MailboxInfo& m = row.info;
  s.Bind(1, m.uidnext).Bind(2, I(m.highestmodseq)).Bind(3, I(m.crc)).Bind(4, m.messages);
  s.Bind(5, m.unseen).Bind(6, I(m.bytes)).Bind(7, row.id);
  return s.Run();
}

Status UserIndex::RenameMailboxRow(int64_t id, std::string_view name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE mailboxes SET name = ? WHERE id = ?"));
  return s.Bind(1, name).Bind(2, id).Run();
}

Status UserIndex::SetSpecialUse(int64_t id, std::string_view use) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE mailboxes SET special_use = ? WHERE id = ?"));
  return s.Bind(1, use).Bind(2, id).Run();
}

Status UserIndex::SetUidValidity(int64_t id, uint32_t uidvalidity) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE mailboxes SET uidvalidity = ? WHERE id = ?"));
  return s.Bind(1, uidvalidity).Bind(2, id).Run();
}

Status UserIndex::DeleteMailboxRow(int64_t id) {
  RETURN_IF_ERROR(ClearMailboxRows(id));
  ASSIGN_OR_RETURN(Stmt md, db_->Prepare("DELETE FROM metadata WHERE mailbox = ?"));
  RETURN_IF_ERROR(md.Bind(1, id).Run());
  ASSIGN_OR_RETURN(Stmt b, db_->Prepare("DELETE FROM mailboxes WHERE id = ?"));
  return b.Bind(1, id).Run();
}

Status UserIndex::InsertMessage(int64_t mailbox, const MessageInfo& msg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO messages(mailbox, uid, guid, size, internal_date, flags, keywords, modseq) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, mailbox).Bind(2, msg.uid).Bind(3, msg.guid).Bind(4, I(msg.size));
  s.Bind(5, msg.internal_date).Bind(6, msg.flags.system).Bind(7, KeywordsToString(msg.flags));
  s.Bind(8, I(msg.modseq));
  return s.Run();
}

Status UserIndex::UpdateFlags(int64_t mailbox, uint32_t uid, const Flags& flags, uint64_t modseq) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE mailbox = ? AND uid = ?"));
  s.Bind(1, flags.system).Bind(2, KeywordsToString(flags)).Bind(3, I(modseq));
  return s.Bind(4, mailbox).Bind(5, uid).Run();
}

Status UserIndex::DeleteMessage(int64_t mailbox, uint32_t uid) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM messages WHERE mailbox = ? AND uid = ?"));
  return s.Bind(1, mailbox).Bind(2, uid).Run();
}

Result<std::vector<MessageInfo>> UserIndex::MessagesInRange(int64_t mailbox, uint32_t lo,
                                                            uint32_t hi) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT uid, guid, size, internal_date, flags, keywords, modseq FROM messages "
      "WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid"));
  s.Bind(1, mailbox).Bind(2, lo).Bind(3, hi);
  return CollectRows<MessageInfo>(s, ReadMessage);
}

Result<std::vector<uint32_t>> UserIndex::AllUids(int64_t mailbox) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT uid FROM messages WHERE mailbox = ? ORDER BY uid"));
  s.Bind(1, mailbox);
  return CollectRows<uint32_t>(s, [](const Stmt& r) { return static_cast<uint32_t>(r.Int(0)); });
}

Result<std::vector<MessageInfo>> UserIndex::MessagesChangedSince(int64_t mailbox, uint64_t modseq) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT uid, guid, size, internal_date, flags, keywords, modseq FROM messages "
      "WHERE mailbox = ? AND modseq > ? ORDER BY uid"));
  s.Bind(1, mailbox).Bind(2, I(modseq));
  return CollectRows<MessageInfo>(s, ReadMessage);
}

Result<bool> UserIndex::GuidReferenced(std::string_view guid) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT 1 FROM messages WHERE guid = ? LIMIT 1"));
  s.Bind(1, guid);
  return s.Step();
}

Result<std::vector<std::pair<std::string, uint64_t>>> UserIndex::AllBlobRefs() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT guid, size FROM messages"));
  return CollectRows<std::pair<std::string, uint64_t>>(s, [](const Stmt& r) {
    return std::make_pair(r.Text(0), static_cast<uint64_t>(r.Int(1)));
  });
}

Status UserIndex::InsertTombstone(int64_t mailbox, uint32_t uid, uint64_t modseq) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT OR REPLACE INTO tombstones(mailbox, uid, modseq) VALUES(?, ?, ?)"));
  return s.Bind(1, mailbox).Bind(2, uid).Bind(3, I(modseq)).Run();
}

Result<std::vector<uint32_t>> UserIndex::TombstonesSince(int64_t mailbox, uint64_t modseq) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT uid FROM tombstones WHERE mailbox = ? AND modseq > ? ORDER BY uid"));
  s.Bind(1, mailbox).Bind(2, I(modseq));
  return CollectRows<uint32_t>(s, [](const Stmt& r) { return static_cast<uint32_t>(r.Int(0)); });
}

Result<std::vector<Tombstone>> UserIndex::TombstoneRowsSince(int64_t mailbox, uint64_t modseq) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT uid, modseq FROM tombstones WHERE mailbox = ? AND modseq > ? ORDER BY uid"));
  s.Bind(1, mailbox).Bind(2, I(modseq));
  return CollectRows<Tombstone>(s, [](const Stmt& r) {
    return Tombstone{static_cast<uint32_t>(r.Int(0)), static_cast<uint64_t>(r.Int(1))};
  });
}

Status UserIndex::DeleteTombstone(int64_t mailbox, uint32_t uid) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM tombstones WHERE mailbox = ? AND uid = ?"));
  return s.Bind(1, mailbox).Bind(2, uid).Run();
}

Status UserIndex::ClearMailboxRows(int64_t mailbox) {
  ASSIGN_OR_RETURN(Stmt m, db_->Prepare("DELETE FROM messages WHERE mailbox = ?"));
  RETURN_IF_ERROR(m.Bind(1, mailbox).Run());
  ASSIGN_OR_RETURN(Stmt t, db_->Prepare("DELETE FROM tombstones WHERE mailbox = ?"));
  return t.Bind(1, mailbox).Run();
}

Result<std::vector<MetadataEntry>> UserIndex::AllMetadata(int64_t mailbox) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT entry, value FROM metadata WHERE mailbox = ? ORDER BY entry"));
  s.Bind(1, mailbox);
  return CollectRows<MetadataEntry>(s, [](const Stmt& r) {
    return MetadataEntry{r.Text(0), r.Text(1)};
  });
}

Status UserIndex::ReplaceMetadata(int64_t mailbox, const std::vector<MetadataEntry>& entries) {
  ASSIGN_OR_RETURN(Stmt d, db_->Prepare("DELETE FROM metadata WHERE mailbox = ?"));
  RETURN_IF_ERROR(d.Bind(1, mailbox).Run());
  for (const auto& e : entries) {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "INSERT OR REPLACE INTO metadata(mailbox, entry, value) VALUES(?, ?, ?)"));
    RETURN_IF_ERROR(s.Bind(1, mailbox).Bind(2, e.entry).Bind(3, e.value).Run());
  }
  return Status::Ok();
}

Status UserIndex::Subscribe(std::string_view name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR IGNORE INTO subscriptions(name) VALUES(?)"));
  return s.Bind(1, name).Run();
}

Status UserIndex::Unsubscribe(std::string_view name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM subscriptions WHERE name = ?"));
  RETURN_IF_ERROR(s.Bind(1, name).Run());
  if (db_->Changes() == 0) return Status::NotFound("not subscribed");
  return Status::Ok();
}

Status UserIndex::ReplaceSubscriptions(const std::vector<std::string>& names) {
  RETURN_IF_ERROR(db_->Exec("DELETE FROM subscriptions"));
  for (const auto& n : names) RETURN_IF_ERROR(Subscribe(n));
  return Status::Ok();
}

Result<std::vector<std::string>> UserIndex::Subscriptions() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT name FROM subscriptions ORDER BY name"));
  return CollectRows<std::string>(s, [](const Stmt& r) { return r.Text(0); });
}

}  // namespace slotmail::store
