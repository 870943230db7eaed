// Resuming after a crash (Engine::ResumeExecution): executions are cut off
// at every durability point and inside every task (crash_harness.h), then
// resumed by a new Engine on the reopened SQLite store, and must end as an
// uninterrupted run does, without running a succeeded task again.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "tests/testutil/temp_dir.h"
#include "tests/unit/runtime/crash_harness.h"

namespace mlflowctl::runtime {
namespace {

using namespace testing_crash;
using history::ExecutionStatus;

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z

// Task, a UUID, a Wait, a Choice loop, a retried task, Parallel (with a
// Wait in a branch) and a Map with MaxConcurrency.
const char kWorkflow[] = R"json({"StartAt": "A", "States": {
  "A": {"Type": "Task", "Resource": "count", "ResultPath": "$.a", "Next": "Id"},
  "Id": {"Type": "Pass", "Parameters": {"uuid.$": "States.UUID()"}, "ResultPath": "$.id",
         "Next": "W"},
  "W": {"Type": "Wait", "Seconds": 30, "Next": "Inc"},
  "Inc": {"Type": "Task", "Resource": "count", "Parameters": {"n.$": "$.loop.n"},
          "ResultSelector": {"n.$": "$.n"}, "ResultPath": "$.loop", "Next": "Loop"},
  "Loop": {"Type": "Choice", "Choices": [
             {"Variable": "$.loop.n", "NumericLessThan": 3, "Next": "Inc"}],
           "Default": "Flaky"},
  "Flaky": {"Type": "Task", "Resource": "count", "Parameters": {"n": 100},
            "Retry": [{"ErrorEquals": ["Test.Broken"], "IntervalSeconds": 5,
                       "MaxAttempts": 2}],
            "ResultPath": "$.flaky", "Next": "Par"},
  "Par": {"Type": "Parallel", "ResultPath": "$.par", "Next": "Map", "Branches": [
    {"StartAt": "B1", "States": {
      "B1": {"Type": "Task", "Resource": "count", "Parameters": {"n": 10, "item": "b1"},
             "End": true}}},
    {"StartAt": "B2W", "States": {
      "B2W": {"Type": "Wait", "Seconds": 5, "Next": "B2"},
      "B2": {"Type": "Task", "Resource": "count", "Parameters": {"n": 20, "item": "b2"},
             "End": true}}}]},
  "Map": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
          "ItemSelector": {"item.$": "$$.Map.Item.Value", "n.$": "$$.Map.Item.Index"},
          "ItemProcessor": {"StartAt": "It", "States": {
            "It": {"Type": "Task", "Resource": "count", "Next": "Twice"},
            "Twice": {"Type": "Task", "Resource": "count", "End": true}}},
          "ResultPath": "$.mapped", "Next": "Done"},
  "Done": {"Type": "Succeed"}}})json";

const char kInput[] = R"({"loop": {"n": 0}, "items": ["p", "q", "r", "s", "t"]})";

struct RunResult {
  std::optional<ExecutionRecord> record;
  std::vector<HistoryEvent> history;
  std::map<std::string, int> counts;
  int syncs = 0;
  int calls = 0;
};

class ResumeTest : public testing::Test {
 protected:
  ResumeTest() {
    handler_ = std::make_shared<CountingHandler>();
    handler_->SetFail([](const TaskRequest& r) {
      return r.state_name == "Flaky" && r.attempt == 0;
    });
    registry_.Register("count", handler_);
  }

  EngineOptions Options(FakeClock& clock) {
    EngineOptions o;
    o.fake_clock = &clock;
    o.random_seed = 7;
    o.worker_threads = 2;
    return o;
  }

  // Starts the workflow on the store at `path`; crashes at Sync
  // `crash_at_sync` or inside task call `crash_in_call` (0 = never).
  std::string StartWithCrash(const std::string& path, const std::string& def,
                             const std::string& input, int crash_at_sync, int crash_in_call,
                             int* syncs = nullptr) {
    auto sqlite = OpenSqlite(path);
    CrashableStore store(*sqlite, crash_at_sync);
    handler_->Arm(&store, crash_in_call);
    asio::io_context io;
    FakeClock clock(kT0);
    std::string arn;
    {
      Engine engine(io, store, registry_, clock, Options(clock));
      StartRequest request;
      request.machine = Machine(def);
      request.parsed = Parse(def);
      request.input = input;
      request.name = "run";
      auto started = engine.StartExecution(request, nullptr);
      EXPECT_TRUE(started.ok()) << started.status().ToString();
      if (started.ok()) arn = started->arn;
      engine.RunUntilIdle();  // after a crash: runs on, recording nothing
    }
    if (syncs) *syncs = store.syncs();
    handler_->Arm(nullptr, 0);
    return arn;
  }

