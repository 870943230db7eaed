// Inputs the fuzz targets (tests/fuzz/) found crashing or exhausting the
// engine/path code, kept as unit tests: deeply nested JSONPath filters
// overflowed the stack of the recursive-descent parser.
#include "engine/path/json_path.h"

#include <string>

#include <gtest/gtest.h>

#include "engine/path/value_expr.h"

namespace mlflowctl::path {
namespace {

TEST(JsonPathFuzzRegressionTest, RejectsAMillionNestedNotsWithoutOverflowingTheStack) {
  std::string text = "$.a[?(" + std::string(1000000, '!') + "@.b)]";
  StatusOr<JsonPath> path = JsonPath::Parse(text);
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("filter nested deeper than 100 levels at 107"),
            std::string::npos)
      << path.status().message().substr(0, 200);
}

TEST(JsonPathFuzzRegressionTest, RejectsAMillionNestedParenthesesWithoutOverflowingTheStack) {
  std::string text =
      "$.a[?(" + std::string(1000000, '(') + "@.b" + std::string(1000000, ')') + ")]";
  StatusOr<JsonPath> path = JsonPath::Parse(text);
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("filter nested deeper than 100 levels"),
            std::string::npos);
}

TEST(JsonPathFuzzRegressionTest, RejectsFiltersNestedInFilterOperandsTooDeep) {
  std::string text = "$";
  for (int i = 0; i < 200; ++i) text += "[?(@";
  for (int i = 0; i < 200; ++i) text += ")]";
  EXPECT_FALSE(JsonPath::Parse(text).ok());
  EXPECT_FALSE(ValueExpr::Parse(text).ok());
}

TEST(JsonPathFuzzRegressionTest, AcceptsAndEvaluatesFiltersNestedUpToTheLimit) {
  // 99 "!" plus the comparison itself: 100 levels.
  std::string text = "$.a[?(" + std::string(99, '!') + "@.b == 1)]";
  StatusOr<JsonPath> path = JsonPath::Parse(text);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  Json input = Json::parse(R"({"a": [{"b": 1}, {"b": 2}]})");
  std::optional<Json> got = path->Evaluate(Scope{&input, nullptr, nullptr}).value;
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Json::parse(R"([{"b": 2}])"));  // an odd number of "!"
}

}  // namespace
}  // namespace mlflowctl::path
