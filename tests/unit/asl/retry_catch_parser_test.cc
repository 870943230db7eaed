// Validation of Retry and Catch through Parse().
#include "engine/asl/parser.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

using testing::HasDiagnostic;
using testing::IsValid;
using testing::kSchema;
using testing::Task;
using testing::WithDone;

// ---- Retry and Catch -----------------------------------------------------

TEST(RetryCatchParserTest, RetrierRangesAreChecked) {
  auto retry = [](const std::string& fields) {
    return Task(R"(, "Retry": [{"ErrorEquals": ["States.ALL"])" + fields +
                "}]");
  };
  EXPECT_TRUE(IsValid(retry(R"(, "MaxAttempts": 0, "BackoffRate": 1.0,
      "IntervalSeconds": 1, "MaxDelaySeconds": 1, "JitterStrategy": "NONE")")));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "MaxAttempts": -1)"), kSchema,
                            "/States/S/Retry/0/MaxAttempts"));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "BackoffRate": 0.5)"), kSchema,
                            "/States/S/Retry/0/BackoffRate"));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "IntervalSeconds": 0)"), kSchema,
                            "/States/S/Retry/0/IntervalSeconds"));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "MaxDelaySeconds": 0)"), kSchema,
                            "/States/S/Retry/0/MaxDelaySeconds"));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "JitterStrategy": "HALF")"), kSchema,
                            "/States/S/Retry/0/JitterStrategy"));
  EXPECT_TRUE(HasDiagnostic(retry(R"(, "Next": "S")"), kSchema,
                            "/States/S/Retry/0/Next"));
}

TEST(RetryCatchParserTest, RetrierNeedsErrorEquals) {
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "Retry": [{"MaxAttempts": 1}])"), kSchema,
                            "/States/S/Retry/0"));
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "Retry": [{"ErrorEquals": []}])"),
                            kSchema, "/States/S/Retry/0/ErrorEquals"));
  EXPECT_TRUE(
      HasDiagnostic(Task(R"(, "Retry": {})"), kSchema, "/States/S/Retry"));
}

TEST(RetryCatchParserTest, StatesAllMustBeAloneAndLast) {
  EXPECT_TRUE(HasDiagnostic(
      Task(R"(, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}])"), kSchema,
      "/States/S/Retry/0/ErrorEquals"));
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "Retry": [{"ErrorEquals": ["States.ALL"]},
                          {"ErrorEquals": ["X"]}])"),
                            kSchema, "/States/S/Retry/0"));
  EXPECT_TRUE(HasDiagnostic(WithDone(R"({"Type": "Task", "Resource": "x",
      "End": true, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"},
                             {"ErrorEquals": ["X"], "Next": "Done"}]})"),
                            kSchema, "/States/S/Catch/0"));
}

TEST(RetryCatchParserTest, UnknownStatesErrorNamesAreReported) {
  EXPECT_TRUE(
      HasDiagnostic(Task(R"(, "Retry": [{"ErrorEquals": ["States.Timout"]}])"),
                    kSchema, "/States/S/Retry/0/ErrorEquals/0"));
  EXPECT_TRUE(IsValid(Task(
      R"(, "Retry": [{"ErrorEquals": ["States.Timeout", "States.TaskFailed", "Custom.Error"]}])")));
}

TEST(RetryCatchParserTest, CatcherNeedsAKnownNext) {
  EXPECT_TRUE(
      HasDiagnostic(Task(R"(, "Catch": [{"ErrorEquals": ["States.ALL"]}])"),
                    kSchema, "/States/S/Catch/0"));
  EXPECT_TRUE(HasDiagnostic(
      Task(R"(, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope"}])"),
      "MISSING_TRANSITION_TARGET", "/States/S/Catch/0/Next"));
}

TEST(RetryCatchParserTest, CatcherResultPathAndAssignAreChecked) {
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Task", "Resource": "x", "End": true, "Catch": [
          {"ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$[0]"}]})"),
      kSchema, "/States/S/Catch/0/ResultPath"));
  EXPECT_TRUE(IsValid(
      WithDone(R"({"Type": "Task", "Resource": "x", "End": true, "Catch": [
          {"ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$.e",
           "Assign": {"err.$": "$.Error"}}]})")));
}

}  // namespace
}  // namespace mlflowctl::asl
