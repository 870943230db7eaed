#include "engine/asl/parser.h"

#include <gtest/gtest.h>

#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

using testing::HasDiagnostic;
using testing::IsValid;

constexpr char kTraining[] = R"({
  "Comment": "train and gate",
  "StartAt": "Preprocess",
  "TimeoutSeconds": 3600,
  "States": {
    "Preprocess": {
      "Type": "Task",
      "Resource": "mlflowctl:preprocess",
      "Parameters": {"input.$": "$.data", "seed": 7},
      "ResultSelector": {"train.$": "$.train"},
      "ResultPath": "$.prep",
      "TimeoutSeconds": 60,
      "HeartbeatSeconds": 10,
      "Retry": [
        {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2,
         "MaxAttempts": 5, "BackoffRate": 1.5, "MaxDelaySeconds": 30,
         "JitterStrategy": "FULL"},
        {"ErrorEquals": ["States.ALL"]}
      ],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed",
                 "ResultPath": "$.error"}],
      "Next": "Train"
    },
    "Train": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "Xgb", "States": {"Xgb": {"Type": "Task",
          "Resource": "mlflowctl:train", "End": true}}},
        {"StartAt": "Linear", "States": {"Linear": {"Type": "Pass",
          "Result": {"rmse": 1.5}, "End": true}}}
      ],
      "Next": "Gate"
    },
    "Gate": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$[0].rmse", "NumericGreaterThan": 2, "Next": "Failed"},
        {"And": [{"Variable": "$[1].rmse", "IsPresent": true},
                 {"Not": {"Variable": "$[1].rmse", "NumericEquals": 0}}],
         "Next": "PerItem"}
      ],
      "Default": "Wait"
    },
    "Wait": {"Type": "Wait", "Seconds": 5, "Next": "PerItem"},
    "PerItem": {
      "Type": "Map",
      "ItemsPath": "$",
      "MaxConcurrency": 2,
      "ItemSelector": {"item.$": "$$.Map.Item.Value"},
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Each",
        "States": {"Each": {"Type": "Pass", "End": true}}
      },
      "ToleratedFailurePercentage": 10,
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Mlflow.Failed", "CausePath": "$.error.Cause"}
  }
})";

