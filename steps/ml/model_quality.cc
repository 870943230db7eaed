#include "steps/ml/model_quality.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "steps/ml/dataset.h"
#include "steps/ml/metrics.h"

namespace mlflowctl::ml {

namespace {

constexpr const char* kMetricNames[] = {"mae", "mse", "rmse", "r2"};
constexpr char kGreater[] = "GreaterThanThreshold";
constexpr char kLess[] = "LessThanThreshold";

double MetricValue(const RegressionMetrics& m, std::string_view name) {
  if (name == "mae") return m.mae;
  if (name == "mse") return m.mse;
  if (name == "rmse") return m.rmse;
  return m.r2;
}

double PopulationStdDev(const std::vector<double>& xs) {
  double mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
  double squares = 0;
  for (double x : xs) squares += (x - mean) * (x - mean);
  return std::sqrt(squares / static_cast<double>(xs.size()));
}

const Json* RegressionMetricsOf(const Json& statistics) {
  if (!statistics.is_object() || !statistics.contains("regression_metrics") ||
      !statistics["regression_metrics"].is_object()) {
    return nullptr;
  }
  return &statistics["regression_metrics"];
}

}  // namespace

StatusOr<Json> ComputeRegressionQualityStatistics(const std::vector<double>& labels,
                                                  const std::vector<double>& predictions,
                                                  const ModelQualityOptions& options) {
  const std::size_t n = std::min(labels.size(), predictions.size());
  if (n == 0) return InvalidArgumentError("model quality needs at least one prediction and label");
  RegressionMetrics all = ComputeRegressionMetrics(labels, predictions);

  // Model Monitor: "randomly sampling 80% of the data 5 times ... taking the
  // standard deviation". Each round draws a fresh sample without replacement
  // (a partial Fisher-Yates shuffle driven by one seeded SplitMix64).
  std::vector<std::vector<double>> per_round(std::size(kMetricNames));
  const bool with_std = n >= options.min_samples_for_std && options.rounds >= 2;
  if (with_std) {
    SplitMix64 rng(options.seed);
    std::size_t k = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::floor(options.sample_fraction * static_cast<double>(n))));
    k = std::min(k, n);
    std::vector<std::size_t> order(n);
    std::vector<double> ys(k), ps(k);
    for (int round = 0; round < options.rounds; ++round) {
      std::iota(order.begin(), order.end(), std::size_t{0});
      for (std::size_t i = 0; i < k; ++i) {
        std::size_t j = i + static_cast<std::size_t>(rng.Below(n - i));
        std::swap(order[i], order[j]);
        ys[i] = labels[order[i]];
        ps[i] = predictions[order[i]];
      }
      RegressionMetrics m = ComputeRegressionMetrics(ys, ps);
      for (std::size_t i = 0; i < std::size(kMetricNames); ++i) {
        per_round[i].push_back(MetricValue(m, kMetricNames[i]));
      }
    }
  }
  Json metrics = Json::object();
  for (std::size_t i = 0; i < std::size(kMetricNames); ++i) {
    Json entry{{"value", MetricValue(all, kMetricNames[i])}};
    entry["standard_deviation"] = with_std ? Json(PopulationStdDev(per_round[i])) : Json("NaN");
    metrics[kMetricNames[i]] = std::move(entry);
  }
  Json dataset{{"item_count", n}};
  if (!options.evaluation_time.empty()) dataset["evaluation_time"] = options.evaluation_time;
  return Json{{"version", 0.0},
              {"dataset", std::move(dataset)},
              {"regression_metrics", std::move(metrics)}};
}

StatusOr<Json> SuggestRegressionConstraints(const Json& statistics) {
  const Json* metrics = RegressionMetricsOf(statistics);
  if (metrics == nullptr) {
    return InvalidArgumentError("model-quality statistics need a \"regression_metrics\" object");
  }
  Json constraints = Json::object();
  for (const char* name : kMetricNames) {
    if (!metrics->contains(name)) continue;
    const Json& m = (*metrics)[name];
    if (!m.is_object() || !m.contains("value") || !m["value"].is_number()) {
      return InvalidArgumentError(
          fmt::format("regression_metrics.{}.value must be a number", name));
    }
    constraints[name] = {
        {"threshold", m["value"].get<double>()},
        {"comparison_operator", std::string_view(name) == "r2" ? kLess : kGreater}};
  }
  return Json{{"version", 0.0}, {"regression_constraints", std::move(constraints)}};
}

Json ModelQualityViolationsToJson(const std::vector<ModelQualityViolation>& violations) {
  Json list = Json::array();
  for (const ModelQualityViolation& v : violations) {
    list.push_back({{"metric_name", v.metric_name},
                    {"constraint_check_type", v.constraint_check_type},
                    {"description", v.description}});
  }
  return Json{{"violations", std::move(list)}};
}

StatusOr<std::vector<ModelQualityViolation>> CheckRegressionQuality(const Json& statistics,
                                                                    const Json& constraints) {
  const Json* metrics = RegressionMetricsOf(statistics);
  if (metrics == nullptr) {
    return InvalidArgumentError("model-quality statistics need a \"regression_metrics\" object");
  }
  if (!constraints.is_object() || !constraints.contains("regression_constraints") ||
      !constraints["regression_constraints"].is_object()) {
    return InvalidArgumentError(
        "model-quality constraints need a \"regression_constraints\" object");
  }
  std::vector<ModelQualityViolation> out;
  for (const auto& [name, c] : constraints["regression_constraints"].items()) {
    if (!c.is_object() || !c.contains("threshold") || !c["threshold"].is_number() ||
        !c.contains("comparison_operator") || !c["comparison_operator"].is_string()) {
      return InvalidArgumentError(
          fmt::format("regression_constraints.{} needs a numeric threshold and "
                      "a comparison_operator",
                      name));
    }
    const std::string op = c["comparison_operator"].get<std::string>();
    if (op != kGreater && op != kLess) {
      return InvalidArgumentError(
          fmt::format("regression_constraints.{}: unknown comparison_operator '{}'", name, op));
    }
    if (!metrics->contains(name) || !(*metrics)[name].is_object() ||
        !(*metrics)[name].contains("value") || !(*metrics)[name]["value"].is_number()) {
      continue;
    }
    const double value = (*metrics)[name]["value"].get<double>();
    const double threshold = c["threshold"].get<double>();
    if (op == kGreater ? value > threshold : value < threshold) {
      out.push_back(
          {name, op, fmt::format("Metric {} with {} was {} {}", name, value, op, threshold)});
    }
  }
  return out;
}

}  // namespace mlflowctl::ml
