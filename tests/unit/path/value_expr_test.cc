#include "engine/path/value_expr.h"

#include <gtest/gtest.h>

namespace mlflowctl::path {
namespace {

TEST(ValueExprTest, ParsesPathsAndIntrinsics) {
  Random random(1);
  Json input = {{"e", "Boom"}, {"c", "why"}};
  Scope scope{&input, nullptr, nullptr};
  auto path = ValueExpr::Parse("$.e");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->text(), "$.e");
  EXPECT_EQ(std::get<Json>(path->Evaluate(scope, random, "ErrorPath")), "Boom");
  auto call = ValueExpr::Parse("States.Format('{}: {}', $.e, $.c)");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(std::get<Json>(call->Evaluate(scope, random, "CausePath")), "Boom: why");
}

TEST(ValueExprTest, MissingPathNamesTheField) {
  Random random(1);
  Json input = Json::object();
  Scope scope{&input, nullptr, nullptr};
  auto path = ValueExpr::Parse("$.e");
  ASSERT_TRUE(path.ok());
  auto out = path->Evaluate(scope, random, "ErrorPath");
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(std::get<Error>(out).cause,
            "The JSONPath '$.e' specified for the field 'ErrorPath' could not be found in the "
            "input '{}'");
}

TEST(ValueExprTest, RejectsInvalidText) {
  EXPECT_FALSE(ValueExpr::Parse("e").ok());
  EXPECT_FALSE(ValueExpr::Parse("States.Format(").ok());
}

}  // namespace
}  // namespace mlflowctl::path
