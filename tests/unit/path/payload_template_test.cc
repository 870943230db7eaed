#include "engine/path/payload_template.h"

#include <gtest/gtest.h>

namespace mlflowctl::path {
namespace {

class PayloadTemplateTest : public ::testing::Test {
 protected:
  std::variant<Json, Error> Run(const Json& tmpl, const Json& input) {
    std::vector<TemplateProblem> problems;
    PayloadTemplate compiled = PayloadTemplate::Compile(tmpl, &problems);
    EXPECT_TRUE(problems.empty()) << problems.front().pointer << ": " << problems.front().message;
    Json context = Json::parse(R"({"Execution":{"Id":"exec-1"},"Map":{"Item":{"Index":2}}})");
    Json variables = Json::parse(R"({"threshold":0.5})");
    Scope scope{&input, &context, &variables};
    return compiled.Evaluate(scope, random_);
  }
  Json Value(const Json& tmpl, const Json& input) {
    auto result = Run(tmpl, input);
    if (auto* error = std::get_if<Error>(&result)) {
      ADD_FAILURE() << error->name << ": " << error->cause;
      return Json();
    }
    return std::get<Json>(result);
  }
  Random random_{7};
};

TEST_F(PayloadTemplateTest, SpecExampleExtractsAndEmbeds) {
  Json tmpl = Json::parse(R"({"flagged":true,"parts":{"first.$":"$.vals[0]","last3.$":"$.vals[3:]"}})");
  Json input = Json::parse(R"({"flagged":7,"vals":[0,10,20,30,40,50]})");
  EXPECT_EQ(Value(tmpl, input),
            Json::parse(R"({"flagged":true,"parts":{"first":0,"last3":[30,40,50]}})"));
}

TEST_F(PayloadTemplateTest, ReadsContextVariablesAndIntrinsics) {
  Json tmpl = Json::parse(R"j({
    "id.$":"$$.Execution.Id",
    "index.$":"$$.Map.Item.Index",
    "limit.$":"$threshold",
    "msg.$":"States.Format('run {} of {}', $.n, $$.Execution.Id)"
  })j");
  EXPECT_EQ(Value(tmpl, {{"n", 3}}),
            Json::parse(R"({"id":"exec-1","index":2,"limit":0.5,"msg":"run 3 of exec-1"})"));
}

TEST_F(PayloadTemplateTest, WalksObjectsInsideArrays) {
  Json tmpl = Json::parse(R"({"list":[{"v.$":"$.a"},"$.a",3,[{"w.$":"$.b"}]]})");
  EXPECT_EQ(Value(tmpl, {{"a", 1}, {"b", 2}}),
            Json::parse(R"({"list":[{"v":1},"$.a",3,[{"w":2}]]})"));
}

TEST_F(PayloadTemplateTest, CopiesLiteralTemplatesUnchanged) {
  Json tmpl = Json::parse(R"({"a":{"b":[1,2,{"c":null}]},"s":"$.not.a.path"})");
  EXPECT_EQ(Value(tmpl, Json::object()), tmpl);
}

TEST_F(PayloadTemplateTest, MissingPathIsARuntimeErrorWithAwsWording) {
  auto result = Run(Json::parse(R"({"bar.$":"$.foo"})"), Json::parse(R"({"x":1})"));
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  const Error& error = std::get<Error>(result);
  EXPECT_EQ(error.name, "States.Runtime");
  EXPECT_EQ(error.cause,
            "The JSONPath '$.foo' specified for the field 'bar.$' could not be found in the "
            "input '{\"x\":1}'");
}

TEST_F(PayloadTemplateTest, IndefinitePathWithoutMatchesGivesAnEmptyArray) {
  EXPECT_EQ(Value(Json::parse(R"({"all.$":"$.items[*].id"})"), {{"items", Json::array()}}),
            Json::parse(R"({"all":[]})"));
}

TEST_F(PayloadTemplateTest, FailingIntrinsicPropagatesItsError) {
  auto result = Run(Json::parse(R"j({"n.$":"States.MathAdd($.a, 1)"})j"), {{"a", "x"}});
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).cause, "Invalid arguments in States.MathAdd");
}

TEST_F(PayloadTemplateTest, ReportsEveryCompileProblemWithItsPointer) {
  std::vector<TemplateProblem> problems;
  PayloadTemplate::Compile(Json::parse(R"j({
    "a.$":"$.x[",
    "b.$":"States.Nope()",
    "c.$":5,
    "d":1, "d.$":"$.d",
    "n":{"e/f.$":"not a path"}
  })j"),
                           &problems);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0].pointer, "/a.$");
  EXPECT_EQ(problems[0].code, "InvalidJsonPath");
  EXPECT_EQ(problems[1].pointer, "/b.$");
  EXPECT_EQ(problems[1].code, "InvalidIntrinsic");
  EXPECT_EQ(problems[2].pointer, "/c.$");
  EXPECT_EQ(problems[2].code, "ExpectedString");
  EXPECT_EQ(problems[3].pointer, "/d.$");
  EXPECT_EQ(problems[3].code, "DuplicateKey");
  EXPECT_EQ(problems[4].pointer, "/n/e~1f.$");
}

TEST_F(PayloadTemplateTest, DefaultTemplateEvaluatesToAnEmptyObject) {
  PayloadTemplate empty;
  Json input = Json::object();
  Scope scope{&input, nullptr, nullptr};
  auto result = empty.Evaluate(scope, random_);
  ASSERT_TRUE(std::holds_alternative<Json>(result));
  EXPECT_EQ(std::get<Json>(result), Json::object());
}

}  // namespace
}  // namespace mlflowctl::path
