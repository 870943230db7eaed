#include "engine/history/execution_record.h"

#include <gtest/gtest.h>

namespace mlflowctl::history {
namespace {

TEST(ExecutionRecordTest, StatusNamesRoundTrip) {
  for (ExecutionStatus s :
       {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded,
        ExecutionStatus::kFailed, ExecutionStatus::kTimedOut,
        ExecutionStatus::kAborted, ExecutionStatus::kPendingRedrive}) {
    EXPECT_EQ(ParseExecutionStatus(ExecutionStatusName(s)), s);
  }
}

TEST(ExecutionRecordTest, StatusNamesAreThoseOfTheApi) {
  EXPECT_EQ(ExecutionStatusName(ExecutionStatus::kRunning), "RUNNING");
  EXPECT_EQ(ExecutionStatusName(ExecutionStatus::kTimedOut), "TIMED_OUT");
  EXPECT_EQ(ExecutionStatusName(ExecutionStatus::kPendingRedrive),
            "PENDING_REDRIVE");
}

TEST(ExecutionRecordTest, UnknownStatusNamesDoNotParse) {
  EXPECT_FALSE(ParseExecutionStatus("running").has_value());
  EXPECT_FALSE(ParseExecutionStatus("").has_value());
  EXPECT_FALSE(ParseExecutionStatus("DONE").has_value());
}

}  // namespace
}  // namespace mlflowctl::history
