#include "steps/compare_model_step.h"

#include <atomic>

#include <gtest/gtest.h>

#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

using testing_mlops::TempStore;

std::atomic<bool> kNotCancelled{false};
constexpr char kExecution[] = "arn:aws:states:us-east-1:123456789012:execution:training:e7";

runtime::TaskRequest Request(Json input) {
  runtime::TaskRequest r;
  r.resource = "mlflowctl:compare-model";
  r.input = std::move(input);
  r.execution_arn = kExecution;
  r.state_name = "Compare";
  r.task_token = "t";
  r.cancelled = &kNotCancelled;
  return r;
}

void Register(TempStore& t, double rmse, double r2) {
  mlops::NewModelPackage p;
  p.group = "car-price";
  p.algorithm = "xgboost";
  p.artifact_uri = "s3://m";
  p.metrics = {{"validation:rmse", rmse}, {"validation:r2", r2}};
  ASSERT_TRUE(t.models().RegisterModelPackage(p).ok());
}

Json Compare(CompareModelStep& step, Json input) {
  runtime::StepResult result = step.Invoke(Request(std::move(input)));
  EXPECT_TRUE(std::holds_alternative<Json>(result)) << std::get<Error>(result).cause;
  return std::holds_alternative<Json>(result) ? std::get<Json>(result) : Json();
}

TEST(CompareModelStepTest, WithoutAChampionTheCandidateWinsAndIsPromoted) {
  TempStore t;
  Register(t, 3150.2, 0.9);
  CompareModelStep step(&t.models());
  Json out = Compare(step, {{"ModelGroup", "car-price"},
                        {"Candidate", {{"ModelPackageVersion", 1}}},
                        {"Promote", true}});
  EXPECT_EQ(out["IsBetter"], true);
  EXPECT_EQ(out["Promoted"], true);
  EXPECT_TRUE(out["Champion"].is_null());
  EXPECT_EQ(out["Candidate"]["ModelPackageVersion"], 1);
  auto moves = t.models().ListAliasMoves("car-price");
  ASSERT_TRUE(moves.ok());
  ASSERT_EQ(moves->size(), 1u);
  EXPECT_EQ((*moves)[0].moved_by, kExecution);
  EXPECT_EQ((*moves)[0].alias, "champion");
}

TEST(CompareModelStepTest, LowerRmseBeatsTheChampionAndMovesTheAlias) {
  TempStore t;
  Register(t, 3150.2, 0.9);
  Register(t, 3012.4, 0.8);
  ASSERT_TRUE(t.models().SetAlias({"car-price", "champion", 1, "cli", std::nullopt}).ok());
  CompareModelStep step(&t.models());
  Json out = Compare(step, {{"ModelGroup", "car-price"}, {"Candidate", 2}, {"Promote", true}});
  EXPECT_EQ(out["IsBetter"], true);
  EXPECT_EQ(out["Reason"], "validation:rmse 3012.4 < champion's 3150.2");
  EXPECT_EQ(out["Champion"]["ModelPackageVersion"], 1);
  EXPECT_EQ(out["Promoted"], true);
  auto champion = t.models().GetAliasedPackage("car-price", "champion");
  ASSERT_TRUE(champion.ok() && champion->has_value());
  EXPECT_EQ((*champion)->version, 2);
  auto moves = t.models().ListAliasMoves("car-price");
  ASSERT_TRUE(moves.ok());
  ASSERT_EQ(moves->size(), 2u);
  EXPECT_EQ((*moves)[1].from_version, 1);
  EXPECT_EQ((*moves)[1].moved_by, kExecution);
}

