#include "engine/store/migrations.h"

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/base/json_util.h"
#include "engine/store/sqlite_db.h"

namespace mlflowctl::store {
namespace {

std::unique_ptr<SqliteDb> MemoryDb() {
  auto db = SqliteDb::Open(":memory:", SqliteOpenOptions());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::vector<std::string> Tables(SqliteDb& db) {
  std::vector<std::string> names;
  auto stmt = db.Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  EXPECT_TRUE(stmt.ok());
  while (stmt.ok() && *stmt->Step()) names.push_back(stmt->ColumnText(0));
  return names;
}

TEST(MigrationsTest, CompiledSchemaMatchesTheSqlFiles) {
  // The schema files are in engine/store/schema/ of the repository.
  std::filesystem::path root(MLF_SOURCE_DIR);
  for (const Migration& m : Migrations()) {
    std::string file = (root / "engine/store/schema" / m.name).string();
    StatusOr<std::string> text = ReadFile(file);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(m.sql, *text) << file << " and its compiled copy differ";
  }
}

TEST(MigrationsTest, VersionsAreNumberedFromOneWithoutGaps) {
  int64_t expected = 1;
  for (const Migration& m : Migrations()) {
    EXPECT_EQ(m.version, expected);
    EXPECT_TRUE(m.name.starts_with(fmt::format("{:04}_", expected))) << m.name;
    EXPECT_TRUE(m.name.ends_with(".sql")) << m.name;
    ++expected;
  }
  EXPECT_EQ(LatestSchemaVersion(), expected - 1);
}

TEST(MigrationsTest, NewDatabaseGetsEveryTableAndTheLatestVersion) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*SchemaVersion(*db), 0);
  ASSERT_TRUE(ApplyMigrations(*db).ok());
  EXPECT_EQ(*SchemaVersion(*db), LatestSchemaVersion());
  EXPECT_EQ(Tables(*db),
            (std::vector<std::string>{
                "endpoint_changes", "endpoint_configs", "endpoints",
                "executions", "history_events", "hosting_models",
                "model_alias_moves", "model_aliases", "model_package_groups",
                "model_packages", "notifications", "parameter_versions",
                "parameters", "state_machine_versions", "state_machines",
                "trigger_firings", "triggers"}));
  EXPECT_TRUE(CheckSchemaIsCurrent(*db).ok());
}

TEST(MigrationsTest, HistoryTableIsClusteredByExecutionAndId) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ApplyMigrations(*db).ok());
  auto sql = db->QueryText(
      "SELECT sql FROM sqlite_master WHERE name = 'history_events'");
  ASSERT_TRUE(sql.ok());
  EXPECT_NE(sql->find("PRIMARY KEY (execution_arn, id)"), std::string::npos);
  EXPECT_NE(sql->find("WITHOUT ROWID"), std::string::npos);
}

TEST(MigrationsTest, ApplyingTwiceChangesNothing) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ApplyMigrations(*db).ok());
  ASSERT_TRUE(ApplyMigrations(*db).ok());
  EXPECT_EQ(*SchemaVersion(*db), LatestSchemaVersion());
  EXPECT_FALSE(db->InTransaction());
}

TEST(MigrationsTest, FailingMigrationLeavesTheDatabaseAsItWas) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  const Migration broken[] = {
      {1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"},
      {2, "0002_b.sql", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL;"},
  };
  Status status = ApplyMigrations(*db, broken);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("0002_b.sql"), std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("syntax error"), std::string::npos)
      << status.ToString();
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(*SchemaVersion(*db), 0);
  EXPECT_TRUE(Tables(*db).empty());
  // Only the migrations a database lacks are applied.
  ASSERT_TRUE(ApplyMigrations(*db, std::span(broken, 1)).ok());
  const Migration next[] = {
      {1, "0001_a.sql", "THIS WOULD FAIL IF RUN AGAIN;"},
      {2, "0002_b.sql", "CREATE TABLE b (x INTEGER);"},
  };
  ASSERT_TRUE(ApplyMigrations(*db, next).ok());
  EXPECT_EQ(Tables(*db), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*SchemaVersion(*db), 2);
}

// Commands that only read open the store while another process holds a
// write transaction: a current schema takes no write lock.
TEST(MigrationsTest, CurrentSchemaIsCheckedWithoutAWriteLock) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              fmt::format("migrations-test-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "store.db").string();
  SqliteOpenOptions options;
  options.busy_timeout_ms = 0;
  {
    auto writer = SqliteDb::Open(path, options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Exec("PRAGMA journal_mode = WAL").ok());
    ASSERT_TRUE(ApplyMigrations(**writer).ok());
    ASSERT_TRUE((*writer)->Exec("BEGIN IMMEDIATE").ok());
    auto reader = SqliteDb::Open(path, options);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    Status status = ApplyMigrations(**reader);
    EXPECT_TRUE(status.ok()) << status.ToString();
    ASSERT_TRUE((*writer)->Exec("ROLLBACK").ok());
  }
  std::filesystem::remove_all(dir);
}

TEST(MigrationsTest, DatabaseNewerThanTheProgramIsRefused) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("PRAGMA user_version = 42").ok());
  Status status = ApplyMigrations(*db);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("42"), std::string::npos);
  EXPECT_EQ(CheckSchemaIsCurrent(*db).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mlflowctl::store
