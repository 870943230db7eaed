// TriggerRunner with schedule and execution-event triggers, in virtual time
// (FakeClock; Poll is called directly).
#include "engine/triggers/trigger_runner.h"

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "tests/unit/triggers/trigger_test_env.h"

namespace mlflowctl::triggers {
namespace {

using testing::TriggerTestEnv;
constexpr int64_t kT0 = TriggerTestEnv::kT0;
constexpr int64_t kMinute = TriggerTestEnv::kMinute;

Trigger EveryFiveMinutes(MissedPolicy missed = MissedPolicy::kLatest) {
  Trigger t;
  t.name = "five";
  t.machine = "train";
  t.schedule_expression = "cron(0/5 * * * ? *)";
  t.missed = missed;
  t.input = R"({"slot": "<aws.scheduler.scheduled-time>"})";
  return t;
}

std::vector<std::string> Slots(const std::vector<testing::Started>& started) {
  std::vector<std::string> slots;
  for (const auto& s : started) slots.push_back(s.input.value("slot", ""));
  return slots;
}

TEST(TriggerRunnerScheduleTest, FiresAtEachSlot) {
  TriggerTestEnv env;
  Trigger t = env.Add(EveryFiveMinutes());
  boost::asio::io_context io;
  auto runner = env.Runner(io, env.store());
  runner->Poll();
  env.AdvanceTo(kT0 + 4 * kMinute + 59000);
  runner->Poll();
  EXPECT_TRUE(env.started().empty());
  env.AdvanceTo(kT0 + 5 * kMinute);
  runner->Poll();
  runner->Poll();
  env.AdvanceTo(kT0 + 7 * kMinute);
  runner->Poll();
  env.AdvanceTo(kT0 + 10 * kMinute + 300);
  runner->Poll();
  EXPECT_EQ(Slots(env.started()),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z"}));
  EXPECT_EQ(env.started()[0].machine, "train");

  std::vector<Firing> firings = env.Firings(t);
  ASSERT_EQ(firings.size(), 2u);
  EXPECT_EQ(firings[0].key, "2026-01-01T00:10:00Z");
  EXPECT_EQ(firings[0].slot_ms, kT0 + 10 * kMinute);
  EXPECT_EQ(firings[0].execution_arn,
            "arn:aws:states:us-east-1:123456789012:execution:train:e2");
}

TEST(TriggerRunnerScheduleTest, RateCountsFromTheTriggersCreation) {
  TriggerTestEnv env;
  env.AdvanceTo(kT0 + 30000);
  Trigger t = EveryFiveMinutes();
  t.schedule_expression = "rate(5 minutes)";
  env.Add(t);
  boost::asio::io_context io;
  auto runner = env.Runner(io, env.store());
  env.AdvanceTo(kT0 + 5 * kMinute);
  runner->Poll();
  EXPECT_TRUE(env.started().empty());
  env.AdvanceTo(kT0 + 5 * kMinute + 30000);
  runner->Poll();
  EXPECT_EQ(Slots(env.started()), std::vector<std::string>{"2026-01-01T00:05:30Z"});
}

TEST(TriggerRunnerScheduleTest, ARestartNeverFiresASlotTwice) {
  TriggerTestEnv env;
  env.Add(EveryFiveMinutes(MissedPolicy::kAll));
  boost::asio::io_context io;
  env.AdvanceTo(kT0 + 5 * kMinute);
  env.Runner(io, env.store())->Poll();
  ASSERT_EQ(env.started().size(), 1u);
  // A new process on the same file, within the same slot.
  testing::Connection reopened = env.Connect();
  env.AdvanceTo(kT0 + 5 * kMinute + 20000);
  auto second = env.Runner(io, *reopened.triggers);
  second->Poll();
  EXPECT_EQ(env.started().size(), 1u);
  env.AdvanceTo(kT0 + 10 * kMinute);
  second->Poll();
  EXPECT_EQ(Slots(env.started()),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z"}));
}

// The runner fired 00:05, was stopped, and starts again at 01:02: the slots
// 00:10 ... 01:00 were missed.
std::vector<std::string> AfterAStop(MissedPolicy policy, TriggerRunnerOptions options = {}) {
  TriggerTestEnv env;
  env.Add(EveryFiveMinutes(policy));
  boost::asio::io_context io;
  env.AdvanceTo(kT0 + 5 * kMinute);
  env.Runner(io, env.store(), options)->Poll();
  env.AdvanceTo(kT0 + 62 * kMinute);
  auto restarted = env.Runner(io, env.store(), options);
  restarted->Poll();
  restarted->Poll();
  env.AdvanceTo(kT0 + 65 * kMinute);
  restarted->Poll();
  return Slots(env.started());
}

TEST(TriggerRunnerScheduleTest, MissedSlotsFireOnceForTheLatestByDefault) {
  EXPECT_EQ(AfterAStop(MissedPolicy::kLatest),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T01:00:00Z",
                                      "2026-01-01T01:05:00Z"}));
}

TEST(TriggerRunnerScheduleTest, MissedSlotsAreSkippedWithPolicyNone) {
  EXPECT_EQ(AfterAStop(MissedPolicy::kNone),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T01:05:00Z"}));
}

TEST(TriggerRunnerScheduleTest, MissedSlotsAllFireUpToTheCap) {
  TriggerRunnerOptions options;
  options.max_catch_up = 3;
  EXPECT_EQ(AfterAStop(MissedPolicy::kAll, options),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T00:50:00Z",
                                      "2026-01-01T00:55:00Z", "2026-01-01T01:00:00Z",
                                      "2026-01-01T01:05:00Z"}));
  EXPECT_EQ(AfterAStop(MissedPolicy::kAll).size(), 13u);
}

TEST(TriggerRunnerScheduleTest, SlotsMissedSinceCreationFollowThePolicy) {
  TriggerTestEnv env;
  env.Add(EveryFiveMinutes());
  boost::asio::io_context io;
  env.AdvanceTo(kT0 + 3 * 24 * 60 * kMinute + 1000);  // three days later
  env.Runner(io, env.store())->Poll();
  EXPECT_EQ(Slots(env.started()), std::vector<std::string>{"2026-01-04T00:00:00Z"});
}

TEST(TriggerRunnerScheduleTest, TwoRunnersOnOneStoreFireEachSlotOnce) {
  TriggerTestEnv env;
  Trigger t = env.Add(EveryFiveMinutes());
  testing::Connection other = env.Connect();
  boost::asio::io_context io;
  auto a = env.Runner(io, env.store());
  auto b = env.Runner(io, *other.triggers);
  for (int minute = 1; minute <= 20; ++minute) {
    env.AdvanceTo(kT0 + minute * kMinute);
    (minute % 2 ? a : b)->Poll();
    (minute % 2 ? b : a)->Poll();
  }
  EXPECT_EQ(Slots(env.started()),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z",
                                      "2026-01-01T00:15:00Z", "2026-01-01T00:20:00Z"}));
  EXPECT_EQ(env.Firings(t).size(), 4u);
}

