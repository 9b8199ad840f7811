#include "store/sqlite.h"

#include <sqlite3.h>

#include "common/check.h"
#include "common/fs.h"

namespace slotmail::store {

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int index, int64_t value) {
  SM_CHECK(sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK) << index;
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  SM_CHECK(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) == SQLITE_OK)
      << index;
  return *this;
}

Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  SM_CHECK(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                          SQLITE_TRANSIENT) == SQLITE_OK)
      << index;
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Status::Ok();
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Stmt::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, bool create) {
  // An index holds the password hash and every message's envelope: 0600,
  // never the umask's 0644. SQLite gives the -wal and -shm files the mode of
  // the database file. An index made 0644 by an older version is tightened.
  if (create) {
    RETURN_IF_ERROR(fs::CreatePrivateFile(path));
  } else if (Status st = fs::MakePrivate(path); !st.ok() && st.code() != Code::kNotFound) {
    return st;
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_CANTOPEN && !create) return Status::NotFound("no index at " + path);
    return db->Error(rc, "open");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 10000);
  // Exclusive: one process owns a slot, and SQLite then keeps the WAL index
  // in heap memory instead of a shared -shm mmap, which every commit would
  // dirty and every group-commit syncfs would have to write back.
  RETURN_IF_ERROR(db->Exec("PRAGMA locking_mode=EXCLUSIVE"));
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Database::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Status::Ok();
}

Result<Stmt> Database::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(this, it->second);
}

void Database::Rollback() {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Status Database::Error(int rc, std::string_view what) const {
  std::string msg = path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_FULL: return Status::NoSpace(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::InUse(msg);
    case SQLITE_CONSTRAINT: return Status::Exists(msg);
    default: return Status::IOError(msg);
  }
}

}  // namespace slotmail::store
