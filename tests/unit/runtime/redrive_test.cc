// RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from
// what did not succeed; succeeded tasks, branches and iterations are not run
// again (AWS: "reschedules and redrives only the iterations and branches
// that failed or aborted").
#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "tests/testutil/temp_dir.h"
#include "tests/unit/runtime/crash_harness.h"

namespace mlflowctl::runtime {
namespace {

using namespace testing_crash;
using history::ExecutionStatus;

constexpr int64_t kRedriveT0 = 1704067200000;

class RedriveTest : public testing::Test {
 protected:
  RedriveTest() : dir_("redrive") {
    handler_ = std::make_shared<CountingHandler>();
    handler_->SetFail([this](const TaskRequest& r) {
      if (!broken_) return false;
      std::string item = r.input.is_object() ? r.input.value("item", "") : "";
      return item == "bad" || r.state_name == "Broken";
    });
    registry_.Register("count", handler_);
    path_ = dir_.File("db");
    store_ = OpenSqlite(path_);
  }

  EngineOptions Options() {
    EngineOptions o;
    o.fake_clock = &clock_;
    o.random_seed = 3;
    return o;
  }

  ExecutionRecord Run(const std::string& def, const std::string& input,
                      const std::function<void(Engine&, const std::string&)>& during = {}) {
    asio::io_context io;
    Engine engine(io, *store_, registry_, clock_, Options());
    StartRequest request;
    request.machine = Machine(def);
    request.parsed = Parse(def);
    request.input = input;
    request.name = "e" + std::to_string(++runs_);
    std::optional<ExecutionRecord> done;
    auto started = engine.StartExecution(request, [&](const ExecutionRecord& r) { done = r; });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (during) asio::post(io, [&] { during(engine, started->arn); });
    engine.RunUntilIdle();
    EXPECT_TRUE(done.has_value());
    return done.value_or(ExecutionRecord{});
  }

  StatusOr<ExecutionRecord> Redrive(const std::string& def, const ExecutionRecord& rec,
                                    ExecutionRecord* end) {
    asio::io_context io;
    Engine engine(io, *store_, registry_, clock_, Options());
    std::optional<ExecutionRecord> done;
    auto r = engine.RedriveExecution(Machine(def), Parse(def), rec,
                                     [&](const ExecutionRecord& x) { done = x; });
    if (!r.ok()) return r;
    EXPECT_EQ(r->status, ExecutionStatus::kRunning);
    engine.RunUntilIdle();
    EXPECT_TRUE(done.has_value());
    if (done && end) *end = *done;
    return r;
  }

  std::vector<HistoryEvent> History(const std::string& arn) { return *store_->GetHistory(arn, {}); }

  int Count(const std::string& prefix) {
    int n = 0;
    for (const auto& [k, c] : handler_->counts()) n += k.starts_with(prefix) ? c : 0;
    return n;
  }

  testutil::TempDir dir_;
  std::string path_;
  std::unique_ptr<store::SqliteExecutionStore> store_;
  FakeClock clock_{kRedriveT0};
  ResourceRegistry registry_;
  std::shared_ptr<CountingHandler> handler_;
  bool broken_ = true;
  int runs_ = 0;
};

const char kMap[] = R"({"StartAt": "Pre", "States": {
  "Pre": {"Type": "Task", "Resource": "count", "Parameters": {"n": 1}, "ResultPath": "$.pre",
          "Next": "M"},
  "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
        "ItemSelector": {"item.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "It", "States": {
          "It": {"Type": "Task", "Resource": "count", "End": true}}},
        "ResultPath": "$.out", "Next": "Post"},
  "Post": {"Type": "Task", "Resource": "count", "Parameters": {"n": 2}, "ResultPath": "$.post",
           "End": true}}})";
const char kMapInput[] = R"({"items": ["a", "b", "bad", "c", "d"]})";