TEST(TriggerRunnerScheduleTest, StartErrorsAreRecordedNotThrown) {
  TriggerTestEnv env;
  Trigger t = env.Add(EveryFiveMinutes());
  boost::asio::io_context io;
  TriggerRunnerOptions options;
  std::vector<std::string> logs;
  options.log = [&logs](std::string_view line) { logs.emplace_back(line); };
  TriggerRunner runner(io, env.clock(), env.store(),
                       env.Recorder(NotFoundError("state machine 'train' does not exist")),
                       options);
  env.AdvanceTo(kT0 + 5 * kMinute);
  runner.Poll();
  std::vector<Firing> firings = env.Firings(t);
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_FALSE(firings[0].execution_arn.has_value());
  EXPECT_EQ(firings[0].error, "state machine 'train' does not exist");
  EXPECT_EQ(logs.size(), 1u);
}

TEST(TriggerRunnerScheduleTest, RemovedTriggersStopFiring) {
  TriggerTestEnv env;
  env.Add(EveryFiveMinutes());
  boost::asio::io_context io;
  auto runner = env.Runner(io, env.store());
  env.AdvanceTo(kT0 + 5 * kMinute);
  runner->Poll();
  ASSERT_TRUE(env.store().DeleteTrigger("five").ok());
  env.AdvanceTo(kT0 + 10 * kMinute);
  runner->Poll();
  EXPECT_EQ(env.started().size(), 1u);
}

