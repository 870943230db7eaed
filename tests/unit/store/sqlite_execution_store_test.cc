#include "engine/store/sqlite_execution_store.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/store/sqlite_db.h"
#include "tests/unit/history/execution_store_contract.h"

namespace mlflowctl::history::testing_contract {

template <>
struct StoreFactory<store::SqliteExecutionStore> {
  static std::unique_ptr<store::SqliteExecutionStore> Make(const TempDir& dir) {
    auto opened = store::SqliteExecutionStore::Open(dir.File("contract.db"));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return nullptr;
    return std::move(opened).value();
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, ExecutionStoreContractTest,
                               store::SqliteExecutionStore);

}  // namespace mlflowctl::history::testing_contract

namespace mlflowctl::store {
namespace {

using history::ExecutionRecord;
using history::ExecutionStatus;
using history::HistoryEvent;
using history::testing_contract::Ids;
using history::testing_contract::MakeEvents;
using history::testing_contract::MakeExecution;
using history::testing_contract::MakeMachine;
using history::testing_contract::TempDir;

class SqliteExecutionStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteExecutionStore> OpenOrDie(
      const SqliteStoreOptions& options = SqliteStoreOptions()) {
    auto opened = SqliteExecutionStore::Open(path_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return nullptr;
    return std::move(opened).value();
  }

  // "ok" when SQLite finds the file consistent.
  std::string IntegrityCheck() {
    auto db = SqliteDb::Open(path_, SqliteOpenOptions());
    if (!db.ok()) return db.status().ToString();
    auto result = (*db)->QueryText("PRAGMA integrity_check");
    if (!result.ok()) return result.status().ToString();
    auto fk = (*db)->QueryText("PRAGMA foreign_key_check");
    if (!fk.ok()) return fk.status().ToString();
    if (!fk->empty()) return "foreign key violation in " + *fk;
    return *result;
  }

  // Runs `body` in a child process and returns its exit code (-1 if it did
  // not exit normally). The child ends with _exit(body()); to simulate a
  // crash, `body` calls _exit itself while its store is still open.
  template <typename Body>
  int RunInChild(Body body) {
    pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir dir_;
  std::string path_ = dir_.File("home/.mlflowctl/mlflowctl.db");
};

TEST_F(SqliteExecutionStoreTest, OpenCreatesParentDirectories) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  struct stat st;
  EXPECT_EQ(stat(path_.c_str(), &st), 0);
}

TEST_F(SqliteExecutionStoreTest, ReopeningAfterSyncKeepsEverything) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutStateMachine(MakeMachine("m", "v1")).ok());
    ASSERT_TRUE(store->PutStateMachine(MakeMachine("m", "v2")).ok());
    ASSERT_TRUE(store->CreateExecution(r).ok());
    ASSERT_TRUE(store->AppendEvents(r.arn, MakeEvents(1, 5)).ok());
    r.status = ExecutionStatus::kSucceeded;
    r.output = "{}";
    r.stop_ms = 20;
    ASSERT_TRUE(store->UpdateExecution(r).ok());
    ASSERT_TRUE(store->Sync().ok());
    EXPECT_EQ(store->PendingWrites(), 0);
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->GetExecution(r.arn), r);
  EXPECT_EQ(*store->GetHistory(r.arn, {}), MakeEvents(1, 5));
  EXPECT_EQ(store->GetStateMachine(MakeMachine("m", "").arn)->version, 2);
  EXPECT_EQ(store->GetStateMachineVersion(MakeMachine("m", "").arn, 1)
                ->definition,
            "v1");
  // Appending continues after the last stored id.
  EXPECT_EQ(store->AppendEvents(r.arn, MakeEvents(5, 1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store->AppendEvents(r.arn, MakeEvents(6, 1)).ok());
}

TEST_F(SqliteExecutionStoreTest, ClosingTheStoreCommitsBufferedWrites) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateExecution(r).ok());
    ASSERT_TRUE(store->AppendEvents(r.arn, MakeEvents(1, 3)).ok());
    EXPECT_EQ(store->PendingWrites(), 3);
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetHistory(r.arn, {})->size(), 3u);
}