TEST_F(RedriveTest, MapRedriveRerunsOnlyTheFailedIteration) {
  ExecutionRecord failed = Run(kMap, kMapInput);
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  EXPECT_EQ(failed.error.value_or(""), "Test.Broken");
  EXPECT_EQ(handler_->total(), 4);  // Pre, a, b, bad
  broken_ = false;
  clock_.AdvanceMillis(300000);
  ExecutionRecord end;
  auto redriven = Redrive(kMap, failed, &end);
  ASSERT_TRUE(redriven.ok()) << redriven.status().ToString();
  EXPECT_EQ(redriven->redrive_count, 1);
  ASSERT_EQ(end.status, ExecutionStatus::kSucceeded) << end.cause.value_or("");
  auto counts = handler_->counts();
  EXPECT_EQ(Count("Pre "), 1);
  EXPECT_EQ(counts[R"(It {"item":"a"})"], 1);
  EXPECT_EQ(counts[R"(It {"item":"b"})"], 1);
  EXPECT_EQ(counts[R"(It {"item":"bad"})"], 2);
  EXPECT_EQ(counts[R"(It {"item":"c"})"], 1);
  EXPECT_EQ(counts[R"(It {"item":"d"})"], 1);
  EXPECT_EQ(Count("Post "), 1);
  // The same output as a run that never failed.
  handler_->Reset();
  ExecutionRecord clean = Run(kMap, kMapInput);
  EXPECT_EQ(Json::parse(*end.output), Json::parse(*clean.output));

  ExecutionRecord stored = *store_->GetExecution(failed.arn);
  EXPECT_EQ(stored.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(stored.redrive_count, 1);
  EXPECT_EQ(stored.redrive_ms.value_or(0), kRedriveT0 + 300000);
  auto events = History(failed.arn);
  ExpectWellFormed(events);
  int redriven_events = 0;
  for (const auto& e : events) {
    if (e.type == "ExecutionRedriven") {
      ++redriven_events;
      EXPECT_EQ(e.details.value("redriveCount", 0), 1);
      EXPECT_EQ(e.ToApiJson()["executionRedrivenEventDetails"]["redriveCount"], 1);
    }
  }
  EXPECT_EQ(redriven_events, 1);
  EXPECT_EQ(TypeCounts(events)["ExecutionFailed"], 1);  // the first attempt's end stays
  EXPECT_EQ(events.back().type, "ExecutionSucceeded");
  EXPECT_FALSE(events.back().ToApiJson().contains("frame"));
}

TEST_F(RedriveTest, OnlyFailedTimedOutOrAbortedExecutionsRedrive) {
  broken_ = false;
  ExecutionRecord ok = Run(kMap, kMapInput);
  ASSERT_EQ(ok.status, ExecutionStatus::kSucceeded);
  auto r = Redrive(kMap, ok, nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("SUCCEEDED"), std::string::npos);
}

TEST_F(RedriveTest, RetriesUsedUpThenRedriveRunsTheTaskOnceMore) {
  const std::string def = R"({"StartAt": "Broken", "States": {
      "Broken": {"Type": "Task", "Resource": "count",
                 "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}], "End": true}}})";
  ExecutionRecord failed = Run(def, "{}");
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Count("Broken"), 3);
  broken_ = false;
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, failed, &end).ok());
  EXPECT_EQ(end.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Count("Broken"), 4);
  ExpectWellFormed(History(failed.arn));
}

TEST_F(RedriveTest, ACaughtFailureIsNotRunAgain) {
  const std::string def = R"({"StartAt": "Caught", "States": {
      "Caught": {"Type": "Task", "Resource": "count", "Parameters": {"item": "bad"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e",
                            "Next": "Broken"}], "End": true},
      "Broken": {"Type": "Task", "Resource": "count", "End": true}}})";
  ExecutionRecord failed = Run(def, "{}");
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  broken_ = false;
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, failed, &end).ok());
  EXPECT_EQ(end.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Count("Caught"), 1);
  EXPECT_EQ(Count("Broken"), 2);
}

