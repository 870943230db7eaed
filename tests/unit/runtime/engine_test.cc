// Engine behaviour that the data-driven cases cannot express: stopping,
// timeouts with real handlers, concurrency limits, fail-fast cancellation,
// many parked executions, and the SQLite store end to end.
#include "engine/runtime/engine.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "engine/asl/parser.h"
#include "engine/base/ids.h"
#include "engine/history/memory_store.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::runtime {
namespace {

using history::ExecutionRecord;
using history::ExecutionStatus;

// A handler whose behaviour each test sets.
class FnHandler : public TaskHandler {
 public:
  explicit FnHandler(std::function<StepResult(const TaskRequest&)> fn) : fn_(std::move(fn)) {}
  StepResult Invoke(const TaskRequest& r) override { return fn_(r); }

 private:
  std::function<StepResult(const TaskRequest&)> fn_;
};

class EngineTest : public testing::Test {
 protected:
  // Starts `definition` with `input`; returns the execution's ARN.
  std::string Start(Engine& engine, const std::string& definition,
                    const std::string& input = "{}", const std::string& name = "") {
    asl::ParseResult parsed = asl::Parse(definition);
    std::string all;
    for (const auto& d : parsed.diagnostics) all += d.ToString("def") + "\n";
    EXPECT_TRUE(parsed.ok()) << all;
    history::StateMachineRecord machine;
    machine.name = "M";
    machine.arn = StateMachineArn("M");
    machine.definition = definition;
    StartRequest request;
    request.machine = machine;
    request.parsed = parsed.machine;
    request.input = input;
    request.name = name;
    auto started = engine.StartExecution(request, [this](const ExecutionRecord& r) {
      results_[r.arn] = r;
    });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? started->arn : "";
  }

  std::vector<std::string> EventTypes(history::ExecutionStore& store, const std::string& arn) {
    std::vector<std::string> types;
    auto events = store.GetHistory(arn, {});
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) types.push_back(e.type);
    return types;
  }

  asio::io_context io_;
  history::MemoryStore store_;
  ResourceRegistry registry_;
  std::map<std::string, ExecutionRecord> results_;
};

TEST_F(EngineTest, StopExecutionAbortsAWaitingExecution) {
  Engine engine(io_, store_, registry_, *SystemClock::Default());
  std::string arn = Start(engine, R"({"StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": 3600, "End": true}}})");
  asio::post(io_, [&] { EXPECT_TRUE(engine.StopExecution(arn, "Stopped", "by test").ok()); });
  engine.RunUntilIdle();
  ASSERT_EQ(results_.count(arn), 1u);
  EXPECT_EQ(results_[arn].status, ExecutionStatus::kAborted);
  EXPECT_EQ(results_[arn].error.value_or(""), "Stopped");
  std::vector<std::string> types = EventTypes(store_, arn);
  EXPECT_EQ(types.back(), "ExecutionAborted");
  EXPECT_EQ(engine.StopExecution(arn, "", "").code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, TopLevelTimeoutSecondsTimesTheExecutionOut) {
  FakeClock clock(1704067200000);
  EngineOptions options;
  options.fake_clock = &clock;
  Engine engine(io_, store_, registry_, clock, options);
  std::string arn = Start(engine, R"({"StartAt": "W", "TimeoutSeconds": 5, "States": {
      "W": {"Type": "Wait", "Seconds": 10, "End": true}}})");
  engine.RunUntilIdle();
  EXPECT_EQ(results_[arn].status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(results_[arn].error.value_or(""), "States.Timeout");
  EXPECT_EQ(EventTypes(store_, arn).back(), "ExecutionTimedOut");
  EXPECT_EQ(ToEpochMillis(clock.Now()), 1704067200000 + 5000);
}

TEST_F(EngineTest, ParallelFailsFastAndStopsTheOtherBranches) {
  FakeClock clock(1704067200000);
  EngineOptions options;
  options.fake_clock = &clock;
  Engine engine(io_, store_, registry_, clock, options);
  std::string arn = Start(engine, R"({"StartAt": "P", "States": {"P": {
      "Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 100, "End": true}}},
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "c"}}}]}}})");
  engine.RunUntilIdle();
  EXPECT_EQ(results_[arn].status, ExecutionStatus::kFailed);
  EXPECT_EQ(results_[arn].error.value_or(""), "E");
  // The slow branch was cancelled, not waited for.
  EXPECT_LT(ToEpochMillis(clock.Now()), 1704067200000 + 100000);
  std::vector<std::string> types = EventTypes(store_, arn);
  EXPECT_NE(std::find(types.begin(), types.end(), "ParallelStateFailed"), types.end());
}

TEST_F(EngineTest, TenThousandExecutionsWaitAtTheSameTime) {
  FakeClock clock(1704067200000);
  EngineOptions options;
  options.fake_clock = &clock;
  Engine engine(io_, store_, registry_, clock, options);
  const std::string def = R"({"StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": 60, "Next": "Done"}, "Done": {"Type": "Succeed"}}})";
  for (int i = 0; i < 10000; ++i) Start(engine, def, "{}", "e" + std::to_string(i));
  EXPECT_EQ(engine.running(), 10000u);
  engine.RunUntilIdle();
  ASSERT_EQ(results_.size(), 10000u);
  for (const auto& [arn, r] : results_) ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << arn;
  // They waited together: one minute in all.
  EXPECT_EQ(ToEpochMillis(clock.Now()), 1704067200000 + 60000);
}

