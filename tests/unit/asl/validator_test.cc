// Definition-level validation through Parse(): top-level fields, state
// types and fields, transitions, reachability, names, paths and templates.
// Each rule has an invalid case (code and JSON pointer) and a valid one.
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
using testing::WithDone;

// ---- Top level -----------------------------------------------------------

TEST(ValidatorTest, MissingStartAtIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(R"({"States": {"A": {"Type": "Succeed"}}})", kSchema, ""));
}

TEST(ValidatorTest, StartAtNamingNoStateIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(R"({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}})",
                    "MISSING_TRANSITION_TARGET", "/StartAt"));
}

TEST(ValidatorTest, MissingOrEmptyStatesIsReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "A"})", kSchema, ""));
  EXPECT_TRUE(
      HasDiagnostic(R"({"StartAt": "A", "States": {}})", kSchema, "/States"));
  EXPECT_TRUE(
      HasDiagnostic(R"({"StartAt": "A", "States": []})", kSchema, "/States"));
}

TEST(ValidatorTest, UnknownTopLevelFieldIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      R"({"StartAt": "A", "Foo": 1, "States": {"A": {"Type": "Succeed"}}})",
      kSchema, "/Foo"));
}

TEST(ValidatorTest, TopLevelTimeoutMustBePositive) {
  EXPECT_TRUE(HasDiagnostic(
      R"({"StartAt": "A", "TimeoutSeconds": 0, "States": {"A": {"Type": "Succeed"}}})",
      kSchema, "/TimeoutSeconds"));
}

TEST(ValidatorTest, VersionMustBeOnePointZero) {
  EXPECT_TRUE(IsValid(
      R"({"StartAt": "A", "Version": "1.0", "States": {"A": {"Type": "Succeed"}}})"));
  EXPECT_TRUE(HasDiagnostic(
      R"({"StartAt": "A", "Version": "2.0", "States": {"A": {"Type": "Succeed"}}})",
      kSchema, "/Version"));
}

TEST(ValidatorTest, JsonataIsReportedAsUnsupported) {
  EXPECT_TRUE(HasDiagnostic(
      R"({"StartAt": "A", "QueryLanguage": "JSONata", "States": {"A": {"Type": "Succeed"}}})",
      "UNSUPPORTED_FEATURE", "/QueryLanguage"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "QueryLanguage": "JSONata", "End": true})"),
      "UNSUPPORTED_FEATURE", "/States/S/QueryLanguage"));
  EXPECT_TRUE(IsValid(
      R"({"StartAt": "A", "QueryLanguage": "JSONPath", "States": {"A": {"Type": "Succeed"}}})"));
}

TEST(ValidatorTest, StateNameLongerThanEightyIsReported) {
  std::string name(81, 'n');
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": ")" + name + R"(", "States": {")" +
                                name + R"(": {"Type": "Succeed"}}})",
                            "INVALID_STATE_NAME", "/States/" + name));
  std::string ok(80, 'n');
  EXPECT_TRUE(IsValid(R"({"StartAt": ")" + ok + R"(", "States": {")" + ok +
                      R"(": {"Type": "Succeed"}}})"));
}

TEST(ValidatorTest, StateNamesWithSlashAreEscapedInPointers) {
  EXPECT_TRUE(HasDiagnostic(
      R"({"StartAt": "a/b", "States": {"a/b": {"Type": "Pass"}}})", kSchema,
      "/States/a~1b"));
}

// ---- Types and fields ----------------------------------------------------

TEST(ValidatorTest, MissingTypeIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"End": true})"), kSchema, "/States/S"));
}

TEST(ValidatorTest, UnknownTypeIsReported) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Lambda", "End": true})"),
                            kSchema, "/States/S/Type"));
}

TEST(ValidatorTest, MisspelledTypeSuggestsTheRightCase) {
  ParseResult r = Parse(OneState(R"({"Type": "pass", "End": true})"));
  const Diagnostic* d =
      testing::FindDiagnostic(r, kSchema, "/States/S/Type");
  ASSERT_NE(d, nullptr) << testing::Describe(r);
  EXPECT_NE(d->message.find("did you mean \"Pass\""), std::string::npos)
      << d->message;
}

TEST(ValidatorTest, StateWithBadTypeDoesNotMakeItsNextUnreachable) {
  ParseResult r = Parse(R"({"StartAt": "A", "States": {
      "A": {"Type": "Bogus", "Next": "B"}, "B": {"Type": "Succeed"}}})");
  EXPECT_EQ(r.diagnostics.size(), 1u) << testing::Describe(r);
}

TEST(ValidatorTest, FieldsNotAllowedForTheTypeAreReported) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Resource": "x", "End": true})"), kSchema,
      "/States/S/Resource"));
  EXPECT_TRUE(
      HasDiagnostic(Task(R"(, "Result": 1)"), kSchema, "/States/S/Result"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Pass", "Retry": [], "End": true})"),
                    kSchema, "/States/S/Retry"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Wait", "Seconds": 1, "Catch": [], "End": true})"),
      kSchema, "/States/S/Catch"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Succeed", "ResultPath": "$.x"})"),
                    kSchema, "/States/S/ResultPath"));
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Fail", "InputPath": "$"})"),
                            kSchema, "/States/S/InputPath"));
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "Arguments": {})"), kSchema,
                            "/States/S/Arguments"));
}

TEST(ValidatorTest, MissingNextAndEndIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Pass"})"), kSchema, "/States/S"));
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Pass", "End": false})"),
                            kSchema, "/States/S/End"));
}

