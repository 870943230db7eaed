// The budget of an indefinite path's matches (Scope::max_match_bytes): a
// deep scan whose matches copy the document many times over, the shape a
// fuzz target found, fails with States.DataLimitExceeded instead of copying.
#include "engine/path/json_path.h"

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/random.h"
#include "engine/path/intrinsics.h"
#include "engine/path/payload_template.h"
#include "engine/path/value_expr.h"

namespace mlflowctl::path {
namespace {

// `levels` nested arrays around an array of `zeros` zeros.
Json NestedZeros(int levels, int zeros) {
  std::string text(static_cast<std::size_t>(levels), '[');
  for (int i = 0; i < zeros; ++i) text += i == 0 ? "0" : ",0";
  text += std::string(static_cast<std::size_t>(levels), ']');
  return Json::parse(text);
}

Selection Evaluate(const std::string& text, const Json& input, std::size_t limit) {
  auto path = JsonPath::Parse(text);
  EXPECT_TRUE(path.ok()) << path.status().ToString();
  if (!path.ok()) return {};
  return path->Evaluate(Scope{&input, nullptr, nullptr, limit});
}

TEST(JsonPathLimitTest, DeepScanCopyingTheDocumentAtEveryLevelFails) {
  // 50 levels around 1,000 zeros: a 2 KB document whose "$..*" matches
  // hold the zeros 50 times (about 100 KB).
  Json input = NestedZeros(50, 1000);
  Selection s = Evaluate("$..*", input, 8 * 1024);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_FALSE(s.value.has_value());
  EXPECT_EQ(s.error->name, "States.DataLimitExceeded");
  EXPECT_EQ(s.error->cause,
            "The matches of the JSONPath '$..*' exceed the maximum number of bytes service "
            "limit (8192).");
}

TEST(JsonPathLimitTest, TheFoundInputFailsUnderTheDefaultLimit) {
  // The input the fuzz target found: 500 levels around 100,000 zeros
  // (200 KB, under the 256 KiB payload limit).
  Json input = NestedZeros(500, 100000);
  Scope scope{&input, nullptr, nullptr};
  EXPECT_EQ(scope.max_match_bytes, 256u * 1024);
  auto path = JsonPath::Parse("$..*");
  ASSERT_TRUE(path.ok());
  Selection s = path->Evaluate(scope);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->name, "States.DataLimitExceeded");
}

TEST(JsonPathLimitTest, ZeroMeansNoLimit) {
  Json input = NestedZeros(50, 1000);
  Selection s = Evaluate("$..*", input, 0);
  ASSERT_FALSE(s.error.has_value());
  ASSERT_TRUE(s.value.has_value());
  EXPECT_EQ(s.value->size(), 49u + 1000u);  // every node but the root
}

TEST(JsonPathLimitTest, MatchesExactlyAtTheLimitPass) {
  // Every kind of value, counted as DumpJson writes it.
  Json input = Json::parse(
      R"({"a":["x\"y\n\u0001", 1.5, -7, 18446744073709551615, "\u00e9t\u00e9", null, true,
              false, {"k":[1,{}],"\u00fc":[]}, []]})");
  Json expected = input["a"];
  const std::size_t size = DumpJson(expected).size();
  Selection fits = Evaluate("$.a[*]", input, size);
  ASSERT_FALSE(fits.error.has_value()) << fits.error->cause;
  EXPECT_EQ(*fits.value, expected);
  Selection over = Evaluate("$.a[*]", input, size - 1);
  ASSERT_TRUE(over.error.has_value());
  EXPECT_EQ(over.error->name, "States.DataLimitExceeded");
  // Each element alone is under the limit: only their sum passes it.
  for (const Json& item : expected) EXPECT_LT(DumpJson(item).size(), size - 1);
}

TEST(JsonPathLimitTest, NormalDeepScansAreUnchanged) {
  Json input = Json::parse(R"({"store":{"book":[{"price":8,"t":"a"},{"price":12,"t":"b"}],
                               "bike":{"price":19}}})");
  Selection prices = Evaluate("$..price", input, kDefaultMaxMatchBytes);
  ASSERT_FALSE(prices.error.has_value());
  EXPECT_EQ(*prices.value, Json::parse("[19,8,12]"));  // keys in order: bike, book
  Selection all = Evaluate("$.store.book..*", input, kDefaultMaxMatchBytes);
  ASSERT_FALSE(all.error.has_value());
  EXPECT_EQ(*all.value,
            Json::parse(R"([{"price":8,"t":"a"},{"price":12,"t":"b"},8,"a",12,"b"])"));
}

