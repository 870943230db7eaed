// Schema migrations: the numbered schema files (engine/store/schema/
// NNNN_*.sql, compiled in) and the code that brings a database up to the
// newest one. The applied version is kept in PRAGMA user_version. Functions
// take a SqliteDb and share its thread-safety (one thread at a time); two
// processes migrating one file at once are serialised by SQLite's write lock.
#ifndef MLFLOWCTL_STORE_MIGRATIONS_H_
#define MLFLOWCTL_STORE_MIGRATIONS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/base/status.h"
#include "engine/base/status_or.h"
#include "engine/store/sqlite_db.h"

namespace mlflowctl::store {

struct Migration {
  int64_t version;         // NNNN of the file; 1, 2, 3, ... without gaps
  std::string_view name;   // the file name, "0001_init.sql"
  std::string_view sql;    // its contents
};

// Every migration of this binary, in version order.
std::span<const Migration> Migrations();

// The version a database has once every migration is applied.
int64_t LatestSchemaVersion();

// The database's PRAGMA user_version (0 for a new file).
StatusOr<int64_t> SchemaVersion(SqliteDb& db);

// Applies, in one IMMEDIATE transaction, each migration newer than the
// database's version, then sets user_version to the newest. Either every
// step is applied or none. Errors: kFailedPrecondition if the database is
// newer than `migrations` (made by a later binary); a migration's SQL error
// as SqliteStatus maps it; kUnavailable if another connection holds the
// write lock past the busy timeout.
Status ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations);
inline Status ApplyMigrations(SqliteDb& db) {
  return ApplyMigrations(db, Migrations());
}

// kFailedPrecondition unless the database is at LatestSchemaVersion(); for
// connections that may not write (read-only).
Status CheckSchemaIsCurrent(SqliteDb& db);

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_MIGRATIONS_H_