TEST_F(SqliteExecutionStoreTest, WritesNotSyncedWhenTheProcessDiesAreLost) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateExecution(r).ok());
    ASSERT_TRUE(store->AppendEvents(r.arn, MakeEvents(1, 4)).ok());
    ASSERT_TRUE(store->Sync().ok());
  }
  int code = RunInChild([&] {
    auto store = SqliteExecutionStore::Open(path_);
    if (!store.ok()) return 10;
    if (!(*store)->AppendEvents(r.arn, MakeEvents(5, 3)).ok()) return 11;
    ExecutionRecord done = r;
    done.status = ExecutionStatus::kSucceeded;
    if (!(*store)->UpdateExecution(done).ok()) return 12;
    ExecutionRecord created = MakeExecution("e2", 11);
    // Durable on return, and takes the buffered writes with it.
    if (!(*store)->CreateExecution(created).ok()) return 13;
    if (!(*store)->AppendEvents(created.arn, MakeEvents(1, 2)).ok()) return 14;
    if (!(*store)->AppendEvents(r.arn, MakeEvents(8, 1)).ok()) return 15;
    _exit(0);  // as if killed: no Sync, no destructor
  });
  ASSERT_EQ(code, 0);
  EXPECT_EQ(IntegrityCheck(), "ok");
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Ids(*store->GetHistory(r.arn, {})),
            (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(store->GetExecution(r.arn)->status, ExecutionStatus::kSucceeded);
  ASSERT_TRUE(store->GetExecution(MakeExecution("e2", 11).arn).ok());
  EXPECT_TRUE(store->GetHistory(MakeExecution("e2", 11).arn, {})->empty());
  EXPECT_TRUE(store->AppendEvents(r.arn, MakeEvents(8, 1)).ok());
}

TEST_F(SqliteExecutionStoreTest, ManyPendingEventsAreCommittedWithoutSync) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateExecution(r).ok());
  }
  int code = RunInChild([&] {
    SqliteStoreOptions options;
    options.max_pending_events = 250;
    auto store = SqliteExecutionStore::Open(path_, options);
    if (!store.ok()) return 10;
    // 100-event batches: the commit happens once 300 > 250 are pending.
    for (int64_t first = 1; first <= 400; first += 100) {
      if (!(*store)->AppendEvents(r.arn, MakeEvents(first, 100)).ok()) {
        return 11;
      }
    }
    _exit((*store)->PendingWrites() == 100 ? 0 : 12);
  });
  ASSERT_EQ(code, 0);
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetHistory(r.arn, {})->size(), 300u);
}

TEST_F(SqliteExecutionStoreTest, AnotherConnectionSeesOnlyCommittedWrites) {
  auto writer = OpenOrDie();
  SqliteStoreOptions impatient;
  impatient.busy_timeout_ms = 50;
  auto reader = OpenOrDie(impatient);
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  ExecutionRecord r = MakeExecution("e1", 10);
  ASSERT_TRUE(writer->CreateExecution(r).ok());
  ASSERT_TRUE(writer->AppendEvents(r.arn, MakeEvents(1, 2)).ok());
  EXPECT_TRUE(reader->GetHistory(r.arn, {})->empty());
  // The writer holds the write lock until it commits.
  Status blocked = reader->CreateExecution(MakeExecution("e2", 11));
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_EQ(reader->GetHistory(r.arn, {})->size(), 2u);
  EXPECT_TRUE(reader->CreateExecution(MakeExecution("e2", 11)).ok());
  EXPECT_TRUE(writer->GetExecution(MakeExecution("e2", 11).arn).ok());
}

TEST_F(SqliteExecutionStoreTest, FullSynchronousModeStoresTheSameData) {
  SqliteStoreOptions options;
  options.synchronous = SqliteStoreOptions::Synchronous::kFull;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ExecutionRecord r = MakeExecution("e1", 10);
  ASSERT_TRUE(store->CreateExecution(r).ok());
  ASSERT_TRUE(store->AppendEvents(r.arn, MakeEvents(1, 2)).ok());
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(store->GetHistory(r.arn, {})->size(), 2u);
}

TEST_F(SqliteExecutionStoreTest, InMemoryDatabaseWorks) {
  auto store = SqliteExecutionStore::Open(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExecutionRecord r = MakeExecution("e1", 10);
  ASSERT_TRUE((*store)->CreateExecution(r).ok());
  EXPECT_TRUE((*store)->GetExecution(r.arn).ok());
}

TEST_F(SqliteExecutionStoreTest, ReadOnlyStoreReadsButRefusesWrites) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateExecution(r).ok());
  }
  SqliteStoreOptions options;
  options.read_only = true;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetExecution(r.arn).ok());
  Status write = store->CreateExecution(MakeExecution("e2", 11));
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition) << write.ToString();
  EXPECT_NE(write.message().find("readonly"), std::string::npos)
      << write.ToString();
  EXPECT_EQ(store->AppendEvents(r.arn, MakeEvents(1, 1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store->Sync().ok());
}

TEST_F(SqliteExecutionStoreTest, ReadOnlyOpenOfAMissingFileIsNotFound) {
  SqliteStoreOptions options;
  options.read_only = true;
  auto store = SqliteExecutionStore::Open(path_, options);
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteExecutionStoreTest, WriteProtectedFileIsFailedPrecondition) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
  }
  // The file and its directories are readable by all but writable by none,
  // so even another user cannot write.
  ASSERT_EQ(chmod(path_.c_str(), 0444), 0);
  for (std::string d = path_.substr(0, path_.rfind('/')); d.size() > 1;
       d = d.substr(0, d.rfind('/'))) {
    ASSERT_EQ(chmod(d.c_str(), 0755), 0);
    if (d == dir_.path()) break;
  }
  int code = RunInChild([&] {
    // Root ignores file permissions; drop to an unprivileged user.
    if (geteuid() == 0 && setuid(65534) != 0) return 20;
    auto store = SqliteExecutionStore::Open(path_);
    if (store.ok()) return 21;
    if (store.status().message().find("write-protected") == std::string::npos) {
      return 22;
    }
    return static_cast<int>(store.status().code());
  });
  EXPECT_EQ(code, static_cast<int>(StatusCode::kFailedPrecondition));
}

