#include "engine/path/json_path.h"

#include <gtest/gtest.h>

namespace mlflowctl::path {
namespace {

Json Eval(const std::string& text, const Json& input, const Json& context = Json::object(),
          const Json* variables = nullptr) {
  auto path = JsonPath::Parse(text);
  EXPECT_TRUE(path.ok()) << path.status().ToString();
  if (!path.ok()) return Json("<parse error>");
  Scope scope{&input, &context, variables};
  Selection selected = path->Evaluate(scope);
  if (selected.error) return Json("<error " + selected.error->name + ">");
  return selected.value ? *selected.value : Json("<missing>");
}

TEST(JsonPathTest, DollarAloneSelectsTheWholeInput) {
  Json input = {{"a", 1}};
  EXPECT_EQ(Eval("$", input), input);
}

TEST(JsonPathTest, DotAndBracketChildrenSelectTheSameNode) {
  Json input = Json::parse(R"({"a":{"b":{"c":7}},"x y":1})");
  EXPECT_EQ(Eval("$.a.b.c", input), 7);
  EXPECT_EQ(Eval("$['a']['b']['c']", input), 7);
  EXPECT_EQ(Eval("$[\"a\"].b", input), Json::parse(R"({"c":7})"));
  EXPECT_EQ(Eval("$['x y']", input), 1);
}

TEST(JsonPathTest, MissingDefiniteNodeIsNotFound) {
  Json input = {{"a", 1}};
  EXPECT_EQ(Eval("$.b", input), "<missing>");
  EXPECT_EQ(Eval("$.a.b", input), "<missing>");
  EXPECT_EQ(Eval("$.a[0]", input), "<missing>");
}

TEST(JsonPathTest, IndexesMayBeNegative) {
  Json input = Json::parse(R"({"a":[1,2,3]})");
  EXPECT_EQ(Eval("$.a[0]", input), 1);
  EXPECT_EQ(Eval("$.a[-1]", input), 3);
  EXPECT_EQ(Eval("$.a[3]", input), "<missing>");
}

TEST(JsonPathTest, SlicesReturnArrays) {
  Json input = Json::parse(R"({"a":[0,10,20,30,40,50]})");
  EXPECT_EQ(Eval("$.a[3:]", input), Json::parse("[30,40,50]"));
  EXPECT_EQ(Eval("$.a[-1:]", input), Json::parse("[50]"));
  EXPECT_EQ(Eval("$.a[:2]", input), Json::parse("[0,10]"));
  EXPECT_EQ(Eval("$.a[1:5:2]", input), Json::parse("[10,30]"));
  EXPECT_EQ(Eval("$.a[10:]", input), Json::array());
}

TEST(JsonPathTest, WildcardsSelectAllChildren) {
  Json input = Json::parse(R"({"a":[{"p":1},{"p":2}],"o":{"x":1,"y":2}})");
  EXPECT_EQ(Eval("$.a[*].p", input), Json::parse("[1,2]"));
  EXPECT_EQ(Eval("$.a.*.p", input), Json::parse("[1,2]"));
  EXPECT_EQ(Eval("$.o.*", input), Json::parse("[1,2]"));
}

TEST(JsonPathTest, UnionsSelectSeveralIndexesOrNames) {
  Json input = Json::parse(R"({"a":["x","y","z"],"o":{"k1":1,"k2":2,"k3":3}})");
  EXPECT_EQ(Eval("$.a[0,2]", input), Json::parse(R"(["x","z"])"));
  EXPECT_EQ(Eval("$.o['k1','k3']", input), Json::parse("[1,3]"));
}

TEST(JsonPathTest, DeepScanFindsEveryMatchingField) {
  Json input = Json::parse(R"({"x":1,"a":{"x":2,"b":[{"x":3}]}})");
  Json found = Eval("$..x", input);
  ASSERT_TRUE(found.is_array());
  EXPECT_EQ(found.size(), 3u);
  EXPECT_EQ(Eval("$..b[0].x", input), Json::parse("[3]"));
}

TEST(JsonPathTest, FiltersCompareNumbersAndStrings) {
  Json input = Json::parse(
      R"({"a":[{"p":1,"tag":"x"},{"p":5,"tag":"y"},{"p":3,"tag":"x"},{"q":9}]})");
  EXPECT_EQ(Eval("$.a[?(@.p > 1)].p", input), Json::parse("[5,3]"));
  EXPECT_EQ(Eval("$.a[?(@.tag == 'x')].p", input), Json::parse("[1,3]"));
  EXPECT_EQ(Eval("$.a[?(@.tag == \"y\")].p", input), Json::parse("[5]"));
  EXPECT_EQ(Eval("$.a[?(@.p >= 3 && @.tag == 'x')].p", input), Json::parse("[3]"));
  EXPECT_EQ(Eval("$.a[?(@.p < 2 || @.p > 4)].p", input), Json::parse("[1,5]"));
  EXPECT_EQ(Eval("$.a[?(@.q)].q", input), Json::parse("[9]"));
  EXPECT_EQ(Eval("$.a[?(!(@.tag == 'x'))].p", input), Json::parse("[5]"));
  EXPECT_EQ(Eval("$.a[?(@.p != 1)].p", input), Json::parse("[5,3]"));
}

TEST(JsonPathTest, FilterComparingDifferentTypesIsFalse) {
  Json input = Json::parse(R"({"a":[{"p":"1"},{"p":1}]})");
  EXPECT_EQ(Eval("$.a[?(@.p == 1)]", input), Json::parse(R"([{"p":1}])"));
  EXPECT_EQ(Eval("$.a[?(@.p > 0)]", input), Json::parse(R"([{"p":1}])"));
}

TEST(JsonPathTest, FilterMayReferToTheRoot) {
  Json input = Json::parse(R"({"limit":2,"a":[{"p":1},{"p":3}]})");
  EXPECT_EQ(Eval("$.a[?(@.p > $.limit)].p", input), Json::parse("[3]"));
}

TEST(JsonPathTest, IndefinitePathWithNoMatchIsAnEmptyArray) {
  Json input = Json::parse(R"({"a":[]})");
  EXPECT_EQ(Eval("$.a[*]", input), Json::array());
  EXPECT_EQ(Eval("$.missing[*]", input), Json::array());
}

TEST(JsonPathTest, ContextPathsReadTheContextObject) {
  Json input = Json::object();
  Json context = Json::parse(R"({"Execution":{"Id":"arn:x"},"Map":{"Item":{"Value":4}}})");
  EXPECT_EQ(Eval("$$.Execution.Id", input, context), "arn:x");
  EXPECT_EQ(Eval("$$.Map.Item.Value", input, context), 4);
  auto path = JsonPath::Parse("$$.Execution.Id");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->root(), JsonPath::Root::kContext);
}

TEST(JsonPathTest, VariablePathsReadNamedVariables) {
  Json input = Json::object();
  Json vars = Json::parse(R"({"model":{"rmse":0.3},"count":2})");
  EXPECT_EQ(Eval("$model.rmse", input, Json::object(), &vars), 0.3);
  EXPECT_EQ(Eval("$count", input, Json::object(), &vars), 2);
  EXPECT_EQ(Eval("$nothing", input, Json::object(), &vars), "<missing>");
  auto path = JsonPath::Parse("$model.rmse");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->root(), JsonPath::Root::kVariable);
  EXPECT_EQ(path->variable(), "model");
}

