// Validation of Choice states and rules through Parse().
#include "engine/asl/parser.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

using testing::Choice;
using testing::HasDiagnostic;
using testing::IsValid;
using testing::kSchema;
using testing::WithDone;

// ---- Choice --------------------------------------------------------------

TEST(ChoiceParserTest, ChoiceWithoutChoicesIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(WithDone(R"({"Type": "Choice", "Default": "Done"})"),
                    kSchema, "/States/S"));
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Choice", "Choices": [], "Default": "Done"})"),
      kSchema, "/States/S/Choices"));
}

TEST(ChoiceParserTest, TopLevelRuleWithoutNextIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Choice", "Default": "Done", "Choices": [
          {"Variable": "$.a", "IsNull": true}]})"),
      kSchema, "/States/S/Choices/0"));
}

TEST(ChoiceParserTest, NextInsideNestedRuleIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("Not": {"Variable": "$.a", "IsNull": true, "Next": "Done"})"),
      kSchema, "/States/S/Choices/0/Not/Next"));
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("And": [{"Variable": "$.a", "IsNull": true, "Next": "Done"}])"),
      kSchema, "/States/S/Choices/0/And/0/Next"));
}

TEST(ChoiceParserTest, RuleWithZeroOrTwoOperatorsIsReported) {
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a")"), kSchema,
                            "/States/S/Choices/0"));
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("Variable": "$.a", "IsNull": true, "IsString": true)"), kSchema,
      "/States/S/Choices/0"));
}

TEST(ChoiceParserTest, UnknownOperatorIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("Variable": "$.a", "StringContains": "x", "IsNull": true)"),
      kSchema, "/States/S/Choices/0/StringContains"));
}

TEST(ChoiceParserTest, OperandTypesAreChecked) {
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a", "StringEquals": 1)"),
                            kSchema, "/States/S/Choices/0/StringEquals"));
  EXPECT_TRUE(
      HasDiagnostic(Choice(R"("Variable": "$.a", "NumericEquals": "1")"),
                    kSchema, "/States/S/Choices/0/NumericEquals"));
  EXPECT_TRUE(
      HasDiagnostic(Choice(R"("Variable": "$.a", "BooleanEquals": "true")"),
                    kSchema, "/States/S/Choices/0/BooleanEquals"));
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("Variable": "$.a", "TimestampEquals": "yesterday")"), kSchema,
      "/States/S/Choices/0/TimestampEquals"));
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a", "IsPresent": 1)"),
                            kSchema, "/States/S/Choices/0/IsPresent"));
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a", "StringMatches": 5)"),
                            kSchema, "/States/S/Choices/0/StringMatches"));
  EXPECT_TRUE(IsValid(Choice(
      R"("Variable": "$.a", "TimestampLessThan": "2016-03-14T01:59:00Z")")));
}

TEST(ChoiceParserTest, PathOperatorsNeedReferencePaths) {
  EXPECT_TRUE(
      IsValid(Choice(R"("Variable": "$.a", "NumericEqualsPath": "$.b")")));
  EXPECT_TRUE(HasDiagnostic(
      Choice(R"("Variable": "$.a", "NumericEqualsPath": "$.b[*]")"), kSchema,
      "/States/S/Choices/0/NumericEqualsPath"));
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a", "IsNullPath": "$.b")"),
                            kSchema, "/States/S/Choices/0/IsNullPath"));
}

TEST(ChoiceParserTest, ComparisonNeedsAValidVariable) {
  EXPECT_TRUE(HasDiagnostic(Choice(R"("IsNull": true)"), kSchema,
                            "/States/S/Choices/0"));
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Variable": "$.a[", "IsNull": true)"),
                            kSchema, "/States/S/Choices/0/Variable"));
}

TEST(ChoiceParserTest, BooleanCombinatorsNeedRules) {
  EXPECT_TRUE(HasDiagnostic(Choice(R"("And": [])"), kSchema,
                            "/States/S/Choices/0/And"));
  EXPECT_TRUE(HasDiagnostic(Choice(R"("Not": [])"), kSchema,
                            "/States/S/Choices/0/Not"));
  EXPECT_TRUE(HasDiagnostic(
      Choice(
          R"("Variable": "$.a", "Or": [{"Variable": "$.a", "IsNull": true}])"),
      kSchema, "/States/S/Choices/0/Variable"));
}

TEST(ChoiceParserTest, ChoiceDefaultMustNameAState) {
  EXPECT_TRUE(HasDiagnostic(
      WithDone(R"({"Type": "Choice", "Default": "Nope", "Choices": [
          {"Variable": "$.a", "IsNull": true, "Next": "Done"}]})"),
      "MISSING_TRANSITION_TARGET", "/States/S/Default"));
}

TEST(ChoiceParserTest, DeeplyNestedRulesAreReportedNotOverflowed) {
  std::string rule = R"({"Variable": "$.a", "IsNull": true})";
  // Deeper than the parser's rule limit (100), within the JSON reader's
  // nesting limit (512), which reports deeper input as INVALID_JSON.
  for (int i = 0; i < 200; ++i) rule = R"({"Not": )" + rule + "}";
  ParseResult r = Parse(WithDone(R"({"Type": "Choice", "Choices": [)" +
                                 rule.substr(0, rule.size() - 1) +
                                 R"(, "Next": "Done"}]})"));
  ASSERT_FALSE(r.ok());
  bool too_deep = false;
  for (const Diagnostic& d : r.diagnostics) {
    too_deep = too_deep || d.code == "TOO_DEEPLY_NESTED";
  }
  EXPECT_TRUE(too_deep) << testing::Describe(r);
}

}  // namespace
}  // namespace mlflowctl::asl
