#include "engine/store/fresh_database.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/store/migrations.h"
#include "engine/store/sqlite_db.h"
#include "engine/store/sqlite_execution_store.h"
#include "tests/unit/history/execution_store_contract.h"

namespace mlflowctl::store {
namespace {

using history::testing_contract::MakeExecution;
using history::testing_contract::MakeMachine;
using history::testing_contract::TempDir;

std::unique_ptr<SqliteDb> OpenDb(const std::string& path) {
  auto db = SqliteDb::Open(path, SqliteOpenOptions());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// Names in `dir`, sorted.
std::string Listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  std::string out;
  for (const std::string& n : names) out += n + " ";
  return out;
}

TEST(FreshDatabaseTest, BuildsAMigratedWalDatabaseAndLeavesNothingElse) {
  TempDir dir;
  const std::string path = dir.File("sub/dir/mlflowctl.db");
  ASSERT_TRUE(CreateFreshDatabase(path).ok());
  EXPECT_EQ(Listing(dir.File("sub/dir")), "mlflowctl.db ");
  auto db = OpenDb(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*db->QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(*SchemaVersion(*db), LatestSchemaVersion());
  EXPECT_EQ(*db->QueryText("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM sqlite_master WHERE name = 'history_events'"), 1);
}

// A pid that ran and has ended (until the system reuses it).
pid_t EndedPid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(FreshDatabaseTest, RemovesWhatABuilderThatDiedLeftBehind) {
  TempDir dir;
  const std::string path = dir.File("mlflowctl.db");
  const pid_t ended = EndedPid();
  const pid_t running = ::getppid();
  const std::vector<std::string> left = {
      fmt::format("mlflowctl.db.new-{}", ended), fmt::format("mlflowctl.db.new-{}-wal", ended),
      fmt::format("mlflowctl.db.new-{}", running), "mlflowctl.db.new-x1",
      fmt::format("other.db.new-{}", ended)};
  for (const std::string& name : left) std::ofstream(dir.File(name)) << "partial";
  ASSERT_TRUE(CreateFreshDatabase(path).ok());
  EXPECT_EQ(Listing(dir.path()),
            fmt::format("mlflowctl.db mlflowctl.db.new-{} mlflowctl.db.new-x1 other.db.new-{} ",
                        running, ended));
}

TEST(FreshDatabaseTest, LeavesAnExistingFileAlone) {
  TempDir dir;
  const std::string path = dir.File("mlflowctl.db");
  { std::ofstream(path) << "not a database"; }
  ASSERT_TRUE(CreateFreshDatabase(path).ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "not a database");
  EXPECT_EQ(Listing(dir.path()), "mlflowctl.db ");
}

TEST(FreshDatabaseTest, FailsCleanlyWhereNothingCanBeCreated) {
  TempDir dir;
  { std::ofstream(dir.File("file")) << "x"; }
  // The parent "directory" is a file.
  EXPECT_FALSE(CreateFreshDatabase(dir.File("file/mlflowctl.db")).ok());
  EXPECT_EQ(Listing(dir.path()), "file ");
}

TEST(FreshDatabaseTest, ANewStoreKeepsItsSafetyLevelAfterTheFirstCommit) {
  // The first commit into the new WAL runs with synchronous=OFF and no
  // automatic checkpoint; both must be back once it is committed.
  TempDir dir;
  const std::string path = dir.File("mlflowctl.db");
  auto opened = SqliteExecutionStore::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteExecutionStore& store = **opened;
  auto level = [&] {
    int64_t sync = -1;
    int64_t autockpt = -1;
    EXPECT_TRUE(store
                    .ReadShared([&](SqliteDb& db) -> Status {
                      sync = *db.QueryInt64("PRAGMA synchronous");
                      autockpt = *db.QueryInt64("PRAGMA wal_autocheckpoint");
                      return Status::Ok();
                    })
                    .ok());
    return std::make_pair(sync, autockpt);
  };
  EXPECT_EQ(level(), std::make_pair(int64_t{1}, int64_t{1000}));  // NORMAL
  ASSERT_TRUE(store.PutStateMachine(MakeMachine("m", R"({"A":1})", 1000)).ok());
  EXPECT_EQ(level(), std::make_pair(int64_t{1}, int64_t{1000}));
  ASSERT_TRUE(store.CreateExecution(MakeExecution("e1", 1000)).ok());
  EXPECT_EQ(level(), std::make_pair(int64_t{1}, int64_t{1000}));
  // What was committed is there for another connection.
  auto db = OpenDb(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM executions"), 1);
}

TEST(FreshDatabaseTest, HistoryInGroupsOfRowsAndSingleRowsReadsBackAsWritten) {
  // AppendEvents writes full groups of rows in one INSERT and the rest one
  // by one: 70 events are two groups and six single rows, across two calls.
  TempDir dir;
  auto opened = SqliteExecutionStore::Open(dir.File("mlflowctl.db"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteExecutionStore& store = **opened;
  ASSERT_TRUE(store.PutStateMachine(MakeMachine("m", R"({"A":1})", 1000)).ok());
  history::ExecutionRecord e = MakeExecution("e1", 1000);
  ASSERT_TRUE(store.CreateExecution(e).ok());
  std::vector<history::HistoryEvent> events = history::testing_contract::MakeEvents(1, 70);
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].frame = i % 3 == 0 ? "" : fmt::format("f{}", i);
    if (i % 5 == 0) events[i].details = Json();
  }
  std::vector<history::HistoryEvent> first(events.begin(), events.begin() + 37);
  std::vector<history::HistoryEvent> rest(events.begin() + 37, events.end());
  ASSERT_TRUE(store.AppendEvents(e.arn, first).ok());
  ASSERT_TRUE(store.AppendEvents(e.arn, rest).ok());
  ASSERT_TRUE(store.Sync().ok());
  auto read = store.GetHistory(e.arn, history::HistoryQuery());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, events);
  // A group with a gap in its ids is refused whole.
  std::vector<history::HistoryEvent> bad = history::testing_contract::MakeEvents(71, 40);
  bad[33].id = 200;
  EXPECT_FALSE(store.AppendEvents(e.arn, bad).ok());
  auto after = store.GetHistory(e.arn, history::HistoryQuery());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 70u);
}

}  // namespace
}  // namespace mlflowctl::store
