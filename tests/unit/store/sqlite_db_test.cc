#include "engine/store/sqlite_db.h"

#include <sqlite3.h>

#include <string>

#include <gtest/gtest.h>

namespace mlflowctl::store {
namespace {

std::unique_ptr<SqliteDb> OpenMemoryDb() {
  auto db = SqliteDb::Open(":memory:", SqliteOpenOptions());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(SqliteDbTest, ResultCodesMapToStatusCodes) {
  struct Case {
    int rc;
    StatusCode code;
  };
  for (const Case& c : {
           Case{SQLITE_OK, StatusCode::kOk},
           Case{SQLITE_DONE, StatusCode::kOk},
           Case{SQLITE_BUSY, StatusCode::kUnavailable},
           Case{SQLITE_BUSY_SNAPSHOT, StatusCode::kUnavailable},
           Case{SQLITE_LOCKED, StatusCode::kUnavailable},
           Case{SQLITE_FULL, StatusCode::kUnavailable},
           Case{SQLITE_IOERR_WRITE, StatusCode::kUnavailable},
           Case{SQLITE_IOERR_CORRUPTFS, StatusCode::kDataLoss},
           Case{SQLITE_CORRUPT, StatusCode::kDataLoss},
           Case{SQLITE_NOTADB, StatusCode::kDataLoss},
           Case{SQLITE_CONSTRAINT_PRIMARYKEY, StatusCode::kAlreadyExists},
           Case{SQLITE_CONSTRAINT_UNIQUE, StatusCode::kAlreadyExists},
           Case{SQLITE_CONSTRAINT_FOREIGNKEY, StatusCode::kFailedPrecondition},
           Case{SQLITE_READONLY, StatusCode::kFailedPrecondition},
           Case{SQLITE_CANTOPEN, StatusCode::kFailedPrecondition},
           Case{SQLITE_TOOBIG, StatusCode::kInvalidArgument},
           Case{SQLITE_SCHEMA, StatusCode::kAborted},
           Case{SQLITE_ERROR, StatusCode::kInternal},
           Case{SQLITE_MISUSE, StatusCode::kInternal},
       }) {
    Status status = SqliteStatus(c.rc, nullptr, "test");
    EXPECT_EQ(status.code(), c.code) << c.rc << " " << status.ToString();
    if (!status.ok()) {
      EXPECT_NE(status.message().find(sqlite3_errstr(c.rc)), std::string::npos)
          << status.ToString();
    }
  }
}

TEST(SqliteDbTest, ConstraintViolationCarriesSqliteMessage) {
  auto db = OpenMemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('a')").ok());
  Status status = db->Exec("INSERT INTO t VALUES ('a')");
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("UNIQUE constraint failed: t.k"),
            std::string::npos)
      << status.ToString();
}

TEST(SqliteDbTest, BadSqlIsInternalWithTheStatementText) {
  auto db = OpenMemoryDb();
  ASSERT_NE(db, nullptr);
  auto stmt = db->Prepare("SELECT nope FROM nowhere");
  ASSERT_FALSE(stmt.ok());
  EXPECT_EQ(stmt.status().code(), StatusCode::kInternal);
  EXPECT_NE(stmt.status().message().find("no such table: nowhere"),
            std::string::npos)
      << stmt.status().ToString();
  EXPECT_NE(stmt.status().message().find("SELECT nope"), std::string::npos);
}

TEST(SqliteDbTest, StatementsBindAndReadEveryType) {
  auto db = OpenMemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindInt64(1, int64_t{1} << 40).ok());
  ASSERT_TRUE(insert->BindText(2, std::string_view("x\0y", 3)).ok());
  ASSERT_TRUE(insert->BindOptionalText(3, std::nullopt).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->Changes(), 1);
  EXPECT_EQ(insert->BindInt64(9, 1).code(), StatusCode::kInternal);

  auto select = db->Prepare("SELECT a, b, c FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnInt64(0), int64_t{1} << 40);
  EXPECT_EQ(select->ColumnText(1), std::string("x\0y", 3));
  EXPECT_TRUE(select->ColumnIsNull(2));
  EXPECT_FALSE(select->ColumnOptionalText(2).has_value());
  EXPECT_FALSE(*select->Step());
}

TEST(SqliteDbTest, CachedStatementIsReusedAndResetBetweenUses) {
  auto db = OpenMemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), "
                       "(2), (3)")
                  .ok());
  auto first = db->Cached("SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(*(*first)->Step());
  EXPECT_EQ((*first)->ColumnInt64(0), 1);
  auto second = db->Cached("SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  {
    ScopedReset reset(*second);
    ASSERT_TRUE(*(*second)->Step());
    EXPECT_EQ((*second)->ColumnInt64(0), 1);
  }
  EXPECT_FALSE(db->InTransaction());
}

TEST(SqliteDbTest, OpeningAMissingFileReadOnlyFails) {
  SqliteOpenOptions options;
  options.read_only = true;
  auto db = SqliteDb::Open("/nonexistent-dir/x.db", options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("unable to open"), std::string::npos)
      << db.status().ToString();
}

}  // namespace
}  // namespace mlflowctl::store
