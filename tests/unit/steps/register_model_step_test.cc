#include "steps/register_model_step.h"

#include <atomic>

#include <gtest/gtest.h>

#include "steps/compare_model_step.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

using testing_mlops::TempStore;

std::atomic<bool> kRegisterNotCancelled{false};

runtime::TaskRequest RegisterRequest(Json input, std::string token = "token-1") {
  runtime::TaskRequest r;
  r.resource = "mlflowctl:register-model";
  r.input = std::move(input);
  r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:training:e1";
  r.state_name = "Register";
  r.task_token = std::move(token);
  r.cancelled = &kRegisterNotCancelled;
  return r;
}

TEST(RegisterModelStepTest, RegistersTrainingJobMetricsAndLineage) {
  TempStore t;
  RegisterModelStep step(&t.models());
  Json in = {{"ModelGroup", "car-price"},
             {"ModelUri", "s3://models/train-1/output/model"},
             {"Algorithm", "xgboost"},
             {"FinalMetricDataList",
              {{{"MetricName", "validation:rmse"}, {"Value", 3012.4}},
               {{"MetricName", "validation:r2"}, {"Value", 0.91}}}},
             {"Lineage", {{"data", {{"train", "s3://data/train.csv"}}}}}};
  runtime::StepResult result = step.Invoke(RegisterRequest(in));
  ASSERT_TRUE(std::holds_alternative<Json>(result)) << std::get<Error>(result).cause;
  const Json& out = std::get<Json>(result);
  EXPECT_EQ(out["ModelPackageGroupName"], "car-price");
  EXPECT_EQ(out["ModelPackageVersion"], 1);
  EXPECT_EQ(out["ModelPackageArn"],
            "arn:aws:sagemaker:us-east-1:123456789012:model-package/car-price/1");
  EXPECT_EQ(out["ModelUri"], "s3://models/train-1/output/model");
  auto stored = t.models().GetModelPackage("car-price", 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->metrics["validation:rmse"], 3012.4);
  EXPECT_EQ(stored->metrics["validation:r2"], 0.91);
  EXPECT_EQ(stored->lineage["execution_arn"],
            "arn:aws:states:us-east-1:123456789012:execution:training:e1");
  EXPECT_EQ(stored->lineage["data"]["train"], "s3://data/train.csv");
}

TEST(RegisterModelStepTest, NextRegistrationIsTheNextVersionAndARerunIsNot) {
  TempStore t;
  RegisterModelStep step(&t.models());
  Json in = {{"ModelGroup", "g"}, {"ModelUri", "s3://m"}, {"Metrics", {{"validation:rmse", 1.5}}}};
  ASSERT_TRUE(std::holds_alternative<Json>(step.Invoke(RegisterRequest(in, "a"))));
  // The same attempt run again (after a crash) returns the same version.
  runtime::StepResult rerun = step.Invoke(RegisterRequest(in, "a"));
  ASSERT_TRUE(std::holds_alternative<Json>(rerun));
  EXPECT_EQ(std::get<Json>(rerun)["ModelPackageVersion"], 1);
  runtime::StepResult next = step.Invoke(RegisterRequest(in, "b"));
  ASSERT_TRUE(std::holds_alternative<Json>(next));
  EXPECT_EQ(std::get<Json>(next)["ModelPackageVersion"], 2);
}

TEST(RegisterModelStepTest, BadInputIsMlflowInvalidInput) {
  TempStore t;
  RegisterModelStep step(&t.models());
  for (const Json& in : {Json{{"ModelUri", "s3://m"}},
                         Json{{"ModelGroup", "g"}},
                         Json{{"ModelGroup", "bad group"}, {"ModelUri", "s3://m"}},
                         Json{{"ModelGroup", "g"}, {"ModelUri", "s3://m"},
                              {"Metrics", {{"rmse", "high"}}}},
                         Json{{"ModelGroup", "g"}, {"ModelUri", "s3://m"},
                              {"FinalMetricDataList", {{{"MetricName", "x"}}}}}}) {
    runtime::StepResult result = step.Invoke(RegisterRequest(in));
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << in.dump();
    EXPECT_EQ(std::get<Error>(result).name, "Mlflow.InvalidInput");
  }
  EXPECT_EQ(t.models().ListModelPackageGroups()->size(), 0u);
}

}  // namespace
}  // namespace mlflowctl::steps