  // Reopens the store and resumes `arn` if it is RUNNING, crashing again at
  // Sync `crash_at_sync` (0 = never). Returns the record at the end.
  ExecutionRecord Resume(const std::string& path, const std::string& def,
                         const std::string& arn, int crash_at_sync = 0,
                         int64_t at_ms = kT0 + 3600000) {
    auto sqlite = OpenSqlite(path);
    auto rec = sqlite->GetExecution(arn);
    EXPECT_TRUE(rec.ok()) << rec.status().ToString();
    if (!rec.ok() || rec->status != ExecutionStatus::kRunning) return rec.ok() ? *rec : ExecutionRecord{};
    CrashableStore store(*sqlite, crash_at_sync);
    handler_->Arm(&store, 0);
    asio::io_context io;
    FakeClock clock(at_ms);
    std::optional<ExecutionRecord> done;
    {
      Engine engine(io, store, registry_, clock, Options(clock));
      Status s = engine.ResumeExecution(Machine(def), Parse(def), *rec,
                                        [&](const ExecutionRecord& r) { done = r; });
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(engine.ResumeExecution(Machine(def), Parse(def), *rec, nullptr).code(),
                StatusCode::kAlreadyExists);
      engine.RunUntilIdle();
    }
    handler_->Arm(nullptr, 0);
    auto after = sqlite->GetExecution(arn);
    EXPECT_TRUE(after.ok());
    return after.ok() ? *after : ExecutionRecord{};
  }

  std::vector<HistoryEvent> History(const std::string& path, const std::string& arn) {
    auto sqlite = OpenSqlite(path);
    auto events = sqlite->GetHistory(arn, {});
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<HistoryEvent>{};
  }

  // The uninterrupted run.
  RunResult Reference(const std::string& def, const std::string& input) {
    testutil::TempDir dir("resume_ref");
    handler_->Reset();
    RunResult r;
    std::string arn = StartWithCrash(dir.File("db"), def, input, 0, 0, &r.syncs);
    auto sqlite = OpenSqlite(dir.File("db"));
    r.record = *sqlite->GetExecution(arn);
    r.history = *sqlite->GetHistory(arn, {});
    r.counts = handler_->counts();
    r.calls = handler_->total();
    return r;
  }

  asio::io_context unused_;
  ResourceRegistry registry_;
  std::shared_ptr<CountingHandler> handler_;
};

// Output without the UUID (which differs from run to run).
Json WithoutId(const std::string& output) {
  Json j = Json::parse(output);
  j.erase("id");
  return j;
}

// Tasks whose TaskScheduled is durable without a result: they may have run
// when the process ended, and may run once more.
std::set<std::string> InFlight(const std::vector<HistoryEvent>& durable) {
  std::map<std::string, std::string> entered, scheduled;
  for (const auto& e : durable) {
    if (e.type == "TaskStateEntered") entered[e.frame] = e.details.value("name", "");
    if (e.type == "TaskScheduled") {
      scheduled[e.frame] = entered[e.frame] + " " +
                           DumpJson(Json::parse(e.details.value("parameters", "null")));
    }
    if (e.type == "TaskSucceeded" || e.type == "TaskFailed" || e.type == "TaskTimedOut") {
      scheduled.erase(e.frame);
    }
  }
  std::set<std::string> out;
  for (const auto& [frame, key] : scheduled) out.insert(key);
  return out;
}

void ExpectSameEnd(const RunResult& ref, const ExecutionRecord& got,
                   const std::vector<HistoryEvent>& history,
                   const std::map<std::string, int>& counts,
                   const std::set<std::string>& in_flight, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.status, ExecutionStatus::kSucceeded) << got.error.value_or("") << " "
                                                     << got.cause.value_or("");
  EXPECT_EQ(WithoutId(*got.output), WithoutId(*ref.record->output));
  ExpectWellFormed(history);
  EXPECT_EQ(TypeCounts(history), TypeCounts(ref.history));
  EXPECT_EQ(history.back().type, "ExecutionSucceeded");
  // The UUID is the recorded one.
  for (const auto& e : history) {
    if (e.type == "PassStateExited") {
      EXPECT_EQ(Json::parse(e.details.value("output", "{}"))["id"],
                Json::parse(*got.output)["id"]);
    }
  }
  for (const auto& [key, n] : ref.counts) {
    auto it = counts.find(key);
    int c = it == counts.end() ? 0 : it->second;
    if (in_flight.count(key)) {
      EXPECT_TRUE(c == n || c == n + 1) << key << " ran " << c << " times, expected " << n;
    } else {
      EXPECT_EQ(c, n) << key << " ran again although its result was durable";
    }
  }
  EXPECT_EQ(counts.size(), ref.counts.size());
}

