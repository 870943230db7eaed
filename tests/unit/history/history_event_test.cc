#include "engine/history/history_event.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace mlflowctl::history {
namespace {

TEST(HistoryEventTest, KnowsEveryStepFunctionsEventType) {
  // botocore stepfunctions 2016-11-23, shape HistoryEventType.
  EXPECT_EQ(HistoryEventTypes().size(), 62u);
  EXPECT_TRUE(IsHistoryEventType("MapRunRedriven"));
  EXPECT_TRUE(IsHistoryEventType("EvaluationFailed"));
  EXPECT_FALSE(IsHistoryEventType("TaskStateStarted"));
  EXPECT_FALSE(IsHistoryEventType(""));
}

TEST(HistoryEventTest, StateEnteredAndExitedShareOneDetailsKey) {
  for (std::string_view state :
       {"Choice", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait"}) {
    std::string entered = std::string(state) + "StateEntered";
    std::string exited = std::string(state) + "StateExited";
    EXPECT_EQ(DetailsKey(entered), "stateEnteredEventDetails") << entered;
    EXPECT_EQ(DetailsKey(exited), "stateExitedEventDetails") << exited;
  }
  EXPECT_EQ(DetailsKey("FailStateEntered"), "stateEnteredEventDetails");
  EXPECT_FALSE(IsHistoryEventType("FailStateExited"));
}

TEST(HistoryEventTest, DetailsKeyFollowsTheServiceModel) {
  EXPECT_EQ(DetailsKey("ExecutionStarted"), "executionStartedEventDetails");
  EXPECT_EQ(DetailsKey("ExecutionFailed"), "executionFailedEventDetails");
  EXPECT_EQ(DetailsKey("ExecutionRedriven"), "executionRedrivenEventDetails");
  EXPECT_EQ(DetailsKey("TaskScheduled"), "taskScheduledEventDetails");
  EXPECT_EQ(DetailsKey("TaskStartFailed"), "taskStartFailedEventDetails");
  EXPECT_EQ(DetailsKey("TaskSubmitted"), "taskSubmittedEventDetails");
  EXPECT_EQ(DetailsKey("MapStateStarted"), "mapStateStartedEventDetails");
  EXPECT_EQ(DetailsKey("MapIterationStarted"),
            "mapIterationStartedEventDetails");
  EXPECT_EQ(DetailsKey("MapIterationAborted"),
            "mapIterationAbortedEventDetails");
  EXPECT_EQ(DetailsKey("MapRunStarted"), "mapRunStartedEventDetails");
  EXPECT_EQ(DetailsKey("ActivityScheduleFailed"),
            "activityScheduleFailedEventDetails");
  EXPECT_EQ(DetailsKey("LambdaFunctionStartFailed"),
            "lambdaFunctionStartFailedEventDetails");
  EXPECT_EQ(DetailsKey("EvaluationFailed"), "evaluationFailedEventDetails");
}

TEST(HistoryEventTest, TypesWithoutDetailsHaveNoKey) {
  for (std::string_view type :
       {"ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateFailed",
        "ParallelStateAborted", "MapStateSucceeded", "MapStateFailed",
        "MapStateAborted", "TaskStateAborted", "WaitStateAborted",
        "LambdaFunctionStarted", "MapRunAborted", "MapRunSucceeded",
        "NoSuchEvent"}) {
    EXPECT_EQ(DetailsKey(type), "") << type;
  }
}

TEST(HistoryEventTest, EveryOtherTypeNamesItsOwnDetails) {
  // Outside the state Entered/Exited family and MapIteration*, the key is
  // the type with a lowercase first letter plus "EventDetails".
  for (std::string_view type : HistoryEventTypes()) {
    std::string_view key = DetailsKey(type);
    if (key.empty() || key.starts_with("state")) continue;
    std::string expected(type);
    expected[0] = static_cast<char>(expected[0] - 'A' + 'a');
    expected += "EventDetails";
    EXPECT_EQ(key, expected) << type;
  }
}

TEST(HistoryEventTest, ApiJsonHasTimestampInEpochSeconds) {
  HistoryEvent event;
  event.id = 3;
  event.previous_event_id = 2;
  event.timestamp_ms = 1700000000123;
  event.type = "TaskScheduled";
  event.details = {{"resource", "mlflowctl:train"}, {"region", "us-east-1"}};
  Json api = event.ToApiJson();
  EXPECT_EQ(api["id"], 3);
  EXPECT_EQ(api["previousEventId"], 2);
  EXPECT_EQ(api["type"], "TaskScheduled");
  ASSERT_TRUE(api["timestamp"].is_number_float());
  EXPECT_DOUBLE_EQ(api["timestamp"].get<double>(), 1700000000.123);
  EXPECT_EQ(api["timestamp"].dump(), "1700000000.123");
  EXPECT_EQ(api["taskScheduledEventDetails"]["resource"], "mlflowctl:train");
  EXPECT_EQ(api.size(), 5u);
}

TEST(HistoryEventTest, ApiJsonLeavesOutMissingDetails) {
  HistoryEvent event;
  event.id = 1;
  event.type = "ParallelStateStarted";
  event.details = {{"ignored", true}};
  EXPECT_EQ(event.ToApiJson().size(), 4u);
  event.type = "ExecutionSucceeded";
  event.details = nullptr;
  Json api = event.ToApiJson();
  EXPECT_EQ(api.size(), 4u);
  EXPECT_EQ(api["previousEventId"], 0);
}

}  // namespace
}  // namespace mlflowctl::history
