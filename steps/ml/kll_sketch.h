// KllSketch: the KLL quantile sketch exactly as Deequ's QuantileNonSample
// builds it (the engine behind SageMaker Model Monitor), so the "kll" block of
// statistics.json matches Model Monitor's; and Deequ's Distance functions
// used by baseline_drift_check (over sketches and categorical histograms).
// Deterministic: Deequ's compactor alternates its offset (0,1,1,0,0,1,...)
// with the random choice disabled, and so do we. A value type; not
// thread-safe for concurrent mutation, const methods may be shared.
#ifndef MLFLOWCTL_STEPS_ML_KLL_SKETCH_H_
#define MLFLOWCTL_STEPS_ML_KLL_SKETCH_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"

namespace mlflowctl::ml {

class KllSketch {
 public:
  // Model Monitor's parameters: "sketch": {"parameters": {"c": 0.64, "k":
  // 2048}}.
  static constexpr int kDefaultSketchSize = 2048;
  static constexpr double kDefaultShrinkingFactor = 0.64;
  // Model Monitor always materialises 10 equal-width buckets (min..max).
  static constexpr int kDefaultBuckets = 10;

  // `sketch_size` (k) >= 1 and 0 < `shrinking_factor` (c) <= 1; other values
  // are clamped.
  explicit KllSketch(int sketch_size = kDefaultSketchSize,
                     double shrinking_factor = kDefaultShrinkingFactor);

  // Adds one item (Deequ QuantileNonSample.update; NaN is the caller's to
  // skip).
  void Update(double item);
  // Merges `other` into this sketch (Deequ QuantileNonSample.merge).
  void Merge(const KllSketch& other);

  // Weight of the items <= x (inclusive rank) and < x (exclusive rank); an
  // item at compactor level h weighs 2^h.
  uint64_t Rank(double x) const;
  uint64_t RankExclusive(double x) const;
  // Sum of all weights (the number of items seen, up to compaction rounding).
  uint64_t TotalWeight() const;
  // Sorted distinct items with their inclusive rank (Deequ getRankMap).
  std::vector<std::pair<double, uint64_t>> RankMap() const;
  // The q-quantiles 1/q .. (q-1)/q (Deequ quantiles(q)); empty if no items.
  std::vector<double> Quantiles(int q) const;
  bool empty() const { return TotalWeight() == 0; }

  int sketch_size() const { return sketch_size_; }
  double shrinking_factor() const { return shrinking_factor_; }
  // The compactor buffers, level 0 first (statistics.json "sketch.data").
  const std::vector<std::vector<double>>& levels() const { return levels_; }

  // {"parameters": {"c": c, "k": k}, "data": [[...], ...]}.
  Json ToJson() const;
  // Rebuilds a sketch from that block (Deequ reconstruct); kInvalidArgument
  // when the block is malformed.
  static StatusOr<KllSketch> FromJson(const Json& sketch);

  // The "kll" block of statistics.json: `buckets` equal-width buckets from
  // `min` to `max` (counts are sketch weights, the last bucket closed) and
  // the "sketch" block, as Deequ's KLLSketch.computeMetricFrom builds them.
  Json DistributionJson(double min, double max, int buckets = kDefaultBuckets) const;

 private:
  int Capacity(std::size_t height) const;
  std::size_t CapacityTotal() const;
  std::size_t ItemCount() const;
  void Expand();
  void Condense();
  // NonSampleCompactor.compact on level `height`: returns the items promoted.
  std::vector<double> Compact(std::size_t height);

  int sketch_size_;
  double shrinking_factor_;
  std::vector<std::vector<double>> levels_;
  std::vector<int> num_compress_;  // per level
  std::vector<int> offset_;        // per level
  std::size_t actual_size_ = 0;
  std::size_t total_capacity_ = 0;
};

// Deequ Distance.numericalDistance: the L-infinity distance between the
// CDFs of two sketches, max over the union of items of |rank1(x)/n -
// rank2(x)/m|. When `robust`, returns max(0, d - c_alpha*sqrt((n+m)/(n*m)))
// with c_alpha = 1.8 unless `alpha` is given (c_alpha = sqrt(-ln(alpha/2)/2)).
// 0 when either sketch is empty.
double KllDistance(const KllSketch& a, const KllSketch& b, bool robust,
                   std::optional<double> alpha = std::nullopt);

// The two-sample K-S correction used by both distances (Deequ selectMetrics).
double RobustLinf(double linf_simple, double n, double m, std::optional<double> alpha);

// Deequ Distance.categoricalDistance with LInfinityMethod: max over the union
// of categories of |count_a(c)/n - count_b(c)/m| (per-category frequencies,
// a missing category counts 0), with the K-S correction when `robust`.
double CategoricalLinfDistance(const std::map<std::string, double>& a,
                               const std::map<std::string, double>& b, bool robust,
                               std::optional<double> alpha = std::nullopt);

// Deequ Distance.categoricalDistance with ChisquareMethod: a chi-square
// goodness-of-fit test of `sample` against `expected` rescaled to the
// sample's total (over the expected categories), after regrouping small
// expected categories (2 categories: each >= 10, Cochran; more: at most 20%
// below 5, Yates). Returns the statistic when `statistic` is true, else the
// p-value; NaN when fewer than 2 categories remain.
double CategoricalChiSquared(const std::map<std::string, double>& sample,
                             const std::map<std::string, double>& expected, bool statistic);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_KLL_SKETCH_H_
