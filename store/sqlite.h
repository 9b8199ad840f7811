// The only SQLite user in slotmail: a connection with cached prepared
// statements, errors as Status. Internal to store/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace slotmail::store {

class Database;

// A prepared statement borrowed from the Database's cache. Reset and unbound
// when it goes out of scope. Bind indexes are 1-based, columns 0-based.
class Stmt {
 public:
  Stmt(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& BindBlob(int index, std::string_view bytes);  // binary data, NULs and all
  // true: a row is available; false: done. Errors as Status.
  Result<bool> Step();
  // Step() for statements that return no rows.
  Status Run();
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;  // a BLOB column's bytes ("" for NULL)

 private:
  Database* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens `path` in WAL mode with synchronous=NORMAL: commits do not sync,
  // the caller makes them durable through Durability::Sync(); checkpoints do
  // sync. `create`: create the file if missing (else NotFound).
  static Result<std::unique_ptr<Database>> Open(const std::string& path, bool create);
  ~Database();

  Status Exec(const char* sql);
  // A cached statement for `sql` (which must be a string literal or
  // otherwise outlive the Database).
  Result<Stmt> Prepare(const char* sql);
  Status Begin() { return Exec("BEGIN IMMEDIATE"); }
  Status Commit() { return Exec("COMMIT"); }
  void Rollback();
  int64_t Changes() const;

  // Maps an SQLite result code to a Status.
  Status Error(int rc, std::string_view what) const;

 private:
  explicit Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Runs `body` inside BEGIN IMMEDIATE .. COMMIT; rolls back if it or the
// commit fails. `body` returns Status.
template <typename Body>
Status InTransaction(Database* db, Body&& body) {
  RETURN_IF_ERROR(db->Begin());
  Status st = body();
  if (st.ok()) st = db->Commit();
  if (!st.ok()) db->Rollback();
  return st;
}

}  // namespace slotmail::store