TEST_F(RedriveTest, ParallelRedriveRerunsOnlyTheFailedBranch) {
  const std::string def = R"({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
      "Branches": [
        {"StartAt": "Good", "States": {"Good": {"Type": "Task", "Resource": "count",
                                                "Parameters": {"n": 1}, "End": true}}},
        {"StartAt": "W", "States": {
          "W": {"Type": "Wait", "Seconds": 10, "Next": "Broken"},
          "Broken": {"Type": "Task", "Resource": "count", "Parameters": {"n": 2},
                     "End": true}}}]}}})";
  ExecutionRecord failed = Run(def, "{}");
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  broken_ = false;
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, failed, &end).ok());
  ASSERT_EQ(end.status, ExecutionStatus::kSucceeded) << end.cause.value_or("");
  EXPECT_EQ(Count("Good"), 1);
  EXPECT_EQ(Count("Broken"), 2);
  EXPECT_EQ(Json::parse(*end.output), Json::parse(R"([{"n": 2, "by": "Good"},
                                                       {"n": 3, "by": "Broken"}])"));
}

TEST_F(RedriveTest, AnAbortedExecutionRedrivesFromWhereItStopped) {
  const std::string def = R"({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "count", "Parameters": {"n": 1}, "Next": "W"},
      "W": {"Type": "Wait", "Seconds": 60, "Next": "B"},
      "B": {"Type": "Task", "Resource": "count", "Parameters": {"n": 2}, "End": true}}})";
  broken_ = false;
  asio::io_context io;
  std::optional<ExecutionRecord> aborted;
  {
    Engine* engine_ptr = nullptr;
    EngineOptions options = Options();
    options.on_event = [&](const std::string& arn, const HistoryEvent& e) {
      if (e.type == "WaitStateEntered") {
        asio::post(io, [&engine_ptr, arn] {
          EXPECT_TRUE(engine_ptr->StopExecution(arn, "Stopped", "by the test").ok());
        });
      }
    };
    Engine engine(io, *store_, registry_, clock_, options);
    engine_ptr = &engine;
    StartRequest request;
    request.machine = Machine(def);
    request.parsed = Parse(def);
    request.name = "stopped";
    ASSERT_TRUE(engine.StartExecution(request, [&](const ExecutionRecord& r) { aborted = r; })
                    .ok());
    engine.RunUntilIdle();
  }
  ASSERT_TRUE(aborted.has_value());
  ASSERT_EQ(aborted->status, ExecutionStatus::kAborted);
  EXPECT_EQ(Count("A"), 1);
  EXPECT_EQ(Count("B"), 0);
  clock_.AdvanceMillis(120000);  // the Wait's time has passed
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, *aborted, &end).ok());
  ASSERT_EQ(end.status, ExecutionStatus::kSucceeded) << end.cause.value_or("");
  EXPECT_EQ(Count("A"), 1);
  EXPECT_EQ(Count("B"), 1);
  EXPECT_EQ(ToEpochMillis(clock_.Now()), kRedriveT0 + 120000);  // no second minute of waiting
  auto events = History(aborted->arn);
  ExpectWellFormed(events);
  EXPECT_EQ(TypeCounts(events)["WaitStateEntered"], 1);
  EXPECT_EQ(TypeCounts(events)["ExecutionAborted"], 1);
}

TEST_F(RedriveTest, ATimedOutExecutionGetsItsTimeoutAgainFromTheRedrive) {
  const std::string def = R"({"StartAt": "W", "TimeoutSeconds": 5, "States": {
      "W": {"Type": "Wait", "Seconds": 8, "End": true}}})";
  ExecutionRecord timed_out = Run(def, "{}");
  ASSERT_EQ(timed_out.status, ExecutionStatus::kTimedOut);
  clock_.AdvanceMillis(1000);  // at T0 + 6 s: 2 s of the Wait left
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, timed_out, &end).ok());
  EXPECT_EQ(end.status, ExecutionStatus::kSucceeded) << end.cause.value_or("");
  EXPECT_EQ(ToEpochMillis(clock_.Now()), kRedriveT0 + 8000);
}