TEST(ParserTest, ParsesAWholeMachineWithResolvedTransitions) {
  ParseResult r = Parse(kTraining);
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  const StateMachine& m = *r.machine;
  EXPECT_EQ(m.start_at_name(), "Preprocess");
  EXPECT_EQ(m.start_at(), m.Find("Preprocess"));
  EXPECT_EQ(m.timeout_seconds(), 3600);
  EXPECT_EQ(m.comment(), "train and gate");
  ASSERT_EQ(m.states().size(), 7u);
  EXPECT_EQ(m.Find("Nope"), kNoState);

  const State& pre = m.state(m.Find("Preprocess"));
  EXPECT_EQ(pre.type, StateType::kTask);
  EXPECT_EQ(pre.pointer, "/States/Preprocess");
  EXPECT_EQ(pre.resource, "mlflowctl:preprocess");
  EXPECT_EQ(pre.next, m.Find("Train"));
  EXPECT_TRUE(pre.parameters.has_value());
  EXPECT_TRUE(pre.result_selector.has_value());
  EXPECT_EQ(pre.result_path.kind, path::OptionalPath::Kind::kPath);
  EXPECT_EQ(pre.timeout_seconds.value, 60);
  EXPECT_EQ(pre.heartbeat_seconds.value, 10);
  ASSERT_EQ(pre.retry.size(), 2u);
  EXPECT_EQ(pre.retry[0].interval_seconds, 2);
  EXPECT_EQ(pre.retry[0].max_attempts, 5);
  EXPECT_EQ(pre.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(pre.retry[0].max_delay_seconds, 30);
  EXPECT_TRUE(pre.retry[0].jitter_full);
  // Spec defaults.
  EXPECT_EQ(pre.retry[1].interval_seconds, 1);
  EXPECT_EQ(pre.retry[1].max_attempts, 3);
  EXPECT_EQ(pre.retry[1].backoff_rate, 2.0);
  EXPECT_FALSE(pre.retry[1].max_delay_seconds.has_value());
  EXPECT_FALSE(pre.retry[1].jitter_full);
  ASSERT_EQ(pre.catch_.size(), 1u);
  EXPECT_EQ(pre.catch_[0].next, m.Find("Failed"));
  EXPECT_EQ(pre.catch_[0].next_name, "Failed");

  const State& train = m.state(m.Find("Train"));
  ASSERT_EQ(train.branches.size(), 2u);
  EXPECT_EQ(train.branches[0]->start_at_name(), "Xgb");
  EXPECT_EQ(train.branches[0]->state(0).pointer,
            "/States/Train/Branches/0/States/Xgb");
  EXPECT_TRUE(train.branches[0]->state(0).end);
  EXPECT_EQ(train.branches[1]->state(0).result, Json::parse(R"({"rmse":1.5})"));

  const State& gate = m.state(m.Find("Gate"));
  ASSERT_EQ(gate.choices.size(), 2u);
  EXPECT_EQ(gate.choices[0].op, ChoiceOp::kNumericGreaterThan);
  EXPECT_EQ(gate.choices[0].next, m.Find("Failed"));
  EXPECT_EQ(gate.choices[0].pointer, "/States/Gate/Choices/0");
  EXPECT_EQ(gate.choices[1].op, ChoiceOp::kAnd);
  EXPECT_EQ(gate.choices[1].children.size(), 2u);
  EXPECT_EQ(gate.choices[1].children[1].op, ChoiceOp::kNot);
  EXPECT_EQ(gate.default_next, m.Find("Wait"));

  EXPECT_EQ(m.state(m.Find("Wait")).wait_seconds, 5);

  const State& map = m.state(m.Find("PerItem"));
  ASSERT_NE(map.item_processor, nullptr);
  EXPECT_EQ(map.item_processor->start_at_name(), "Each");
  EXPECT_EQ(map.max_concurrency.value, 2);
  EXPECT_EQ(map.tolerated_failure_percentage.value, 10);
  EXPECT_TRUE(map.parameters.has_value());
  EXPECT_TRUE(map.items_path.has_value());
  EXPECT_EQ(map.item_processor_mode, "INLINE");

  const State& failed = m.state(m.Find("Failed"));
  EXPECT_EQ(failed.error, "Mlflow.Failed");
  ASSERT_TRUE(failed.cause_path.has_value());
  EXPECT_EQ(failed.cause_path->text(), "$.error.Cause");
  EXPECT_EQ(m.start_at_name(), "Preprocess");
}

TEST(ParserTest, LegacyIteratorAndParametersMapToItemProcessor) {
  ParseResult r = Parse(testing::OneState(R"({"Type": "Map",
      "Parameters": {"x.$": "$$.Map.Item.Value"},
      "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
      "End": true})"));
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  const State& s = r.machine->state(0);
  ASSERT_NE(s.item_processor, nullptr);
  EXPECT_EQ(s.item_processor->state(0).pointer, "/States/S/Iterator/States/I");
  EXPECT_TRUE(s.parameters.has_value());
}

TEST(ParserTest, NullPathsAreKeptAsNull) {
  ParseResult r = Parse(testing::OneState(
      R"({"Type": "Pass", "InputPath": null, "ResultPath": null,
          "OutputPath": null, "End": true})"));
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  const State& s = r.machine->state(0);
  EXPECT_EQ(s.input_path.kind, path::OptionalPath::Kind::kNull);
  EXPECT_EQ(s.result_path.kind, path::OptionalPath::Kind::kNull);
  EXPECT_EQ(s.output_path.kind, path::OptionalPath::Kind::kNull);
}

TEST(ParserTest, AbsentPathsAreDefault) {
  ParseResult r = Parse(testing::OneState(R"({"Type": "Pass", "End": true})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.machine->state(0).input_path.kind,
            path::OptionalPath::Kind::kDefault);
}

TEST(ParserTest, WaitTimestampAndPathsAreRead) {
  ParseResult r = Parse(R"({"StartAt": "A", "States": {
      "A": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "B"},
      "B": {"Type": "Wait", "SecondsPath": "$.s", "Next": "C"},
      "C": {"Type": "Wait", "TimestampPath": "$.t", "End": true}}})");
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  EXPECT_EQ(r.machine->state(0).wait_timestamp, "2016-03-14T01:59:00Z");
  EXPECT_TRUE(r.machine->state(1).wait_seconds_path.has_value());
  EXPECT_TRUE(r.machine->state(2).wait_timestamp_path.has_value());
}

TEST(ParserTest, AssignAndVariablesAreCompiled) {
  ParseResult r = Parse(testing::WithDone(R"({"Type": "Pass",
      "Assign": {"count": 1, "name.$": "$.name", "_x1": [1]},
      "Next": "Done"})"));
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  EXPECT_TRUE(r.machine->state(r.machine->Find("S")).assign.has_value());
}

TEST(ParserTest, TaskTimeoutPathsAreRead) {
  ParseResult r = Parse(testing::OneState(R"({"Type": "Task",
      "Resource": "mlflowctl:x", "TimeoutSecondsPath": "$.t",
      "HeartbeatSecondsPath": "$.h", "End": true})"));
  ASSERT_TRUE(r.ok()) << testing::Describe(r);
  EXPECT_TRUE(r.machine->state(0).timeout_seconds.path.has_value());
  EXPECT_FALSE(r.machine->state(0).timeout_seconds.value.has_value());
  EXPECT_TRUE(r.machine->state(0).heartbeat_seconds.present());
}

