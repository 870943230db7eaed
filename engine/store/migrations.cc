#include "engine/store/migrations.h"

#include <array>

#include <fmt/format.h>

#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace schema {
// Defined in schema_NNNN_*.cc, one per schema/NNNN_*.sql.
extern const char k0001Init[];
extern const char k0002Mlops[];
extern const char k0003Hosting[];
extern const char k0004Resume[];
extern const char k0005Triggers[];
}  // namespace schema

namespace {

// The raw string literals start with the newline after R"sql(.
std::string_view Sql(const char* text) {
  std::string_view sql(text);
  if (!sql.empty() && sql.front() == '\n') sql.remove_prefix(1);
  return sql;
}

const std::array<Migration, 5>& AllMigrations() {
  static const std::array<Migration, 5> migrations = {{
      {1, "0001_init.sql", Sql(schema::k0001Init)},
      {2, "0002_mlops.sql", Sql(schema::k0002Mlops)},
      {3, "0003_hosting.sql", Sql(schema::k0003Hosting)},
      {4, "0004_resume.sql", Sql(schema::k0004Resume)},
      {5, "0005_triggers.sql", Sql(schema::k0005Triggers)},
  }};
  return migrations;
}

Status Rollback(SqliteDb& db, Status cause) {
  if (db.InTransaction()) {
    // The original error matters more than a failed rollback; SQLite rolls
    // back on close anyway.
    (void)db.Exec("ROLLBACK");
  }
  return cause;
}

}  // namespace

std::span<const Migration> Migrations() { return AllMigrations(); }

int64_t LatestSchemaVersion() { return AllMigrations().back().version; }

StatusOr<int64_t> SchemaVersion(SqliteDb& db) {
  return db.QueryInt64("PRAGMA user_version");
}

Status ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations) {
  int64_t latest = migrations.empty() ? 0 : migrations.back().version;
  // A current schema needs no write lock: readers open the store while
  // another process holds a write transaction (WAL lets them read).
  StatusOr<int64_t> before = SchemaVersion(db);
  if (before.ok() && *before == latest) return Status::Ok();
  MLF_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  StatusOr<int64_t> current = SchemaVersion(db);
  if (!current.ok()) return Rollback(db, current.status());
  if (*current > latest) {
    return Rollback(
        db, FailedPreconditionError(fmt::format(
                "database '{}' has schema version {}, newer than this "
                "program's {}; use a newer mlflowctl",
                db.path(), *current, latest)));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    Status applied = db.Exec(migration.sql);
    if (!applied.ok()) {
      return Rollback(db, applied.WithContext(fmt::format(
                              "schema migration {}", migration.name)));
    }
  }
  if (latest != *current) {
    Status set = db.Exec(fmt::format("PRAGMA user_version = {}", latest));
    if (!set.ok()) return Rollback(db, set);
  }
  Status committed = db.Exec("COMMIT");
  if (!committed.ok()) return Rollback(db, committed);
  return Status::Ok();
}

Status CheckSchemaIsCurrent(SqliteDb& db) {
  MLF_ASSIGN_OR_RETURN(int64_t current, SchemaVersion(db));
  if (current != LatestSchemaVersion()) {
    return FailedPreconditionError(fmt::format(
        "database '{}' has schema version {}, this program needs {}; open it "
        "read-write once to migrate it",
        db.path(), current, LatestSchemaVersion()));
  }
  return Status::Ok();
}

}  // namespace mlflowctl::store