history::ExecutionRecord EndedExecution(const std::string& machine, history::ExecutionStatus status) {
  history::ExecutionRecord r;
  r.name = "e1";
  r.arn = "arn:aws:states:us-east-1:123456789012:execution:" + machine + ":e1";
  r.state_machine_name = machine;
  r.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + machine;
  r.status = status;
  r.input = R"({"data":"s3://b/k"})";
  if (status == history::ExecutionStatus::kSucceeded) r.output = R"({"rmse":3.5})";
  r.start_ms = kT0;
  r.stop_ms = kT0 + 1500;
  return r;
}

TEST(TriggerRunnerScheduleTest, AnExecutionsEndStartsTheChainedMachine) {
  TriggerTestEnv env;
  Trigger chain;
  chain.name = "after-train";
  chain.machine = "deploy";
  chain.kind = TriggerKind::kExecutionEvent;
  chain.source_machine = "train";
  chain.input = R"({"stage": "prod"})";
  chain = env.Add(chain);
  boost::asio::io_context io;
  auto runner = env.Runner(io, env.store());
  runner->OnExecutionStatus(EndedExecution("train", history::ExecutionStatus::kSucceeded));
  runner->OnExecutionStatus(EndedExecution("train", history::ExecutionStatus::kSucceeded));  // again
  runner->OnExecutionStatus(EndedExecution("train", history::ExecutionStatus::kFailed));     // not matched
  runner->OnExecutionStatus(EndedExecution("other", history::ExecutionStatus::kSucceeded));  // not matched
  io.poll();  // runs the posted handlers; nothing waits

  ASSERT_EQ(env.started().size(), 1u);
  const testing::Started& s = env.started()[0];
  EXPECT_EQ(s.machine, "deploy");
  EXPECT_EQ(s.input["detail-type"], "Step Functions Execution Status Change");
  EXPECT_EQ(s.input["source"], "aws.states");
  EXPECT_EQ(s.input["stage"], "prod");
  const Json& detail = s.input["detail"];
  EXPECT_EQ(detail["status"], "SUCCEEDED");
  EXPECT_EQ(detail["executionArn"], "arn:aws:states:us-east-1:123456789012:execution:train:e1");
  EXPECT_EQ(detail["startDate"], kT0);
  EXPECT_EQ(detail["stopDate"], kT0 + 1500);
  EXPECT_EQ(detail["input"], R"({"data":"s3://b/k"})");
  EXPECT_EQ(detail["output"], R"({"rmse":3.5})");
  std::vector<Firing> firings = env.Firings(chain);
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].key, "arn:aws:states:us-east-1:123456789012:execution:train:e1|SUCCEEDED|0");
}

TEST(TriggerRunnerScheduleTest, ChosenStatusesAreMatched) {
  TriggerTestEnv env;
  Trigger chain;
  chain.name = "on-failure";
  chain.machine = "alert";
  chain.kind = TriggerKind::kExecutionEvent;
  chain.source_machine = "arn:aws:states:us-east-1:123456789012:stateMachine:train";
  chain.statuses = {"FAILED", "TIMED_OUT"};
  env.Add(chain);
  boost::asio::io_context io;
  auto runner = env.Runner(io, env.store());
  runner->OnExecutionStatus(EndedExecution("train", history::ExecutionStatus::kSucceeded));
  history::ExecutionRecord failed = EndedExecution("train", history::ExecutionStatus::kFailed);
  failed.error = "Mlflow.RmseAboveThreshold";
  runner->OnExecutionStatus(failed);
  io.poll();
  ASSERT_EQ(env.started().size(), 1u);
  EXPECT_EQ(env.started()[0].input["detail"]["status"], "FAILED");
  EXPECT_TRUE(env.started()[0].input["detail"]["output"].is_null());
  EXPECT_EQ(env.started()[0].input["detail"]["error"], "Mlflow.RmseAboveThreshold");
}

}  // namespace
}  // namespace mlflowctl::triggers
