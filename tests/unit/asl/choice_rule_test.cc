#include "engine/asl/choice_rule.h"

#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "engine/asl/parser.h"
#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

// Compiles one top-level rule (fields without Next) through Parse().
ChoiceRule Compile(const std::string& rule) {
  ParseResult r = Parse(testing::WithDone(
      R"({"Type": "Choice", "Choices": [{)" + rule + R"(, "Next": "Done"}]})"));
  EXPECT_TRUE(r.ok()) << rule << "\n" << testing::Describe(r);
  if (!r.ok()) return ChoiceRule{};
  return r.machine->state(r.machine->Find("S")).choices.at(0);
}

// Evaluates a rule against `input` (JSON text); "error" on States.Runtime.
std::string Eval(const std::string& rule, const std::string& input) {
  ChoiceRule compiled = Compile(rule);
  Json data = Json::parse(input);
  Json context = Json::object();
  Json vars = Json::parse(R"({"limit": 10})");
  path::Scope scope{&data, &context, &vars};
  std::variant<bool, Error> out = compiled.Evaluate(scope);
  if (std::holds_alternative<Error>(out)) return "error";
  return std::get<bool>(out) ? "true" : "false";
}

TEST(ChoiceRuleTest, StringComparisons) {
  EXPECT_EQ(
      Eval(R"("Variable": "$.s", "StringEquals": "abc")", R"({"s":"abc"})"),
      "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.s", "StringEquals": "abc")", R"({"s":"abd"})"),
      "false");
  EXPECT_EQ(Eval(R"("Variable": "$.s", "StringLessThan": "b")", R"({"s":"a"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.s", "StringLessThan": "a")", R"({"s":"a"})"),
            "false");
  EXPECT_EQ(
      Eval(R"("Variable": "$.s", "StringGreaterThan": "a")", R"({"s":"b"})"),
      "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.s", "StringLessThanEquals": "a")", R"({"s":"a"})"),
      "true");
  EXPECT_EQ(Eval(R"("Variable": "$.s", "StringGreaterThanEquals": "b")",
                 R"({"s":"a"})"),
            "false");
  // Another type is simply not equal.
  EXPECT_EQ(Eval(R"("Variable": "$.s", "StringEquals": "1")", R"({"s":1})"),
            "false");
}

TEST(ChoiceRuleTest, StringMatchesFollowsTheDocsExamples) {
  const std::string log = R"("Variable": "$.f", "StringMatches": "log-*.txt")";
  EXPECT_EQ(Eval(log, R"({"f":"log-2020.txt"})"), "true");
  EXPECT_EQ(Eval(log, R"({"f":"log-.txt"})"), "true");
  EXPECT_EQ(Eval(log, R"({"f":"log-2020.txt.bak"})"), "false");
  EXPECT_EQ(Eval(log, R"({"f":"mylog-1.txt"})"), "false");
  const std::string any = R"("Variable": "$.f", "StringMatches": "*")";
  EXPECT_EQ(Eval(any, R"({"f":""})"), "true");
  const std::string mid = R"("Variable": "$.f", "StringMatches": "a*b*c")";
  EXPECT_EQ(Eval(mid, R"({"f":"abc"})"), "true");
  EXPECT_EQ(Eval(mid, R"({"f":"aXXbYYc"})"), "true");
  EXPECT_EQ(Eval(mid, R"({"f":"aXXbYYcd"})"), "false");
  EXPECT_EQ(Eval(mid, R"({"f":"acb"})"), "false");
  EXPECT_EQ(Eval(R"("Variable": "$.f", "StringMatches": "*.log")",
                 R"({"f":"x.log"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.f", "StringMatches": "test*")",
                 R"({"f":"testing"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.f", "StringMatches": "test*")",
                 R"({"f":"atest"})"),
            "false");
}

TEST(ChoiceRuleTest, StringMatchesHonoursEscapes) {
  // JSON "\\*" is the pattern \* : a literal star.
  const std::string star = R"("Variable": "$.f", "StringMatches": "a\\*b")";
  EXPECT_EQ(Eval(star, R"({"f":"a*b"})"), "true");
  EXPECT_EQ(Eval(star, R"({"f":"axb"})"), "false");
  // JSON "\\\\" is the pattern \\ : a literal backslash.
  const std::string slash = R"("Variable": "$.f", "StringMatches": "a\\\\*")";
  EXPECT_EQ(Eval(slash, R"({"f":"a\\xyz"})"), "true");
  EXPECT_EQ(Eval(slash, R"({"f":"axyz"})"), "false");
  EXPECT_EQ(Eval(star, R"({"f":5})"), "false");
}

