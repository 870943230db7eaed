// SqliteExecutionStore: schema 0004 (history frames, redrive count and
// date) and ClaimExecution's one owner per RUNNING execution.
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/store/sqlite_execution_store.h"
#include "tests/testutil/temp_dir.h"

namespace mlflowctl::store {
namespace {

using history::ExecutionRecord;
using history::ExecutionStatus;

ExecutionRecord Running(const std::string& name) {
  ExecutionRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:execution:M:" + name;
  r.name = name;
  r.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:M";
  r.state_machine_name = "M";
  r.input = "{}";
  r.start_ms = 1000;
  return r;
}

class ExecutionClaimTest : public testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteExecutionStore::Open(dir_.File("db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void SetOwner(const std::string& arn, int64_t pid) {
    ASSERT_TRUE(store_->WriteShared([&](SqliteDb& db) {
      return db.Exec(fmt::format("UPDATE executions SET owner_pid = {} WHERE arn = '{}'",
                                 pid, arn));
    }).ok());
  }
  testutil::TempDir dir_{"claim"};
  std::unique_ptr<SqliteExecutionStore> store_;
};

TEST_F(ExecutionClaimTest, FramesAndRedriveFieldsRoundTrip) {
  ExecutionRecord r = Running("a");
  ASSERT_TRUE(store_->CreateExecution(r).ok());
  history::HistoryEvent e;
  e.id = 1;
  e.type = "ExecutionStarted";
  e.frame = "/12.3";
  ASSERT_TRUE(store_->AppendEvents(r.arn, {e}).ok());
  ASSERT_TRUE(store_->Sync().ok());
  auto events = store_->GetHistory(r.arn, {});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->at(0), e);
  r.status = ExecutionStatus::kFailed;
  r.redrive_count = 2;
  r.redrive_ms = 5000;
  ASSERT_TRUE(store_->UpdateExecution(r).ok());
  EXPECT_EQ(*store_->GetExecution(r.arn), r);
}

TEST_F(ExecutionClaimTest, TheCreatorOwnsARunningExecutionUntilItEnds) {
  ExecutionRecord r = Running("b");
  ASSERT_TRUE(store_->CreateExecution(r).ok());
  EXPECT_EQ(store_->ExecutionOwner(r.arn)->value_or(0), ::getpid());
  EXPECT_TRUE(store_->ClaimExecution(r.arn, false, 0).ok());  // this process
  r.status = ExecutionStatus::kSucceeded;
  ASSERT_TRUE(store_->UpdateExecution(r).ok());
  EXPECT_FALSE(store_->ExecutionOwner(r.arn)->has_value());
  EXPECT_EQ(store_->ClaimExecution(r.arn, false, 0).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(ExecutionClaimTest, ALiveOtherOwnerRefusesAndADeadOneDoesNot) {
  ExecutionRecord r = Running("c");
  ASSERT_TRUE(store_->CreateExecution(r).ok());
  SetOwner(r.arn, 1);  // init: always alive
  auto refused = store_->ClaimExecution(r.arn, false, 0);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("process 1"), std::string::npos);
  // A process that has ended.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  SetOwner(r.arn, child);
  EXPECT_FALSE(store_->ExecutionOwner(r.arn)->has_value());
  auto claimed = store_->ClaimExecution(r.arn, false, 0);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(store_->ExecutionOwner(r.arn)->value_or(0), ::getpid());
}

TEST_F(ExecutionClaimTest, RedriveClaimsAFailedExecution) {
  ExecutionRecord r = Running("d");
  ASSERT_TRUE(store_->CreateExecution(r).ok());
  EXPECT_EQ(store_->ClaimExecution(r.arn, true, 0).status().code(),
            StatusCode::kFailedPrecondition);  // RUNNING
  r.status = ExecutionStatus::kFailed;
  r.error = "E";
  r.stop_ms = 2000;
  ASSERT_TRUE(store_->UpdateExecution(r).ok());
  auto claimed = store_->ClaimExecution(r.arn, true, 9000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->status, ExecutionStatus::kRunning);
  EXPECT_EQ(claimed->redrive_count, 1);
  EXPECT_EQ(claimed->redrive_ms.value_or(0), 9000);
  EXPECT_FALSE(claimed->error.has_value());
  EXPECT_FALSE(claimed->stop_ms.has_value());
  EXPECT_EQ(*store_->GetExecution(r.arn), *claimed);
  EXPECT_EQ(store_->ClaimExecution("nope", true, 0).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlflowctl::store