TEST(JsonPathTest, ClassifiesReferenceAndSimpleNamePaths) {
  auto check = [](const char* text, bool reference, bool simple) {
    auto path = JsonPath::Parse(text);
    ASSERT_TRUE(path.ok()) << text;
    EXPECT_EQ(path->IsReferencePath(), reference) << text;
    EXPECT_EQ(path->IsSimpleNamePath(), simple) << text;
  };
  check("$", true, true);
  check("$.a.b", true, true);
  check("$['a'].b", true, true);
  check("$.a[0]", true, false);
  check("$.a[*]", false, false);
  check("$..a", false, false);
  check("$.a[0,1]", false, false);
  check("$.a[1:]", false, false);
  check("$.a[?(@.x)]", false, false);
}

TEST(JsonPathTest, RejectsMalformedPaths) {
  for (const char* text : {"", "a.b", "$.", "$.a[", "$.a[0", "$.a..", "$['a", "$.a[?(@.x",
                           "$.a[x]", "$.a b[", "$.a[?(@.x =~ /a/)]"}) {
    EXPECT_FALSE(JsonPath::Parse(text).ok()) << text;
  }
}

TEST(JsonPathTest, ParseErrorSaysWhatAndWhere) {
  auto path = JsonPath::Parse("$.a[");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(path.status().message(), "invalid JSONPath '$.a[': unterminated '[' at 4");
}

TEST(JsonPathTest, RejectsPathFunctionsAsAwsDoes) {
  EXPECT_FALSE(JsonPath::Parse("$.a.length()").ok());
  EXPECT_FALSE(JsonPath::Parse("$.a.keys()").ok());
}

TEST(JsonPathTest, NormalizedTextUsesJaywayBrackets) {
  auto path = JsonPath::Parse("$.a.b[2]");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->NormalizedText(), "$['a']['b'][2]");
}

TEST(JsonPathTest, SetCreatesIntermediateObjects) {
  auto path = JsonPath::Parse("$.a.b.c");
  ASSERT_TRUE(path.ok());
  Json doc = {{"x", 1}};
  ASSERT_TRUE(path->Set(doc, 5));
  EXPECT_EQ(doc, Json::parse(R"({"x":1,"a":{"b":{"c":5}}})"));
}

TEST(JsonPathTest, SetFailsThroughANonObject) {
  auto path = JsonPath::Parse("$.a.b");
  ASSERT_TRUE(path.ok());
  Json doc = {{"a", "text"}};
  EXPECT_FALSE(path->Set(doc, 5));
  Json scalar = "text";
  EXPECT_FALSE(path->Set(scalar, 5));
}

TEST(JsonPathTest, SetAtDollarReplacesTheDocument) {
  auto path = JsonPath::Parse("$");
  ASSERT_TRUE(path.ok());
  Json doc = "text";
  ASSERT_TRUE(path->Set(doc, {{"k", 1}}));
  EXPECT_EQ(doc, Json::parse(R"({"k":1})"));
}

TEST(JsonPathTest, SetReplacesAnExistingArrayElement) {
  auto path = JsonPath::Parse("$.a[1]");
  ASSERT_TRUE(path.ok());
  Json doc = Json::parse(R"({"a":[1,2]})");
  ASSERT_TRUE(path->Set(doc, 9));
  EXPECT_EQ(doc, Json::parse(R"({"a":[1,9]})"));
  auto out_of_range = JsonPath::Parse("$.a[5]");
  ASSERT_TRUE(out_of_range.ok());
  EXPECT_FALSE(out_of_range->Set(doc, 9));
}

TEST(JsonPathTest, CopiesShareTheCompiledPath) {
  auto path = JsonPath::Parse("$.a");
  ASSERT_TRUE(path.ok());
  JsonPath copy = *path;
  JsonPath moved = std::move(copy);
  EXPECT_EQ(moved.text(), "$.a");
}

}  // namespace
}  // namespace mlflowctl::path
