// Regression metrics as SageMaker reports them (validation:rmse, mae, mse,
// r2). Pure functions; thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_METRICS_H_
#define MLFLOWCTL_STEPS_ML_METRICS_H_

#include <cstddef>
#include <vector>

namespace mlflowctl::ml {

struct RegressionMetrics {
  double rmse = 0;
  double mse = 0;
  double mae = 0;
  double r2 = 0;  // 1 - SS_res / SS_tot; 0 when the labels are constant
  std::size_t count = 0;
};

// `labels` and `predictions` have the same size (the shorter one counts).
RegressionMetrics ComputeRegressionMetrics(const std::vector<double>& labels,
                                           const std::vector<double>& predictions);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_METRICS_H_