TEST(ChoiceRuleTest, NumericComparisonsMixIntegersAndFloats) {
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericEquals": 1)", R"({"n":1.0})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericEquals": 1.5)", R"({"n":1.5})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericLessThan": 2)", R"({"n":1.99})"),
            "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.n", "NumericGreaterThan": -1)", R"({"n":0})"),
      "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.n", "NumericLessThanEquals": 3)", R"({"n":3})"),
      "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.n", "NumericGreaterThanEquals": 3)", R"({"n":2})"),
      "false");
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericGreaterThan": 1)",
                 R"({"n":18446744073709551615})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericLessThan": 0)",
                 R"({"n":18446744073709551615})"),
            "false");
  EXPECT_EQ(Eval(R"("Variable": "$.n", "NumericEquals": 1)", R"({"n":"1"})"),
            "false");
}

TEST(ChoiceRuleTest, BooleanEquals) {
  EXPECT_EQ(
      Eval(R"("Variable": "$.b", "BooleanEquals": true)", R"({"b":true})"),
      "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.b", "BooleanEquals": false)", R"({"b":true})"),
      "false");
  EXPECT_EQ(Eval(R"("Variable": "$.b", "BooleanEquals": true)", R"({"b":1})"),
            "false");
}

TEST(ChoiceRuleTest, TimestampComparisonsParseRfc3339) {
  const std::string t =
      R"("Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z")";
  EXPECT_EQ(Eval(t, R"({"t":"2016-03-14T01:59:00Z"})"), "true");
  EXPECT_EQ(Eval(t, R"({"t":"2016-03-14T02:59:00+01:00"})"), "true");
  EXPECT_EQ(Eval(t, R"({"t":"2016-03-14T01:59:00.000Z"})"), "true");
  EXPECT_EQ(Eval(t, R"({"t":"not a time"})"), "false");
  EXPECT_EQ(Eval(t, R"({"t":12})"), "false");
  const std::string lt =
      R"("Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z")";
  EXPECT_EQ(Eval(lt, R"({"t":"2016-03-14T01:58:59.999Z"})"), "true");
  EXPECT_EQ(Eval(lt, R"({"t":"2016-03-14T01:59:00Z"})"), "false");
  EXPECT_EQ(
      Eval(
          R"("Variable": "$.t", "TimestampGreaterThan": "2016-03-14T01:59:00Z")",
          R"({"t":"2017-01-01T00:00:00Z"})"),
      "true");
  EXPECT_EQ(
      Eval(
          R"("Variable": "$.t", "TimestampLessThanEquals": "2016-03-14T01:59:00Z")",
          R"({"t":"2016-03-14T01:59:00Z"})"),
      "true");
  EXPECT_EQ(
      Eval(
          R"("Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:00Z")",
          R"({"t":"2016-03-14T01:58:00Z"})"),
      "false");
}

TEST(ChoiceRuleTest, TypeTests) {
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsNull": true)", R"({"v":null})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsNull": false)", R"({"v":null})"),
            "false");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsNumeric": true)", R"({"v":1.5})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsNumeric": true)", R"({"v":"1"})"),
            "false");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsString": true)", R"({"v":"x"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsBoolean": false)", R"({"v":"x"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsTimestamp": true)",
                 R"({"v":"2016-03-14T01:59:00Z"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsTimestamp": true)",
                 R"({"v":"2016-03-14"})"),
            "false");
}

TEST(ChoiceRuleTest, IsPresentIsFalseOnMissingInsteadOfAnError) {
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsPresent": true)", R"({})"), "false");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsPresent": false)", R"({})"), "true");
  EXPECT_EQ(Eval(R"("Variable": "$.v", "IsPresent": true)", R"({"v":null})"),
            "true");
}

