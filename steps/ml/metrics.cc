#include "steps/ml/metrics.h"

#include <algorithm>
#include <cmath>

namespace mlflowctl::ml {

RegressionMetrics ComputeRegressionMetrics(const std::vector<double>& labels,
                                           const std::vector<double>& predictions) {
  RegressionMetrics m;
  m.count = std::min(labels.size(), predictions.size());
  if (m.count == 0) return m;
  double n = static_cast<double>(m.count);
  double mean = 0;
  for (std::size_t i = 0; i < m.count; ++i) mean += labels[i];
  mean /= n;
  double ss_res = 0, ss_tot = 0, abs_sum = 0;
  for (std::size_t i = 0; i < m.count; ++i) {
    double e = labels[i] - predictions[i];
    ss_res += e * e;
    abs_sum += std::abs(e);
    double d = labels[i] - mean;
    ss_tot += d * d;
  }
  m.mse = ss_res / n;
  m.rmse = std::sqrt(m.mse);
  m.mae = abs_sum / n;
  m.r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 0.0;
  return m;
}

}  // namespace mlflowctl::ml