TEST_F(SqliteExecutionStoreTest, GarbageFileIsDataLoss) {
  std::string path = dir_.File("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  auto store = SqliteExecutionStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss)
      << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().ToString();
}

TEST_F(SqliteExecutionStoreTest, CorruptPagesAreReportedNotCrashedOn) {
  ExecutionRecord r = MakeExecution("e1", 10);
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateExecution(r).ok());
    for (int64_t first = 1; first <= 2000; first += 100) {
      ASSERT_TRUE(store->AppendEvents(r.arn, MakeEvents(first, 100)).ok());
    }
  }  // the last connection checkpoints the WAL into the file
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(0, std::ios::end);
    const std::streamoff size = file.tellg();
    ASSERT_GT(size, 16 * 4096);
    // Overwrite every page after the first two (the header and schema).
    for (std::streamoff at = 2 * 4096; at < size; at += 4096) {
      file.seekp(at);
      for (int i = 0; i < 4096; ++i) file.put(static_cast<char>(0xA5 ^ i));
    }
  }
  auto store = SqliteExecutionStore::Open(path_);
  if (!store.ok()) {
    EXPECT_EQ(store.status().code(), StatusCode::kDataLoss)
        << store.status().ToString();
    return;
  }
  auto history = (*store)->GetHistory(r.arn, {});
  auto execution = (*store)->GetExecution(r.arn);
  EXPECT_FALSE(history.ok() && execution.ok());
  if (!history.ok()) {
    EXPECT_EQ(history.status().code(), StatusCode::kDataLoss)
        << history.status().ToString();
  }
}

TEST_F(SqliteExecutionStoreTest, UncreatableDirectoryIsFailedPrecondition) {
  std::string file = dir_.File("plain-file");
  std::ofstream(file) << "x";
  auto store = SqliteExecutionStore::Open(file + "/sub/mlflowctl.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition)
      << store.status().ToString();
  EXPECT_NE(store.status().message().find("cannot create directory"),
            std::string::npos);
}

TEST_F(SqliteExecutionStoreTest, DirectoryAsDatabasePathIsFailedPrecondition) {
  auto store = SqliteExecutionStore::Open(dir_.path());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition)
      << store.status().ToString();
  EXPECT_EQ(SqliteExecutionStore::Open("").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteExecutionStoreTest, DatabaseFromANewerProgramIsRefused) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
  }
  {
    auto db = SqliteDb::Open(path_, SqliteOpenOptions());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 999").ok());
  }
  auto store = SqliteExecutionStore::Open(path_);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition)
      << store.status().ToString();
}

TEST_F(SqliteExecutionStoreTest, HistoryReadIsOneRangeScanOfTheClusteredKey) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto db = SqliteDb::Open(path_, SqliteOpenOptions());
  ASSERT_TRUE(db.ok());
  auto plan = (*db)->Prepare(
      "EXPLAIN QUERY PLAN SELECT id, details FROM history_events WHERE "
      "execution_arn = 'x' AND id > 0 ORDER BY id");
  ASSERT_TRUE(plan.ok());
  std::string detail;
  while (*plan->Step()) detail += plan->ColumnText(3) + ";";
  EXPECT_NE(detail.find("USING PRIMARY KEY (execution_arn=? AND id>?)"),
            std::string::npos)
      << detail;
  EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos) << detail;
}

TEST_F(SqliteExecutionStoreTest, ListingUsesAnIndexInsteadOfSorting) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto db = SqliteDb::Open(path_, SqliteOpenOptions());
  ASSERT_TRUE(db.ok());
  for (const char* where :
       {"1", "status = 'RUNNING'", "state_machine_arn = 'm'",
        "(start_ms, arn) < (5, 'a')", "status = 'FAILED' AND (start_ms, arn) < (5, 'a')"}) {
    auto plan = (*db)->Prepare(fmt::format(
        "EXPLAIN QUERY PLAN SELECT * FROM executions WHERE {} ORDER BY "
        "start_ms DESC, arn DESC LIMIT 10",
        where));
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    std::string detail;
    while (*plan->Step()) detail += plan->ColumnText(3) + ";";
    EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos)
        << where << ": " << detail;
  }
}

}  // namespace
}  // namespace mlflowctl::store