TEST_F(RedriveTest, RedriveTwice) {
  const std::string def = R"({"StartAt": "One", "States": {
      "One": {"Type": "Task", "Resource": "count", "Parameters": {"item": "bad"},
              "Next": "Two"},
      "Two": {"Type": "Task", "Resource": "count", "Parameters": {"item": "bad", "n": 5},
              "End": true}}})";
  ExecutionRecord failed = Run(def, "{}");
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  // The first redrive fails again at One; the second succeeds.
  ExecutionRecord end;
  ASSERT_TRUE(Redrive(def, failed, &end).ok());
  ASSERT_EQ(end.status, ExecutionStatus::kFailed);
  EXPECT_EQ(end.redrive_count, 1);
  broken_ = false;
  ExecutionRecord end2;
  auto r = Redrive(def, end, &end2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->redrive_count, 2);
  ASSERT_EQ(end2.status, ExecutionStatus::kSucceeded) << end2.cause.value_or("");
  EXPECT_EQ(Count("One"), 3);
  EXPECT_EQ(Count("Two"), 1);
  ExpectWellFormed(History(failed.arn));
}

TEST_F(RedriveTest, ARedriveWhoseEventWasLostIsCompletedByResume) {
  ExecutionRecord failed = Run(kMap, kMapInput);
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  broken_ = false;
  // The claim became durable, then the process ended.
  auto claimed = store_->ClaimExecution(failed.arn, true, kRedriveT0 + 1000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  asio::io_context io;
  Engine engine(io, *store_, registry_, clock_, Options());
  std::optional<ExecutionRecord> done;
  ASSERT_TRUE(engine.ResumeExecution(Machine(kMap), Parse(kMap), *claimed,
                                     [&](const ExecutionRecord& r) { done = r; })
                  .ok());
  engine.RunUntilIdle();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, ExecutionStatus::kSucceeded) << done->cause.value_or("");
  EXPECT_EQ(TypeCounts(History(failed.arn), false)["ExecutionRedriven"], 1);
  EXPECT_EQ(handler_->counts()[R"(It {"item":"a"})"], 1);
}

TEST_F(RedriveTest, CrashWhileRedrivingThenResume) {
  ExecutionRecord failed = Run(kMap, kMapInput);
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  broken_ = false;
  for (int k = 1; k <= 4; ++k) {
    SCOPED_TRACE(k);
    // A fresh failed execution per crash point.
    broken_ = true;
    ExecutionRecord f = Run(kMap, kMapInput);
    broken_ = false;
    handler_->Reset();
    {
      CrashableStore crashing(*store_, k);
      handler_->Arm(&crashing, 0);
      asio::io_context io;
      Engine engine(io, crashing, registry_, clock_, Options());
      ASSERT_TRUE(engine.RedriveExecution(Machine(kMap), Parse(kMap), f, nullptr).ok());
      engine.RunUntilIdle();
      handler_->Arm(nullptr, 0);
    }
    ExecutionRecord running = *store_->GetExecution(f.arn);
    if (running.status == ExecutionStatus::kRunning) {
      asio::io_context io;
      Engine engine(io, *store_, registry_, clock_, Options());
      ASSERT_TRUE(engine.ResumeExecution(Machine(kMap), Parse(kMap), running, nullptr).ok());
      engine.RunUntilIdle();
    }
    ExecutionRecord end = *store_->GetExecution(f.arn);
    ASSERT_EQ(end.status, ExecutionStatus::kSucceeded) << end.cause.value_or("");
    auto counts = handler_->counts();
    EXPECT_EQ(counts[R"(It {"item":"a"})"], 0);  // succeeded before the redrive
    EXPECT_LE(counts[R"(It {"item":"bad"})"], 2);
    EXPECT_EQ(TypeCounts(History(f.arn), false)["ExecutionRedriven"], 1);
    ExpectWellFormed(History(f.arn));
  }
}

}  // namespace
}  // namespace mlflowctl::runtime
