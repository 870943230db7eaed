// Model-quality baselines and checks for regression in SageMaker Model
// Monitor's formats (reference/mlops-formats.md §a, "Model-quality baseline
// for regression"): statistics with "regression_metrics" {mae, mse, rmse, r2}
// each {value, standard_deviation}, constraints "regression_constraints"
// {metric: {threshold, comparison_operator}}, and violations named by the
// operator. Pure functions; thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_MODEL_QUALITY_H_
#define MLFLOWCTL_STEPS_ML_MODEL_QUALITY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"

namespace mlflowctl::ml {

struct ModelQualityOptions {
  // Model Monitor reports a metric's standard deviation only with at least
  // 200 samples: it samples 80% of the data 5 times and takes the standard
  // deviation of the metric over those samples; otherwise "NaN".
  std::size_t min_samples_for_std = 200;
  int rounds = 5;
  double sample_fraction = 0.8;
  uint64_t seed = 0;  // SplitMix64 seed of the samples: same data, same file
  // dataset.evaluation_time when not empty ("2020-12-03T05:43:55.934Z").
  std::string evaluation_time;
};

// The model-quality statistics of `predictions` against `labels` (same size;
// the shorter one counts):
//   {"version": 0.0, "dataset": {"item_count": n[, "evaluation_time": t]},
//    "regression_metrics": {"mae": {"value": v, "standard_deviation": s}, ...}}
// Values come from ComputeRegressionMetrics; s is the population standard
// deviation of the metric over `rounds` samples without replacement of
// floor(fraction * n) rows, or the string "NaN" below min_samples_for_std.
// kInvalidArgument when there is no pair.
StatusOr<Json> ComputeRegressionQualityStatistics(const std::vector<double>& labels,
                                                  const std::vector<double>& predictions,
                                                  const ModelQualityOptions& options = {});

// The constraints suggested from those statistics: each metric's baseline
// value as threshold; mae, mse and rmse fire when GreaterThanThreshold, r2
// when LessThanThreshold:
//   {"version": 0.0, "regression_constraints": {"mae": {"threshold": v,
//    "comparison_operator": "GreaterThanThreshold"}, ...}}
// kInvalidArgument when `statistics` has no regression_metrics.
StatusOr<Json> SuggestRegressionConstraints(const Json& statistics);

// One model-quality violation:
// {"constraint_check_type": "GreaterThanThreshold", "description": "Metric
// rmse with 2.5 was GreaterThanThreshold 2.0", "metric_name": "rmse"}.
struct ModelQualityViolation {
  std::string metric_name;
  std::string constraint_check_type;  // the comparison_operator that fired
  std::string description;
};
Json ModelQualityViolationsToJson(const std::vector<ModelQualityViolation>& violations);

// Evaluates a monitoring execution's statistics against the baseline
// constraints: a metric violates when its value is greater than
// (GreaterThanThreshold) or less than (LessThanThreshold) the threshold.
// Metrics absent from `statistics` are skipped. kInvalidArgument when a
// document is malformed or an operator is unknown.
StatusOr<std::vector<ModelQualityViolation>> CheckRegressionQuality(const Json& statistics,
                                                                    const Json& constraints);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_MODEL_QUALITY_H_
