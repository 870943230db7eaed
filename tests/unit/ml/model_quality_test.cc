#include "steps/ml/model_quality.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace mlflowctl::ml {
namespace {

TEST(ModelQualityTest, SmallSamplesHaveHandComputedValuesAndNaNDeviations) {
  // errors -1, 0, 2, 1: mse 6/4, mae 4/4; labels mean 6, SS_tot 20: r2 0.7
  StatusOr<Json> s = ComputeRegressionQualityStatistics({3, 5, 7, 9}, {4, 5, 5, 8});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Json want = Json::parse(R"({
    "version": 0.0,
    "dataset": {"item_count": 4},
    "regression_metrics": {
      "mae":  {"value": 1.0, "standard_deviation": "NaN"},
      "mse":  {"value": 1.5, "standard_deviation": "NaN"},
      "rmse": {"value": 1.224744871391589, "standard_deviation": "NaN"},
      "r2":   {"value": 0.7, "standard_deviation": "NaN"}}})");
  want["regression_metrics"]["rmse"]["value"] = std::sqrt(1.5);
  want["regression_metrics"]["r2"]["value"] = 1 - 6.0 / 20.0;
  EXPECT_EQ(*s, want) << s->dump(2);
}

TEST(ModelQualityTest, RecordsTheEvaluationTimeWhenGiven) {
  ModelQualityOptions options;
  options.evaluation_time = "2020-12-03T05:43:55.934Z";
  StatusOr<Json> s = ComputeRegressionQualityStatistics({1, 2}, {1, 2}, options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["dataset"]["evaluation_time"], "2020-12-03T05:43:55.934Z");
}

std::vector<double> Range(int n, double scale) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(scale * i + (i % 7));
  return v;
}

TEST(ModelQualityTest, LargeSamplesGetDeterministicStandardDeviations) {
  std::vector<double> labels = Range(300, 1.0);
  std::vector<double> predictions = labels;
  for (std::size_t i = 0; i < predictions.size(); ++i) predictions[i] += (i % 3 == 0) ? 4 : -1;
  StatusOr<Json> a = ComputeRegressionQualityStatistics(labels, predictions);
  StatusOr<Json> b = ComputeRegressionQualityStatistics(labels, predictions);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  for (const char* m : {"mae", "mse", "rmse", "r2"}) {
    const Json& sd = (*a)["regression_metrics"][m]["standard_deviation"];
    ASSERT_TRUE(sd.is_number()) << m;
    EXPECT_GT(sd.get<double>(), 0) << m;
    EXPECT_LT(sd.get<double>(), 0.5) << m;
  }
  ModelQualityOptions other;
  other.seed = 99;
  StatusOr<Json> c = ComputeRegressionQualityStatistics(labels, predictions, other);
  ASSERT_TRUE(c.ok());
  EXPECT_NE((*c)["regression_metrics"]["mae"]["standard_deviation"],
            (*a)["regression_metrics"]["mae"]["standard_deviation"]);
  EXPECT_EQ((*c)["regression_metrics"]["mae"]["value"], (*a)["regression_metrics"]["mae"]["value"]);
}

TEST(ModelQualityTest, AConstantErrorHasZeroDeviationInEverySample) {
  // Every sample of rows has mae exactly 2 and mse exactly 4.
  std::vector<double> labels = Range(250, 0.5);
  std::vector<double> predictions = labels;
  for (double& p : predictions) p += 2;
  StatusOr<Json> s = ComputeRegressionQualityStatistics(labels, predictions);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["regression_metrics"]["mae"]["standard_deviation"], 0.0);
  EXPECT_EQ((*s)["regression_metrics"]["mse"]["standard_deviation"], 0.0);
  EXPECT_EQ((*s)["regression_metrics"]["rmse"]["standard_deviation"], 0.0);
  EXPECT_GT((*s)["regression_metrics"]["r2"]["standard_deviation"].get<double>(), 0.0);
}

TEST(ModelQualityTest, NoPairIsAnError) {
  EXPECT_FALSE(ComputeRegressionQualityStatistics({}, {}).ok());
}

TEST(ModelQualityTest, ConstraintsUseTheBaselineValuesAndTheDocumentedOperators) {
  StatusOr<Json> s = ComputeRegressionQualityStatistics({3, 5, 7, 9}, {4, 5, 5, 8});
  ASSERT_TRUE(s.ok());
  StatusOr<Json> c = SuggestRegressionConstraints(*s);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Json want = Json::parse(R"({"version": 0.0, "regression_constraints": {
      "mae":  {"threshold": 1.0, "comparison_operator": "GreaterThanThreshold"},
      "mse":  {"threshold": 1.5, "comparison_operator": "GreaterThanThreshold"},
      "rmse": {"threshold": 0, "comparison_operator": "GreaterThanThreshold"},
      "r2":   {"threshold": 0, "comparison_operator": "LessThanThreshold"}}})");
  want["regression_constraints"]["rmse"]["threshold"] = std::sqrt(1.5);
  want["regression_constraints"]["r2"]["threshold"] = 1 - 6.0 / 20.0;
  EXPECT_EQ(*c, want) << c->dump(2);
  EXPECT_FALSE(SuggestRegressionConstraints(Json::object()).ok());
}

TEST(ModelQualityTest, WorseMetricsViolateTheBaselineConstraints) {
  Json constraints = Json::parse(R"({"version": 0.0, "regression_constraints": {
      "rmse": {"threshold": 2.0, "comparison_operator": "GreaterThanThreshold"},
      "mae":  {"threshold": 1.0, "comparison_operator": "GreaterThanThreshold"},
      "r2":   {"threshold": 0.8, "comparison_operator": "LessThanThreshold"}}})");
  Json current = Json::parse(R"({"regression_metrics": {
      "rmse": {"value": 2.5, "standard_deviation": "NaN"},
      "mae":  {"value": 1.0, "standard_deviation": "NaN"},
      "r2":   {"value": 0.6, "standard_deviation": "NaN"}}})");
  StatusOr<std::vector<ModelQualityViolation>> v = CheckRegressionQuality(current, constraints);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  Json j = ModelQualityViolationsToJson(*v);
  // mae equal to its threshold is not a violation; keys come out sorted.
  EXPECT_EQ(j, Json::parse(R"({"violations": [
      {"metric_name": "r2", "constraint_check_type": "LessThanThreshold",
       "description": "Metric r2 with 0.6 was LessThanThreshold 0.8"},
      {"metric_name": "rmse", "constraint_check_type": "GreaterThanThreshold",
       "description": "Metric rmse with 2.5 was GreaterThanThreshold 2"}]})"))
      << j.dump(2);
}

TEST(ModelQualityTest, RejectsUnknownOperators) {
  Json constraints = Json::parse(R"({"regression_constraints": {
      "rmse": {"threshold": 2.0, "comparison_operator": "NotEqual"}}})");
  Json current = Json::parse(R"({"regression_metrics": {"rmse": {"value": 1.0}}})");
  EXPECT_FALSE(CheckRegressionQuality(current, constraints).ok());
  EXPECT_FALSE(CheckRegressionQuality(Json::object(), constraints).ok());
}

}  // namespace
}  // namespace mlflowctl::ml
