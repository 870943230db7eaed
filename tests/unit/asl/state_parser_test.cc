// Validation of Task, Wait and Fail fields through Parse().
#include "engine/asl/parser.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

using testing::HasDiagnostic;
using testing::IsValid;
using testing::kSchema;
using testing::OneState;
using testing::Task;

// ---- Task ----------------------------------------------------------------

TEST(StateParserTest, TaskWithoutResourceIsReported) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Task", "End": true})"),
                            kSchema, "/States/S"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Task", "Resource": "", "End": true})"),
      "INVALID_RESOURCE", "/States/S/Resource"));
}

TEST(StateParserTest, TimeoutSecondsWithTimeoutSecondsPathIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      Task(R"(, "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t")"), kSchema,
      "/States/S/TimeoutSecondsPath"));
}

TEST(StateParserTest, NonPositiveTimeoutSecondsIsReported) {
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "TimeoutSeconds": 0)"), kSchema,
                            "/States/S/TimeoutSeconds"));
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "TimeoutSeconds": 1.5)"), kSchema,
                            "/States/S/TimeoutSeconds"));
}

TEST(StateParserTest, HeartbeatNotBelowTimeoutIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(Task(R"(, "TimeoutSeconds": 5, "HeartbeatSeconds": 5)"),
                    kSchema, "/States/S/HeartbeatSeconds"));
  EXPECT_TRUE(IsValid(Task(R"(, "TimeoutSeconds": 5, "HeartbeatSeconds": 4)")));
}

TEST(StateParserTest, TimeoutPathMustBeAReferencePath) {
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "TimeoutSecondsPath": "$..t")"), kSchema,
                            "/States/S/TimeoutSecondsPath"));
}

// ---- Wait, Fail ----------------------------------------------------------

TEST(StateParserTest, WaitNeedsExactlyOneDuration) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Wait", "End": true})"),
                            kSchema, "/States/S"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(
          R"({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})"),
      kSchema, "/States/S"));
}

TEST(StateParserTest, WaitValuesAreChecked) {
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Wait", "Seconds": -1, "End": true})"),
                    kSchema, "/States/S/Seconds"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Wait", "Timestamp": "2016-03-14", "End": true})"),
      kSchema, "/States/S/Timestamp"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(
          R"({"Type": "Wait", "TimestampPath": "$.a[?(@.x)]", "End": true})"),
      kSchema, "/States/S/TimestampPath"));
}

TEST(StateParserTest, FailWithBothErrorAndErrorPathIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})"),
      kSchema, "/States/S/ErrorPath"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Fail", "Cause": "C", "CausePath": "$.c"})"),
      kSchema, "/States/S/CausePath"));
  EXPECT_TRUE(IsValid(OneState(
      R"j({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('x {}', $.c)"})j")));
}

TEST(StateParserTest, FailPathsMustParse) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"j({"Type": "Fail", "ErrorPath": "States.Nope()"})j"), kSchema,
      "/States/S/ErrorPath"));
}

}  // namespace
}  // namespace mlflowctl::asl