TEST(ChoiceRuleTest, MissingVariableIsAStatesRuntimeError) {
  ChoiceRule rule = Compile(R"("Variable": "$.x", "NumericEquals": 1)");
  Json data = Json::object();
  path::Scope scope{&data, nullptr, nullptr};
  std::variant<bool, Error> out = rule.Evaluate(scope);
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(std::get<Error>(out).name, "States.Runtime");
  EXPECT_EQ(std::get<Error>(out).cause,
            "Invalid path '$.x': The choice state's condition path references "
            "an invalid value.");
  EXPECT_EQ(Eval(R"("Variable": "$.x", "IsNull": true)", R"({})"), "error");
}

TEST(ChoiceRuleTest, MatchesOverTheLimitAreADataLimitErrorEvenForIsPresent) {
  Json data = Json::parse(R"({"a":[1,2,3],"b":[4,5,6]})");  // "$.*": 17 bytes
  for (const char* rule : {R"("Variable": "$.*", "IsPresent": true)",
                           R"("Variable": "$.*", "IsNull": false)"}) {
    ChoiceRule compiled = Compile(rule);
    path::Scope scope{&data, nullptr, nullptr, 16};
    std::variant<bool, Error> out = compiled.Evaluate(scope);
    ASSERT_TRUE(std::holds_alternative<Error>(out)) << rule;
    EXPECT_EQ(std::get<Error>(out).name, "States.DataLimitExceeded") << rule;
    scope.max_match_bytes = 17;
    EXPECT_TRUE(std::holds_alternative<bool>(compiled.Evaluate(scope))) << rule;
  }
}

TEST(ChoiceRuleTest, PathOperatorsReadTheOperandFromAPath) {
  EXPECT_EQ(Eval(R"("Variable": "$.a", "NumericLessThanPath": "$.b")",
                 R"({"a":1,"b":2})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "StringEqualsPath": "$.b")",
                 R"({"a":"x","b":"x"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "BooleanEqualsPath": "$.b")",
                 R"({"a":true,"b":false})"),
            "false");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "TimestampGreaterThanPath": "$.b")",
                 R"({"a":"2020-01-01T00:00:00Z","b":"2019-01-01T00:00:00Z"})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "StringMatchesPath": "$.b")",
                 R"({"a":"x.csv","b":"*.csv"})"),
            "true");
  EXPECT_EQ(
      Eval(R"("Variable": "$.a", "NumericEqualsPath": "$.b")", R"({"a":1})"),
      "error");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "NumericEqualsPath": "$.b")",
                 R"({"a":1,"b":"1"})"),
            "false");
}

TEST(ChoiceRuleTest, VariablesAndContextCanBeCompared) {
  EXPECT_EQ(Eval(R"("Variable": "$limit", "NumericEquals": 10)", R"({})"),
            "true");
  EXPECT_EQ(Eval(R"("Variable": "$.a", "NumericLessThanPath": "$limit")",
                 R"({"a":3})"),
            "true");
}

TEST(ChoiceRuleTest, AndOrNotCombineRules) {
  const std::string both = R"("And": [
      {"Variable": "$.a", "NumericGreaterThan": 1},
      {"Variable": "$.a", "NumericLessThan": 5}])";
  EXPECT_EQ(Eval(both, R"({"a":3})"), "true");
  EXPECT_EQ(Eval(both, R"({"a":7})"), "false");
  const std::string either = R"("Or": [
      {"Variable": "$.a", "StringEquals": "x"},
      {"Variable": "$.a", "StringEquals": "y"}])";
  EXPECT_EQ(Eval(either, R"({"a":"y"})"), "true");
  EXPECT_EQ(Eval(either, R"({"a":"z"})"), "false");
  const std::string neg = R"("Not": {"Variable": "$.a", "IsNull": true})";
  EXPECT_EQ(Eval(neg, R"({"a":1})"), "true");
  EXPECT_EQ(Eval(neg, R"({"a":null})"), "false");
  EXPECT_EQ(Eval(neg, R"({})"), "error");
  // And stops at the first false rule, so a later missing path is not read.
  const std::string guarded = R"("And": [
      {"Variable": "$.a", "IsPresent": true},
      {"Variable": "$.a", "NumericEquals": 1}])";
  EXPECT_EQ(Eval(guarded, R"({})"), "false");
}

}  // namespace
}  // namespace mlflowctl::asl