// A resumed execution runs the comparison in flight at a crash again: the
// alias already points at the candidate, moved by this execution.
TEST(CompareModelStepTest, RunAgainAfterItsPromotionAnswersAsTheFirstRun) {
  TempStore t;
  Register(t, 3150.2, 0.9);
  Register(t, 3012.4, 0.8);
  ASSERT_TRUE(t.models().SetAlias({"car-price", "champion", 1, "cli", std::nullopt}).ok());
  CompareModelStep step(&t.models());
  Json input = {{"ModelGroup", "car-price"}, {"Candidate", 2}, {"Promote", true}};
  Json first = Compare(step, input);
  ASSERT_EQ(first["Promoted"], true);
  EXPECT_EQ(Compare(step, input), first);
  auto moves = t.models().ListAliasMoves("car-price");
  ASSERT_TRUE(moves.ok());
  EXPECT_EQ(moves->size(), 2u);

  // The first promotion of a group, run again, still had no champion.
  TempStore fresh;
  Register(fresh, 3150.2, 0.9);
  CompareModelStep fresh_step(&fresh.models());
  Json only = {{"ModelGroup", "car-price"}, {"Candidate", 1}, {"Promote", true}};
  Json once = Compare(fresh_step, only);
  EXPECT_EQ(Compare(fresh_step, only), once);
  EXPECT_TRUE(once["Champion"].is_null());

  // Another execution comparing the same candidate finds it already there.
  runtime::TaskRequest other = Request(input);
  other.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:training:e8";
  runtime::StepResult again = step.Invoke(other);
  ASSERT_TRUE(std::holds_alternative<Json>(again));
  EXPECT_EQ(std::get<Json>(again)["IsBetter"], false);
  EXPECT_EQ(std::get<Json>(again)["Reason"], "version 2 is already the champion");
}

TEST(CompareModelStepTest, HigherR2IsBetterAndWorseModelsDoNotMoveTheAlias) {
  TempStore t;
  Register(t, 3150.2, 0.9);
  Register(t, 3012.4, 0.8);
  ASSERT_TRUE(t.models().SetAlias({"car-price", "champion", 1, "cli", std::nullopt}).ok());
  CompareModelStep step(&t.models());
  Json out = Compare(step, {{"ModelGroup", "car-price"},
                        {"Candidate", {{"ModelPackageVersion", 2}}},
                        {"Metric", "validation:r2"},
                        {"Promote", true}});
  EXPECT_EQ(out["IsBetter"], false);
  EXPECT_EQ(out["Promoted"], false);
  EXPECT_EQ(out["Reason"], "validation:r2 0.8 <= champion's 0.9");
  auto champion = t.models().GetAliasedPackage("car-price", "champion");
  ASSERT_TRUE(champion.ok() && champion->has_value());
  EXPECT_EQ((*champion)->version, 1);
}

TEST(CompareModelStepTest, WithoutPromoteNothingMoves) {
  TempStore t;
  Register(t, 1.0, 0.9);
  CompareModelStep step(&t.models());
  Json out = Compare(step, {{"ModelGroup", "car-price"}, {"Candidate", 1}});
  EXPECT_EQ(out["IsBetter"], true);
  EXPECT_EQ(out["Promoted"], false);
  EXPECT_TRUE(t.models().ListAliasMoves("car-price")->empty());
}

TEST(CompareModelStepTest, MissingModelsAndMetricsAreErrors) {
  TempStore t;
  Register(t, 1.0, 0.9);
  CompareModelStep step(&t.models());
  auto error = [&](Json in) {
    runtime::StepResult r = step.Invoke(Request(std::move(in)));
    return std::holds_alternative<Error>(r) ? std::get<Error>(r).name : std::string("ok");
  };
  EXPECT_EQ(error({{"ModelGroup", "car-price"}, {"Candidate", 9}}), "Mlflow.ModelNotFound");
  EXPECT_EQ(error({{"ModelGroup", "nope"}, {"Candidate", 1}}), "Mlflow.ModelNotFound");
  EXPECT_EQ(error({{"ModelGroup", "car-price"}, {"Candidate", 1}, {"Metric", "test:mae"}}),
            "Mlflow.MetricNotFound");
  EXPECT_EQ(error({{"ModelGroup", "car-price"}}), "Mlflow.InvalidInput");
  EXPECT_EQ(error({{"ModelGroup", "car-price"}, {"Candidate", 1}, {"Promote", "yes"}}),
            "Mlflow.InvalidInput");
}

}  // namespace
}  // namespace mlflowctl::steps
