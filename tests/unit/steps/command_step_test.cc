#include "steps/command_step.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace mlflowctl::steps {
namespace {

using runtime::StepResult;
using runtime::TaskRequest;

class CommandStepTest : public testing::Test {
 protected:
  StepResult Run(Json input) {
    TaskRequest r;
    r.resource = "mlflowctl:command";
    r.input = std::move(input);
    r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:M:e";
    r.state_name = "S";
    r.task_token = "token-1";
    r.cancelled = &cancelled_;
    return step_.Invoke(r);
  }
  CommandStep step_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(CommandStepTest, PayloadGoesToStdinAndStdoutIsTheResult) {
  StepResult r = Run(Json{{"Command", {"python3", "-c",
                                       "import json,sys; d=json.load(sys.stdin); "
                                       "print(json.dumps({'twice': d['n'] * 2}))"}},
                          {"Payload", {{"n", 21}}}});
  ASSERT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
  EXPECT_EQ(std::get<Json>(r), Json({{"twice", 42}}));
}

TEST_F(CommandStepTest, WithoutPayloadTheWholeInputIsSent) {
  StepResult r = Run(Json{{"Command", {"cat"}}, {"x", 1}});
  ASSERT_TRUE(std::holds_alternative<Json>(r));
  EXPECT_EQ(std::get<Json>(r)["x"], 1);
}

TEST_F(CommandStepTest, EnvironmentAndTaskTokenAreSet) {
  StepResult r = Run(Json{{"Command", {"sh", "-c", "printf '\"%s/%s\"' \"$GREETING\" \"$MLFLOWCTL_TASK_TOKEN\""}},
                          {"Environment", {{"GREETING", "hi"}}}});
  ASSERT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
  EXPECT_EQ(std::get<Json>(r), "hi/token-1");
}

TEST_F(CommandStepTest, NonZeroExitTakesTheErrorFromStderr) {
  StepResult r = Run(Json{{"Command", {"sh", "-c",
                                       "echo noise >&2; echo '{\"error\": \"Mlflow.Bad\", "
                                       "\"cause\": \"no rows\"}' >&2; exit 2"}}});
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_EQ(std::get<Error>(r), (Error{"Mlflow.Bad", "no rows"}));
}

TEST_F(CommandStepTest, NonZeroExitWithoutAnErrorLineIsTaskFailed) {
  StepResult r = Run(Json{{"Command", {"sh", "-c", "echo broken >&2; exit 3"}}});
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_EQ(std::get<Error>(r).name, "States.TaskFailed");
  EXPECT_NE(std::get<Error>(r).cause.find("status 3"), std::string::npos);
  EXPECT_NE(std::get<Error>(r).cause.find("broken"), std::string::npos);
}

TEST_F(CommandStepTest, OutputThatIsNotJsonIsAnError) {
  StepResult r = Run(Json{{"Command", {"echo", "not json"}}});
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_NE(std::get<Error>(r).cause.find("not JSON"), std::string::npos);
}

TEST_F(CommandStepTest, EmptyOutputIsNull) {
  StepResult r = Run(Json{{"Command", {"true"}}});
  ASSERT_TRUE(std::holds_alternative<Json>(r));
  EXPECT_TRUE(std::get<Json>(r).is_null());
}

TEST_F(CommandStepTest, AMissingProgramIsReported) {
  StepResult r = Run(Json{{"Command", {"no-such-program-mlflowctl"}}});
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_NE(std::get<Error>(r).cause.find("cannot run"), std::string::npos);
}

TEST_F(CommandStepTest, AMissingCommandIsReported) {
  StepResult r = Run(Json{{"Payload", 1}});
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_NE(std::get<Error>(r).cause.find("Command"), std::string::npos);
}

TEST_F(CommandStepTest, AChildThatIgnoresStdinDoesNotBreakTheStep) {
  Json big = Json::array();
  for (int i = 0; i < 100000; ++i) big.push_back(i);
  StepResult r = Run(Json{{"Command", {"echo", "{}"}}, {"Payload", big}});
  ASSERT_TRUE(std::holds_alternative<Json>(r));
}

TEST_F(CommandStepTest, CancellationKillsTheProcess) {
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancelled_ = true;
  });
  auto start = std::chrono::steady_clock::now();
  StepResult r = Run(Json{{"Command", {"sleep", "30"}}});
  canceller.join();
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_NE(std::get<Error>(r).cause.find("cancelled"), std::string::npos);
  // Not a timing assertion on speed: only that it did not run to its end.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(25));
}

}  // namespace
}  // namespace mlflowctl::steps