TEST_F(ResumeTest, ReferenceRunIsDeterministicEnough) {
  RunResult ref = Reference(kWorkflow, kInput);
  ASSERT_TRUE(ref.record.has_value());
  ASSERT_EQ(ref.record->status, ExecutionStatus::kSucceeded) << ref.record->cause.value_or("");
  ExpectWellFormed(ref.history);
  // Every task input is distinct, except Flaky's retried one.
  for (const auto& [key, n] : ref.counts) EXPECT_EQ(n, key.starts_with("Flaky") ? 2 : 1) << key;
  EXPECT_GT(ref.syncs, 20);
  // Frames are recorded: Map iterations and branches have their own keys.
  std::set<std::string> frames;
  for (const auto& e : ref.history) frames.insert(e.frame);
  EXPECT_EQ(frames.size(), 1u + 2u + 5u);
}

TEST_F(ResumeTest, CrashAtEveryDurabilityPointThenResume) {
  RunResult ref = Reference(kWorkflow, kInput);
  ASSERT_EQ(ref.record->status, ExecutionStatus::kSucceeded);
  for (int k = 1; k <= ref.syncs; ++k) {
    testutil::TempDir dir("resume_sync");
    handler_->Reset();
    std::string arn = StartWithCrash(dir.File("db"), kWorkflow, kInput, k, 0);
    std::vector<HistoryEvent> durable = History(dir.File("db"), arn);
    ExecutionRecord got = Resume(dir.File("db"), kWorkflow, arn);
    ExpectSameEnd(ref, got, History(dir.File("db"), arn), handler_->counts(),
                  InFlight(durable), "crash at sync " + std::to_string(k));
  }
}

TEST_F(ResumeTest, CrashInsideEveryTaskThenResume) {
  RunResult ref = Reference(kWorkflow, kInput);
  ASSERT_EQ(ref.record->status, ExecutionStatus::kSucceeded);
  for (int j = 1; j <= ref.calls; ++j) {
    testutil::TempDir dir("resume_task");
    handler_->Reset();
    std::string arn = StartWithCrash(dir.File("db"), kWorkflow, kInput, 0, j);
    std::vector<HistoryEvent> durable = History(dir.File("db"), arn);
    std::set<std::string> in_flight = InFlight(durable);
    EXPECT_EQ(in_flight.count(handler_->in_flight_at_crash()), 1u);
    ExecutionRecord got = Resume(dir.File("db"), kWorkflow, arn);
    ExpectSameEnd(ref, got, History(dir.File("db"), arn), handler_->counts(), in_flight,
                  "crash in task call " + std::to_string(j));
  }
}

TEST_F(ResumeTest, CrashAgainWhileResuming) {
  RunResult ref = Reference(kWorkflow, kInput);
  for (int k : {3, 9, 17}) {
    for (int k2 : {1, 2, 5}) {
      testutil::TempDir dir("resume_twice");
      handler_->Reset();
      std::string arn = StartWithCrash(dir.File("db"), kWorkflow, kInput, k, 0);
      std::set<std::string> in_flight = InFlight(History(dir.File("db"), arn));
      Resume(dir.File("db"), kWorkflow, arn, k2);
      for (const auto& key : InFlight(History(dir.File("db"), arn))) in_flight.insert(key);
      ExecutionRecord got = Resume(dir.File("db"), kWorkflow, arn, 0, kT0 + 7200000);
      ExpectSameEnd(ref, got, History(dir.File("db"), arn), handler_->counts(), in_flight,
                    fmt::format("crash at sync {} then {}", k, k2));
    }
  }
}

TEST_F(ResumeTest, AResumedWaitCountsFromItsRecordedEntry) {
  const std::string def = R"({"StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": 100, "Next": "T"},
      "T": {"Type": "Task", "Resource": "count", "End": true}}})";
  testutil::TempDir dir("resume_wait");
  // Sync 1 makes WaitStateEntered durable (a timer is a side effect).
  std::string arn = StartWithCrash(dir.File("db"), def, "{}", 1, 0);
  ASSERT_EQ(History(dir.File("db"), arn).back().type, "WaitStateEntered");
  // Resumed 40 s later: 60 s are left.
  auto sqlite = OpenSqlite(dir.File("db"));
  asio::io_context io;
  FakeClock clock(kT0 + 40000);
  Engine engine(io, *sqlite, registry_, clock, Options(clock));
  std::optional<ExecutionRecord> done;
  ASSERT_TRUE(engine.ResumeExecution(Machine(def), Parse(def), *sqlite->GetExecution(arn),
                                     [&](const ExecutionRecord& r) { done = r; })
                  .ok());
  engine.RunUntilIdle();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(ToEpochMillis(clock.Now()), kT0 + 100000);
}