TEST(ParserTest, MalformedJsonGivesOneDiagnosticWithPosition) {
  ParseResult r = Parse("{\n  \"StartAt\": \"A\",\n  \"States\": {,}\n}");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.code, "INVALID_JSON_DESCRIPTION");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 14);
  EXPECT_NE(d.message.find("malformed JSON"), std::string::npos) << d.message;
}

TEST(ParserTest, EmptyTextIsMissingDescription) {
  ParseResult r = Parse("  \n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "MISSING_DESCRIPTION");
}

TEST(ParserTest, NonObjectRootIsASchemaError) {
  EXPECT_TRUE(HasDiagnostic("[1]", "SCHEMA_VALIDATION_FAILED", ""));
}

TEST(ParserTest, DiagnosticsCarryLineAndColumnOfTheField) {
  ParseResult r = Parse(
      "{\n"
      "  \"StartAt\": \"A\",\n"
      "  \"States\": {\n"
      "    \"A\": {\"Type\": \"Pass\",\n"
      "          \"Next\": \"Nowhere\"}\n"
      "  }\n"
      "}\n");
  const Diagnostic* d =
      testing::FindDiagnostic(r, "MISSING_TRANSITION_TARGET", "/States/A/Next");
  ASSERT_NE(d, nullptr) << testing::Describe(r);
  EXPECT_EQ(d->line, 5);
  EXPECT_EQ(d->column, 11);
  EXPECT_EQ(
      d->ToString("m.json"),
      "m.json:5:11: /States/A/Next: MISSING_TRANSITION_TARGET: " + d->message);
}

TEST(ParserTest, MissingFieldPointsAtItsObject) {
  ParseResult r = Parse(
      "{\"StartAt\": \"A\",\n \"States\": {\n  \"A\": {\"Type\": \"Pass\"}}}");
  const Diagnostic* d =
      testing::FindDiagnostic(r, "SCHEMA_VALIDATION_FAILED", "/States/A");
  ASSERT_NE(d, nullptr) << testing::Describe(r);
  EXPECT_EQ(d->line, 3);
  EXPECT_EQ(d->column, 3);
}

TEST(ParserTest, DiagnosticsAreInTextOrder) {
  ParseResult r = Parse(
      "{\"StartAt\": \"Z\", \"States\": {\n"
      "  \"Z\": {\"Type\": \"Pass\", \"Next\": \"Nope1\"},\n"
      "  \"A\": {\"Type\": \"Pass\", \"Next\": \"Nope2\"}}}");
  ASSERT_GE(r.diagnostics.size(), 2u);
  for (size_t i = 1; i < r.diagnostics.size(); ++i) {
    EXPECT_LE(r.diagnostics[i - 1].line, r.diagnostics[i].line);
  }
  size_t z = 0, a = 0;
  for (size_t i = 0; i < r.diagnostics.size(); ++i) {
    if (r.diagnostics[i].pointer == "/States/Z/Next") z = i;
    if (r.diagnostics[i].pointer == "/States/A/Next") a = i;
  }
  EXPECT_LT(z, a) << testing::Describe(r);
}

TEST(ParserTest, DiagnosticToStringWithoutSourceOrPosition) {
  Diagnostic d{"X", "bad", "", 0, 0};
  EXPECT_EQ(d.ToString(""), "X: bad");
}

TEST(ParserTest, ReportsEveryProblemNotJustTheFirst) {
  ParseResult r = Parse(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Resource": "x", "Next": "Nope"},
      "B": {"Type": "Bogus"}}})");
  EXPECT_TRUE(testing::FindDiagnostic(r, "SCHEMA_VALIDATION_FAILED",
                                      "/States/A/Resource"));
  EXPECT_TRUE(testing::FindDiagnostic(r, "MISSING_TRANSITION_TARGET",
                                      "/States/A/Next"));
  EXPECT_TRUE(
      testing::FindDiagnostic(r, "SCHEMA_VALIDATION_FAILED", "/States/B/Type"));
  EXPECT_TRUE(testing::FindDiagnostic(r, "MISSING_END_STATE", "/States"));
}

TEST(ParserTest, AcceptsAllStateTypesMinimal) {
  EXPECT_TRUE(IsValid(R"({"StartAt": "P", "States": {
      "P": {"Type": "Pass", "Next": "C"},
      "C": {"Type": "Choice", "Choices": [
              {"Variable": "$.x", "BooleanEquals": true, "Next": "F"}],
            "Default": "W"},
      "W": {"Type": "Wait", "Seconds": 0, "Next": "T"},
      "T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "S"},
      "S": {"Type": "Succeed"},
      "F": {"Type": "Fail"}}})"));
}

}  // namespace
}  // namespace mlflowctl::asl
