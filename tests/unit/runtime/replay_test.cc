// BuildReplayLog and CutFailureTail (replay.h): splitting a history per
// frame and cutting the failure a redrive runs again.
#include "engine/runtime/replay.h"

#include <gtest/gtest.h>

namespace mlflowctl::runtime {
namespace {

using history::HistoryEvent;

class Builder {
 public:
  Builder& Add(const std::string& type, const std::string& frame = "") {
    HistoryEvent e;
    e.id = static_cast<int64_t>(events_.size()) + 1;
    e.type = type;
    e.frame = frame;
    events_.push_back(e);
    return *this;
  }
  int64_t last() const { return events_.back().id; }
  std::vector<HistoryEvent> events() const { return events_; }

 private:
  std::vector<HistoryEvent> events_;
};

std::vector<std::string> Types(const ReplayLog& log, const std::string& frame) {
  std::vector<std::string> out;
  auto it = log.frames.find(frame);
  if (it == log.frames.end()) return out;
  for (const auto& e : it->second) out.push_back(e.type);
  return out;
}

TEST(ReplayTest, SplitsEventsPerFrameAndSkipsTheStart) {
  Builder b;
  b.Add("ExecutionStarted").Add("MapStateEntered").Add("MapStateStarted");
  std::string i0 = ChildFrameKey("", b.last(), 0), i1 = ChildFrameKey("", b.last(), 1);
  EXPECT_EQ(i0, "/3.0");
  b.Add("MapIterationStarted", i0).Add("MapIterationStarted", i1).Add("PassStateEntered", i1);
  auto log = BuildReplayLog(b.events(), false);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->last_id, 6);
  EXPECT_EQ(Types(*log, ""), (std::vector<std::string>{"MapStateEntered", "MapStateStarted"}));
  EXPECT_EQ(Types(*log, i1), (std::vector<std::string>{"MapIterationStarted", "PassStateEntered"}));
  EXPECT_FALSE(log->terminal.has_value());
}

TEST(ReplayTest, GapsAreDataLoss) {
  std::vector<HistoryEvent> events(2);
  events[0].id = 1;
  events[0].type = "ExecutionStarted";
  events[1].id = 3;
  events[1].type = "PassStateEntered";
  EXPECT_EQ(BuildReplayLog(events, false).status().code(), StatusCode::kDataLoss);
}

TEST(ReplayTest, ARecordedEndIsReported) {
  Builder b;
  b.Add("ExecutionStarted").Add("PassStateEntered").Add("PassStateExited").Add("ExecutionSucceeded");
  auto log = BuildReplayLog(b.events(), false);
  ASSERT_TRUE(log->terminal.has_value());
  EXPECT_EQ(log->terminal->type, "ExecutionSucceeded");
}

TEST(ReplayTest, CutRemovesTheFinalFailureDownTheFailurePath) {
  Builder b;
  b.Add("ExecutionStarted").Add("MapStateEntered").Add("MapStateStarted");
  int64_t first = b.last();
  std::string ok = ChildFrameKey("", first, 0), bad = ChildFrameKey("", first, 1);
  b.Add("MapIterationStarted", ok).Add("TaskStateEntered", ok).Add("TaskScheduled", ok)
      .Add("TaskStarted", ok).Add("TaskSucceeded", ok).Add("TaskStateExited", ok)
      .Add("MapIterationSucceeded", ok);
  b.Add("MapIterationStarted", bad).Add("TaskStateEntered", bad).Add("TaskScheduled", bad)
      .Add("TaskStarted", bad).Add("TaskFailed", bad).Add("TaskScheduled", bad)
      .Add("TaskStarted", bad).Add("TaskFailed", bad).Add("MapIterationFailed", bad);
  b.Add("MapStateFailed").Add("ExecutionFailed");
  auto log = BuildReplayLog(b.events(), true);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(Types(*log, ""), (std::vector<std::string>{"MapStateEntered", "MapStateStarted"}));
  EXPECT_EQ(Types(*log, ok).size(), 7u);  // kept whole
  // The retried attempt stays; the last one runs again.
  EXPECT_EQ(Types(*log, bad),
            (std::vector<std::string>{"MapIterationStarted", "TaskStateEntered",
                                      "TaskScheduled", "TaskStarted", "TaskFailed",
                                      "TaskScheduled", "TaskStarted"}));
  EXPECT_FALSE(log->terminal.has_value());
}

TEST(ReplayTest, CaughtFailuresAndEarlierAttemptsAreNotOnThePath) {
  Builder b;
  b.Add("ExecutionStarted").Add("ParallelStateEntered").Add("ParallelStateStarted");
  int64_t attempt1 = b.last();
  std::string a1 = ChildFrameKey("", attempt1, 0);
  b.Add("TaskStateEntered", a1).Add("TaskScheduled", a1).Add("TaskStarted", a1)
      .Add("TaskFailed", a1);
  b.Add("ParallelStateFailed").Add("ParallelStateStarted");  // Retry
  std::string a2 = ChildFrameKey("", b.last(), 0);
  b.Add("TaskStateEntered", a2).Add("TaskScheduled", a2).Add("TaskStarted", a2)
      .Add("TaskFailed", a2).Add("ParallelStateFailed").Add("ExecutionFailed");
  auto log = BuildReplayLog(b.events(), true);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(Types(*log, a1).back(), "TaskFailed");   // attempt 1: history
  EXPECT_EQ(Types(*log, a2).back(), "TaskStarted");  // attempt 2: runs again
  EXPECT_EQ(Types(*log, "").back(), "ParallelStateStarted");
}

TEST(ReplayTest, EarlierRedrivesAreCutWhenTheHistoryIsRead) {
  Builder b;
  b.Add("ExecutionStarted").Add("TaskStateEntered").Add("TaskScheduled").Add("TaskStarted")
      .Add("TaskFailed").Add("ExecutionFailed").Add("ExecutionRedriven").Add("TaskSucceeded");
  auto log = BuildReplayLog(b.events(), false);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->redriven, 1);
  EXPECT_EQ(Types(*log, ""), (std::vector<std::string>{"TaskStateEntered", "TaskScheduled",
                                                       "TaskStarted", "TaskSucceeded"}));
  EXPECT_EQ(log->last_id, 8);
}

}  // namespace
}  // namespace mlflowctl::runtime