TEST(ValidatorTest, BothNextAndEndIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Pass", "Next": "Done", "End": true})"), kSchema,
      "/States/S/End"));
}

TEST(ValidatorTest, NextNamingUnknownStateIsReported) {
  EXPECT_TRUE(HasDiagnostic(WithDone(R"({"Type": "Pass", "Next": "Dne"})"),
                            "MISSING_TRANSITION_TARGET", "/States/S/Next"));
}

TEST(ValidatorTest, UnreachableStateIsReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "A", "States": {
      "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}})",
                            "MISSING_TRANSITION_TARGET", "/States/B"));
}

TEST(ValidatorTest, UnknownStartAtLeavesEveryStateUnreachable) {
  const char* text = R"({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}})";
  EXPECT_TRUE(HasDiagnostic(text, "MISSING_TRANSITION_TARGET", "/StartAt"));
  EXPECT_TRUE(HasDiagnostic(text, "MISSING_TRANSITION_TARGET", "/States/A"));
}

TEST(ValidatorTest, StatesReachedOnlyThroughCatchOrChoiceAreReachable) {
  EXPECT_TRUE(IsValid(R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "x", "Next": "C",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}]},
      "C": {"Type": "Choice", "Choices": [
              {"Variable": "$.a", "IsPresent": true, "Next": "Yes"}],
            "Default": "No"},
      "Yes": {"Type": "Succeed"}, "No": {"Type": "Succeed"},
      "Oops": {"Type": "Fail"}}})"));
}

TEST(ValidatorTest, MachineWithoutTerminalStateIsReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}})",
                            "MISSING_END_STATE", "/States"));
}

TEST(ValidatorTest, TerminalStatesCannotHaveNextOrEnd) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Succeed", "End": true})"),
                            kSchema, "/States/S/End"));
  EXPECT_TRUE(HasDiagnostic(WithDone(R"({"Type": "Fail", "Next": "Done"})"),
                            kSchema, "/States/S/Next"));
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Choice", "Choices": [{"Variable": "$.a",
          "IsNull": true, "Next": "Done"}], "End": true})"),
      kSchema, "/States/S/End"));
}

TEST(ValidatorTest, DuplicateStateNamesAcrossBranchesAreReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}]}}})",
                            "DUPLICATE_STATE_NAME",
                            "/States/P/Branches/0/States/P"));
}

TEST(ValidatorTest, DuplicateStateNamesAcrossMapProcessorsAreReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "Next": "X", "ItemProcessor":
        {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}},
      "X": {"Type": "Succeed"}}})",
                            "DUPLICATE_STATE_NAME", "/States/X"));
}

TEST(ValidatorTest, DuplicateKeysInStatesAreReported) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "A", "States": {
      "A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}})",
                            "DUPLICATE_STATE_NAME", "/States/A"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Pass", "End": true, "End": true})"),
                    kSchema, "/States/S/End"));
}

// ---- Paths and templates -------------------------------------------------

TEST(ValidatorTest, BadJsonPathsAreReported) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "InputPath": "$.a[", "End": true})"),
      kSchema, "/States/S/InputPath"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "OutputPath": "nope", "End": true})"),
      kSchema, "/States/S/OutputPath"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "InputPath": 3, "End": true})"), kSchema,
      "/States/S/InputPath"));
}

TEST(ValidatorTest, BadPathInTemplateKeyIsReportedAtTheKey) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Parameters": {"a": {"b.$": "$.x["}},
                  "End": true})"),
      kSchema, "/States/S/Parameters/a/b.$"));
}

TEST(ValidatorTest, BadIntrinsicInTemplateIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      Task(R"j(, "ResultSelector": {"v.$": "States.NoSuchFunction($.a)"})j"),
      kSchema, "/States/S/ResultSelector/v.$"));
  EXPECT_TRUE(IsValid(
      Task(R"j(, "Parameters": {"v.$": "States.Format('x{}', $.a)"})j")));
}

TEST(ValidatorTest, ResultPathMustBeASimpleReferencePath) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "ResultPath": "$.a[*]", "End": true})"),
      kSchema, "/States/S/ResultPath"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "ResultPath": "$$.a", "End": true})"),
      kSchema, "/States/S/ResultPath"));
  EXPECT_TRUE(IsValid(
      OneState(R"({"Type": "Pass", "ResultPath": "$.a.b", "End": true})")));
}

TEST(ValidatorTest, ParametersAndResultSelectorMustBeObjects) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Parameters": [1], "End": true})"), kSchema,
      "/States/S/Parameters"));
  EXPECT_TRUE(HasDiagnostic(Task(R"(, "ResultSelector": "x")"), kSchema,
                            "/States/S/ResultSelector"));
}

TEST(ValidatorTest, AssignWithInvalidOrReservedNamesIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Assign": {"states": 1}, "End": true})"),
      kSchema, "/States/S/Assign/states"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Assign": {"1x": 1}, "End": true})"),
      kSchema, "/States/S/Assign/1x"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Pass", "Assign": {"a-b.$": "$.x"}, "End": true})"),
      kSchema, "/States/S/Assign/a-b.$"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Pass", "Assign": 1, "End": true})"),
                    kSchema, "/States/S/Assign"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Succeed", "Assign": {"a": 1}})"),
                    kSchema, "/States/S/Assign"));
}

}  // namespace
}  // namespace mlflowctl::asl