TEST(JsonPathLimitTest, DefinitePathsCopyTheirNodeWhateverItsSize) {
  Json input = {{"a", NestedZeros(2, 1000)}};
  Selection s = Evaluate("$.a", input, 16);
  ASSERT_FALSE(s.error.has_value());
  EXPECT_EQ(*s.value, input["a"]);
}

TEST(JsonPathLimitTest, FilterOperandListOverTheLimitFails) {
  // "@..*" on the first item lists [[0,...],0,...]: about 400 bytes, while
  // the filter's own result would be empty.
  Json input = Json::parse(R"({"items":[{"big":null},{"n":2}]})");
  input["items"][0]["big"] = NestedZeros(1, 100);
  Selection unlimited = Evaluate("$.items[?(@..* == 1)]", input, 0);
  ASSERT_FALSE(unlimited.error.has_value());
  EXPECT_EQ(*unlimited.value, Json::array());
  Selection s = Evaluate("$.items[?(@..* == 1)]", input, 100);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->name, "States.DataLimitExceeded");
  EXPECT_EQ(s.error->cause,
            "The matches of a filter operand in the JSONPath '$.items[?(@..* == 1)]' exceed "
            "the maximum number of bytes service limit (100).");
}

TEST(JsonPathLimitTest, FilterExistenceTestsCopyNothing) {
  // "@..*" exists for every item (an indefinite operand always has its
  // list); its list, [[1,...,9],1,...,9], would pass the limit of 30 bytes
  // that the result, [{"a":[1,...,9]}] (27 bytes), stays under.
  Json input = Json::parse(R"({"items":[{"a":[1,2,3,4,5,6,7,8,9]}]})");
  Selection s = Evaluate("$.items[?(@..*)]", input, 30);
  ASSERT_FALSE(s.error.has_value()) << s.error->cause;
  EXPECT_EQ(*s.value, input["items"]);
}

TEST(JsonPathLimitTest, UnionsMultiplyingMatchesFailBeforeCopying) {
  // Six unions of ten indexes on six nested arrays: a million matches of
  // one node.
  std::string text = "$";
  for (int i = 0; i < 6; ++i) text += "[0,0,0,0,0,0,0,0,0,0]";
  Json input = Json::parse("[[[[[[1]]]]]]");
  Selection s = Evaluate(text, input, 1000);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->name, "States.DataLimitExceeded");
  Selection few = Evaluate("$[0,0][0,0]", input, 1000);
  ASSERT_FALSE(few.error.has_value());
  EXPECT_EQ(*few.value, Json::parse("[[[[[1]]]],[[[[1]]]],[[[[1]]]],[[[[1]]]]]"));
}

TEST(JsonPathLimitTest, TemplatesValueExpressionsAndIntrinsicsReportTheError) {
  Json input = NestedZeros(50, 1000);
  Scope scope{&input, nullptr, nullptr, 4096};
  Random random(1);

  auto expr = ValueExpr::Parse("$..*");
  ASSERT_TRUE(expr.ok());
  auto from_expr = expr->Evaluate(scope, random, "all.$");
  ASSERT_TRUE(std::holds_alternative<Error>(from_expr));
  EXPECT_EQ(std::get<Error>(from_expr).name, "States.DataLimitExceeded");

  auto call = Intrinsic::Parse("States.ArrayLength($..*)");
  ASSERT_TRUE(call.ok());
  auto from_call = call->Evaluate(scope, random, "n.$");
  ASSERT_TRUE(std::holds_alternative<Error>(from_call));
  EXPECT_EQ(std::get<Error>(from_call).name, "States.DataLimitExceeded");

  std::vector<TemplateProblem> problems;
  PayloadTemplate tmpl =
      PayloadTemplate::Compile(Json::parse(R"({"x":{"all.$":"$..*"}})"), &problems);
  ASSERT_TRUE(problems.empty());
  auto from_template = tmpl.Evaluate(scope, random);
  ASSERT_TRUE(std::holds_alternative<Error>(from_template));
  EXPECT_EQ(std::get<Error>(from_template).cause,
            "The matches of the JSONPath '$..*' exceed the maximum number of bytes service "
            "limit (4096).");
}

}  // namespace
}  // namespace mlflowctl::path