TEST_F(ResumeTest, ExecutionTimeoutCountsFromTheOriginalStart) {
  const std::string def = R"({"StartAt": "W", "TimeoutSeconds": 50, "States": {
      "W": {"Type": "Wait", "Seconds": 100, "End": true}}})";
  testutil::TempDir dir("resume_timeout");
  std::string arn = StartWithCrash(dir.File("db"), def, "{}", 1, 0);
  ExecutionRecord got = Resume(dir.File("db"), def, arn, 0, kT0 + 20000);
  EXPECT_EQ(got.status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(got.stop_ms.value_or(0), kT0 + 50000);
}

TEST_F(ResumeTest, OnlyRunningExecutionsResume) {
  testutil::TempDir dir("resume_done");
  const std::string def = R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})";
  std::string arn = StartWithCrash(dir.File("db"), def, "{}", 0, 0);
  auto sqlite = OpenSqlite(dir.File("db"));
  asio::io_context io;
  Engine engine(io, *sqlite, registry_, *SystemClock::Default());
  Status s = engine.ResumeExecution(Machine(def), Parse(def), *sqlite->GetExecution(arn), nullptr);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
}

TEST_F(ResumeTest, AChangedDefinitionFailsTheResumeAndKeepsItRunning) {
  testutil::TempDir dir("resume_changed");
  const std::string def = R"({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "count", "Next": "B"},
      "B": {"Type": "Task", "Resource": "count", "End": true}}})";
  const std::string changed = R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B"},
      "B": {"Type": "Task", "Resource": "count", "End": true}}})";
  std::string arn = StartWithCrash(dir.File("db"), def, "{}", 3, 0);
  auto sqlite = OpenSqlite(dir.File("db"));
  asio::io_context io;
  FakeClock clock(kT0 + 1000);
  Engine engine(io, *sqlite, registry_, clock, Options(clock));
  std::optional<ExecutionRecord> done;
  ASSERT_TRUE(engine.ResumeExecution(Machine(changed), Parse(changed),
                                     *sqlite->GetExecution(arn),
                                     [&](const ExecutionRecord& r) { done = r; })
                  .ok());
  engine.RunUntilIdle();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->error.value_or(""), "mlflowctl.ReplayMismatch");
  EXPECT_NE(done->cause.value_or("").find("TaskStateEntered"), std::string::npos)
      << done->cause.value_or("");
  EXPECT_EQ(sqlite->GetExecution(arn)->status, ExecutionStatus::kRunning);
  // The right definition still resumes it.
  EXPECT_EQ(Resume(dir.File("db"), def, arn).status, ExecutionStatus::kSucceeded);
}

TEST_F(ResumeTest, MapIterationsAbortedByASiblingFailureReplay) {
  // Item "bad" fails and is caught at the Map; the others were aborted
  // (fail fast). Resume anywhere and end as the uninterrupted run does.
  const std::string def = R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "ItemsPath": "$.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "It", "States": {
              "It": {"Type": "Task", "Resource": "count", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "After"}],
            "Next": "After"},
      "After": {"Type": "Task", "Resource": "count", "Parameters": {"n": 5}, "End": true}}})";
  const std::string input = R"({"items": ["a", "bad", "c", "d"]})";
  handler_->SetFail([](const TaskRequest& r) {
    return r.input.is_object() && r.input.value("item", "") == "bad";
  });
  RunResult ref = Reference(def, input);
  ASSERT_EQ(ref.record->status, ExecutionStatus::kSucceeded) << ref.record->cause.value_or("");
  for (int k = 1; k <= ref.syncs; ++k) {
    testutil::TempDir dir("resume_abort");
    handler_->Reset();
    std::string arn = StartWithCrash(dir.File("db"), def, input, k, 0);
    ExecutionRecord got = Resume(dir.File("db"), def, arn);
    SCOPED_TRACE(k);
    ASSERT_EQ(got.status, ExecutionStatus::kSucceeded) << got.cause.value_or("");
    EXPECT_EQ(Json::parse(*got.output), Json::parse(*ref.record->output));
    ExpectWellFormed(History(dir.File("db"), arn));
  }
}

}  // namespace
}  // namespace mlflowctl::runtime
