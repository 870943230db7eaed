#include "steps/ml/metrics.h"

#include <cmath>

#include <gtest/gtest.h>

namespace mlflowctl::ml {
namespace {

TEST(MetricsTest, MatchesHandComputedValues) {
  // errors: -1, 0, 2, 1 -> squares 1,0,4,1 (sum 6), abs 1,0,2,1 (sum 4)
  std::vector<double> labels{3, 5, 7, 9};
  std::vector<double> preds{4, 5, 5, 8};
  RegressionMetrics m = ComputeRegressionMetrics(labels, preds);
  EXPECT_EQ(m.count, 4u);
  EXPECT_DOUBLE_EQ(m.mse, 1.5);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(1.5));
  EXPECT_DOUBLE_EQ(m.mae, 1.0);
  // mean 6; SS_tot = 9+1+1+9 = 20; r2 = 1 - 6/20
  EXPECT_DOUBLE_EQ(m.r2, 0.7);
}

TEST(MetricsTest, PerfectPredictionsHaveZeroErrorAndUnitR2) {
  std::vector<double> y{1.5, 2.5, 10};
  RegressionMetrics m = ComputeRegressionMetrics(y, y);
  EXPECT_EQ(m.rmse, 0);
  EXPECT_EQ(m.mae, 0);
  EXPECT_DOUBLE_EQ(m.r2, 1.0);
}

TEST(MetricsTest, EmptyInputGivesZeroCount) {
  EXPECT_EQ(ComputeRegressionMetrics({}, {}).count, 0u);
}

}  // namespace
}  // namespace mlflowctl::ml