TEST_F(EngineTest, TaskTimeoutCancelsARunningHandler) {
  std::atomic<bool> saw_cancel{false};
  registry_.Register("block", std::make_shared<FnHandler>([&](const TaskRequest& r) -> StepResult {
    while (!r.cancelled->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    saw_cancel = true;
    return Json::object();
  }));
  Engine engine(io_, store_, registry_, *SystemClock::Default());
  std::string arn = Start(engine, R"({"StartAt": "T", "States": {"T": {
      "Type": "Task", "Resource": "block", "TimeoutSeconds": 1, "End": true}}})");
  engine.RunUntilIdle();
  EXPECT_EQ(results_[arn].status, ExecutionStatus::kFailed);
  EXPECT_EQ(results_[arn].error.value_or(""), "States.Timeout");
  std::vector<std::string> types = EventTypes(store_, arn);
  EXPECT_NE(std::find(types.begin(), types.end(), "TaskTimedOut"), types.end());
  for (int i = 0; i < 400 && !saw_cancel; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(saw_cancel);
}

TEST_F(EngineTest, HeartbeatSecondsWithoutHeartbeatsIsAHeartbeatTimeout) {
  registry_.Register("block", std::make_shared<FnHandler>([](const TaskRequest& r) -> StepResult {
    while (!r.cancelled->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Json::object();
  }));
  Engine engine(io_, store_, registry_, *SystemClock::Default());
  std::string arn = Start(engine, R"({"StartAt": "T", "States": {"T": {
      "Type": "Task", "Resource": "block", "TimeoutSeconds": 30, "HeartbeatSeconds": 1,
      "End": true}}})");
  engine.RunUntilIdle();
  EXPECT_EQ(results_[arn].error.value_or(""), "States.HeartbeatTimeout");
}

TEST_F(EngineTest, MapMaxConcurrencyBoundsRunningTasks) {
  std::mutex mu;
  int running = 0, peak = 0;
  registry_.Register("work", std::make_shared<FnHandler>([&](const TaskRequest& r) -> StepResult {
    {
      std::lock_guard<std::mutex> lock(mu);
      peak = std::max(peak, ++running);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
      std::lock_guard<std::mutex> lock(mu);
      --running;
    }
    return r.input;
  }));
  EngineOptions options;
  options.worker_threads = 8;
  Engine engine(io_, store_, registry_, *SystemClock::Default(), options);
  std::string arn = Start(engine, R"({"StartAt": "M", "States": {"M": {
      "Type": "Map", "MaxConcurrency": 2, "End": true,
      "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "work", "End": true}}}}}})",
                          "[1,2,3,4,5,6,7,8]");
  engine.RunUntilIdle();
  ASSERT_EQ(results_[arn].status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Json::parse(*results_[arn].output), Json::parse("[1,2,3,4,5,6,7,8]"));
  EXPECT_LE(peak, 2);
  EXPECT_GE(peak, 1);
}

TEST_F(EngineTest, AThrowingHandlerIsATaskFailure) {
  registry_.Register("throw", std::make_shared<FnHandler>([](const TaskRequest&) -> StepResult {
    throw std::runtime_error("exploded");
  }));
  Engine engine(io_, store_, registry_, *SystemClock::Default());
  std::string arn = Start(engine, R"({"StartAt": "T", "States": {"T": {
      "Type": "Task", "Resource": "throw", "End": true}}})");
  engine.RunUntilIdle();
  EXPECT_EQ(results_[arn].error.value_or(""), "States.TaskFailed");
  EXPECT_EQ(results_[arn].cause.value_or(""), "exploded");
}

TEST_F(EngineTest, BranchEventsChainToTheirParallelStart) {
  Engine engine(io_, store_, registry_, *SystemClock::Default());
  std::string arn = Start(engine, R"({"StartAt": "P", "States": {"P": {
      "Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}})");
  engine.RunUntilIdle();
  auto events = store_.GetHistory(arn, {});
  ASSERT_TRUE(events.ok());
  int64_t started = 0;
  for (const auto& e : *events) {
    if (e.type == "ParallelStateStarted") started = e.id;
    if (e.type == "PassStateEntered") {
      EXPECT_EQ(e.previous_event_id, started);
    }
  }
  EXPECT_GT(started, 0);
}

TEST_F(EngineTest, SqliteStoreKeepsTheWholeHistory) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("mlf-engine-test-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  std::string arn;
  {
    auto store = store::SqliteExecutionStore::Open(dir + "/mlflowctl.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Engine engine(io_, **store, registry_, *SystemClock::Default());
    std::string def = R"({"StartAt": "S0", "States": {)";
    for (int i = 0; i < 300; ++i) {
      def += "\"S" + std::to_string(i) + "\": {\"Type\": \"Pass\", " +
             (i + 1 < 300 ? "\"Next\": \"S" + std::to_string(i + 1) + "\"" : "\"End\": true") +
             "}" + (i + 1 < 300 ? "," : "");
    }
    def += "}}";
    arn = Start(engine, def, R"({"x": 1})");
    engine.RunUntilIdle();
    ASSERT_EQ(results_[arn].status, ExecutionStatus::kSucceeded);
  }
  auto reopened = store::SqliteExecutionStore::Open(dir + "/mlflowctl.db");
  ASSERT_TRUE(reopened.ok());
  auto record = (*reopened)->GetExecution(arn);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->status, ExecutionStatus::kSucceeded);
  auto events = (*reopened)->GetHistory(arn, {});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 602u);
  for (std::size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].id, int64_t(i + 1));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlflowctl::runtime
