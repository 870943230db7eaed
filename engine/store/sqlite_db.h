// SqliteDb and SqliteStatement: RAII handles for one SQLite connection and
// its prepared statements. Every SQLite result code becomes a Status that
// carries SQLite's own message (SqliteStatus). Not thread-safe: a SqliteDb
// and its statements must be used by one thread at a time (the owner holds a
// mutex); the connection is opened without SQLite's own mutex.
#ifndef MLFLOWCTL_STORE_SQLITE_DB_H_
#define MLFLOWCTL_STORE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/status.h"
#include "engine/base/status_or.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mlflowctl::store {

// Maps a SQLite result code to a Status whose message names `context`, the
// connection's error message (when `db` is given and reports `rc`) and the
// result code:
//   SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM,
//   SQLITE_INTERRUPT                         -> kUnavailable (may succeed later)
//   SQLITE_CORRUPT, SQLITE_NOTADB,
//   SQLITE_IOERR_CORRUPTFS                   -> kDataLoss
//   SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE   -> kAlreadyExists
//   other SQLITE_CONSTRAINT, SQLITE_READONLY,
//   SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH -> kFailedPrecondition
//   SQLITE_TOOBIG, SQLITE_MISMATCH           -> kInvalidArgument
//   SQLITE_SCHEMA                            -> kAborted
//   anything else (SQLITE_ERROR, SQLITE_MISUSE, ...) -> kInternal
// Returns OK for SQLITE_OK, SQLITE_ROW and SQLITE_DONE.
Status SqliteStatus(int rc, sqlite3* db, std::string_view context);

// A prepared statement. Movable, not copyable; finalized on destruction.
// Bind indexes are 1-based and column indexes 0-based, as in SQLite.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Text and blobs are copied by SQLite (SQLITE_TRANSIENT).
  Status BindInt64(int index, int64_t value);
  Status BindText(int index, std::string_view value);
  // Binds without a copy (SQLITE_STATIC): `value` must stay unchanged until
  // the statement is reset (Reset() also clears the binding).
  Status BindTextView(int index, std::string_view value);
  Status BindNull(int index);
  Status BindOptionalText(int index, const std::optional<std::string>& value);
  Status BindOptionalInt64(int index, const std::optional<int64_t>& value);

  // Runs one step: true when a row is ready, false when the statement is
  // done. A non-OK status (see SqliteStatus) on error.
  StatusOr<bool> Step();
  // Steps until done, ignoring rows (for INSERT/UPDATE/DELETE).
  Status Run();

  // Makes the statement ready to run again and clears its bindings. A
  // statement that is not reset after its last row keeps its read
  // transaction open.
  void Reset();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  // The text of `column` without a copy; valid until the next Step() or
  // Reset(), or until the column is read as another type.
  std::string_view ColumnView(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;
  std::optional<int64_t> ColumnOptionalInt64(int column) const;

  // The SQL text, for error messages.
  std::string_view sql() const;

 private:
  Status BindResult(int rc, int index);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement (and clears its bindings) when the scope ends, so an
// early return never leaves a read transaction open.
class ScopedReset {
 public:
  explicit ScopedReset(SqliteStatement* stmt) : stmt_(stmt) {}
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;
  ~ScopedReset() { stmt_->Reset(); }

 private:
  SqliteStatement* stmt_;
};

struct SqliteOpenOptions {
  // Open with SQLITE_OPEN_READONLY; the file must exist.
  bool read_only = false;
  // Create the directories above the file first (not for ":memory:").
  bool create_parent_directories = false;
  // How long a statement waits for another connection's lock before
  // failing with kUnavailable.
  int busy_timeout_ms = 5000;
};

// One connection. Closed (sqlite3_close_v2) on destruction.
class SqliteDb {
 public:
  // Opens (and, unless read-only, creates) the database file at `path`
  // (":memory:" for a private in-memory database). Extended result codes
  // are on and the busy timeout is set. Errors: kFailedPrecondition when
  // `path` is a directory or its parent cannot be created; otherwise see
  // SqliteStatus (kFailedPrecondition when the file cannot be opened).
  static StatusOr<std::unique_ptr<SqliteDb>> Open(
      const std::string& path, const SqliteOpenOptions& options);

  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more SQL statements that return no rows we need.
  Status Exec(std::string_view sql);

  // Runs a statement and returns the first column of its first row as text
  // (e.g. "PRAGMA journal_mode=WAL"); an empty string if it has no rows.
  StatusOr<std::string> QueryText(std::string_view sql);
  StatusOr<int64_t> QueryInt64(std::string_view sql);

  // A fresh prepared statement. kInternal for SQL errors.
  StatusOr<SqliteStatement> Prepare(std::string_view sql);

  // A prepared statement kept for the life of the connection and keyed by
  // its SQL text, reset and ready to bind. The pointer stays valid until the
  // SqliteDb is destroyed; wrap its use in a ScopedReset.
  StatusOr<SqliteStatement*> Cached(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  // True while a transaction is open (not in autocommit mode).
  bool InTransaction() const;
  // True if the main database was opened read-only (by request or because
  // the file is write-protected).
  bool IsReadOnly() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_DB_H_
