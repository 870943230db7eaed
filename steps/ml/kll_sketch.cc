#include "steps/ml/kll_sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

namespace mlflowctl::ml {

namespace {

// Deequ Distance.defaultCAlpha: c(alpha) for alpha = 0.003.
constexpr double kDefaultCAlpha = 1.8;

// Regularised upper incomplete gamma Q(a, x) (series for x < a + 1, else
// Lentz's continued fraction), for the chi-square p-value.
double GammaQ(double a, double x) {
  if (x <= 0) return 1.0;
  const double log_prefix = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1) {
    double term = 1.0 / a, sum = term, ap = a;
    for (int i = 0; i < 1000 && std::abs(term) > std::abs(sum) * 1e-16; ++i) {
      ap += 1;
      term *= x / ap;
      sum += term;
    }
    return 1.0 - sum * std::exp(log_prefix);
  }
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-16) break;
  }
  return std::exp(log_prefix) * h;
}

// The smallest entry by value, ties broken by key (Deequ's minBy leaves ties
// to hash order; we make them deterministic).
std::map<std::string, double>::iterator MinEntry(std::map<std::string, double>& m) {
  return std::min_element(m.begin(), m.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
}

}  // namespace

KllSketch::KllSketch(int sketch_size, double shrinking_factor)
    : sketch_size_(std::max(1, sketch_size)),
      shrinking_factor_(shrinking_factor > 0 && shrinking_factor <= 1 ? shrinking_factor
                                                                      : kDefaultShrinkingFactor) {
  Expand();
}

// Deequ QuantileNonSample.capacity: 2 * (ceil(k * c^height / 2) + 1). Level 0
// is the largest (unlike the KLL paper, capacities do not depend on the
// number of levels).
int KllSketch::Capacity(std::size_t height) const {
  double scaled = sketch_size_ * std::pow(shrinking_factor_, static_cast<double>(height)) / 2;
  return 2 * (static_cast<int>(std::ceil(scaled)) + 1);
}

std::size_t KllSketch::CapacityTotal() const {
  std::size_t total = 0;
  for (std::size_t h = 0; h < levels_.size(); ++h) total += Capacity(h);
  return total;
}

std::size_t KllSketch::ItemCount() const {
  std::size_t n = 0;
  for (const auto& level : levels_) n += level.size();
  return n;
}

void KllSketch::Expand() {
  levels_.emplace_back();
  num_compress_.push_back(0);
  offset_.push_back(0);
  total_capacity_ = CapacityTotal();
}

void KllSketch::Update(double item) {
  levels_[0].push_back(item);
  ++actual_size_;
  if (actual_size_ > total_capacity_) Condense();
}

// Deequ QuantileNonSample.condense: compacts the lowest level at capacity
// (one level per call) and promotes its output one level up.
void KllSketch::Condense() {
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() >= static_cast<std::size_t>(Capacity(h))) {
      if (h + 1 >= levels_.size()) Expand();
      std::vector<double> promoted = Compact(h);
      levels_[h + 1].insert(levels_[h + 1].end(), promoted.begin(), promoted.end());
      actual_size_ = ItemCount();
      return;
    }
  }
}

// Deequ NonSampleCompactor.compact: sorts the first even-sized part of the
// buffer and keeps every other item starting at `offset`; the offset flips on
// every odd-numbered compaction (the random choice on even ones is disabled
// in Deequ). An odd last item (the most recently added) stays behind.
std::vector<double> KllSketch::Compact(std::size_t height) {
  std::vector<double>& buffer = levels_[height];
  std::size_t items = buffer.size();
  std::size_t len = items - (items % 2);
  if (num_compress_[height] % 2 == 1) offset_[height] = 1 - offset_[height];
  std::vector<double> sorted(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(len));
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> output;
  output.reserve(len / 2);
  for (std::size_t i = static_cast<std::size_t>(offset_[height]); i < len; i += 2) {
    output.push_back(sorted[i]);
  }
  std::vector<double> rest;
  if (items % 2 == 1) rest.push_back(buffer[items - 1]);
  buffer = std::move(rest);
  ++num_compress_[height];
  return output;
}

void KllSketch::Merge(const KllSketch& other) {
  while (levels_.size() < other.levels_.size()) Expand();
  for (std::size_t h = 0; h < other.levels_.size(); ++h) {
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  }
  actual_size_ = ItemCount();
  // While the sketch is over capacity some level is at capacity, so each
  // Condense compacts and the loop ends.
  while (actual_size_ >= total_capacity_) {
    std::size_t before = actual_size_;
    Condense();
    if (actual_size_ >= before) break;
  }
}

uint64_t KllSketch::Rank(double x) const {
  uint64_t rank = 0;
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    for (double item : levels_[h]) {
      if (!(item > x)) rank += uint64_t{1} << h;
    }
  }
  return rank;
}

uint64_t KllSketch::RankExclusive(double x) const {
  uint64_t rank = 0;
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    for (double item : levels_[h]) {
      if (item < x) rank += uint64_t{1} << h;
    }
  }
  return rank;
}

uint64_t KllSketch::TotalWeight() const {
  uint64_t total = 0;
  for (std::size_t h = 0; h < levels_.size(); ++h) total += levels_[h].size() * (uint64_t{1} << h);
  return total;
}

std::vector<std::pair<double, uint64_t>> KllSketch::RankMap() const {
  std::map<double, uint64_t> weights;
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    for (double item : levels_[h]) weights[item] += uint64_t{1} << h;
  }
  std::vector<std::pair<double, uint64_t>> ranks;
  ranks.reserve(weights.size());
  uint64_t running = 0;
  for (const auto& [item, weight] : weights) {
    running += weight;
    ranks.emplace_back(item, running);
  }
  return ranks;
}

std::vector<double> KllSketch::Quantiles(int q) const {
  std::vector<std::pair<double, uint64_t>> items;
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    for (double item : levels_[h]) items.emplace_back(item, uint64_t{1} << h);
  }
  if (items.empty() || q < 2) return {};
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  uint64_t total = 0;
  for (const auto& it : items) total += it.second;
  const uint64_t uq = static_cast<uint64_t>(q);
  std::vector<double> quantiles(static_cast<std::size_t>(q - 1), items[0].first);
  uint64_t next_thresh = total / uq;
  uint64_t cur_q = 1;
  std::size_t i = 0;
  uint64_t sum_so_far = 0;
  while (i < items.size() && cur_q < uq) {
    while (sum_so_far < next_thresh && i < items.size()) {
      sum_so_far += items[i].second;
      ++i;
    }
    quantiles[cur_q - 1] = items[std::min(i, items.size() - 1)].first;
    ++cur_q;
    next_thresh = cur_q * total / uq;
  }
  return quantiles;
}

Json KllSketch::ToJson() const {
  Json data = Json::array();
  for (const auto& level : levels_) data.push_back(level);
  return Json{{"parameters", {{"c", shrinking_factor_}, {"k", static_cast<double>(sketch_size_)}}},
              {"data", std::move(data)}};
}

StatusOr<KllSketch> KllSketch::FromJson(const Json& sketch) {
  if (!sketch.is_object() || !sketch.contains("parameters") || !sketch.contains("data") ||
      !sketch["parameters"].is_object() || !sketch["data"].is_array()) {
    return InvalidArgumentError(
        "a KLL sketch is {\"parameters\": {\"c\": ..., "
        "\"k\": ...}, \"data\": [[...], ...]}");
  }
  const Json& params = sketch["parameters"];
  double c = kDefaultShrinkingFactor;
  double k = kDefaultSketchSize;
  if (params.contains("c")) {
    if (!params["c"].is_number())
      return InvalidArgumentError("sketch parameter c must be a number");
    c = params["c"].get<double>();
  }
  if (params.contains("k")) {
    if (!params["k"].is_number())
      return InvalidArgumentError("sketch parameter k must be a number");
    k = params["k"].get<double>();
  }
  if (!(c > 0 && c <= 1) || !(k >= 1 && k <= 1e9)) {
    return InvalidArgumentError(fmt::format("sketch parameters out of range: c={}, k={}", c, k));
  }
  const Json& data = sketch["data"];
  if (data.size() > 62) return InvalidArgumentError("a KLL sketch has at most 62 levels");
  KllSketch result(static_cast<int>(k), c);
  result.levels_.clear();
  result.num_compress_.clear();
  result.offset_.clear();
  for (std::size_t h = 0; h < data.size(); ++h) {
    if (!data[h].is_array()) {
      return InvalidArgumentError(fmt::format("sketch data[{}] must be an array of numbers", h));
    }
    std::vector<double> level;
    level.reserve(data[h].size());
    for (const Json& v : data[h]) {
      if (!v.is_number()) {
        return InvalidArgumentError(fmt::format("sketch data[{}] must hold only numbers", h));
      }
      level.push_back(v.get<double>());
    }
    result.levels_.push_back(std::move(level));
    result.num_compress_.push_back(0);
    result.offset_.push_back(0);
  }
  if (result.levels_.empty()) result.Expand();
  result.actual_size_ = result.ItemCount();
  result.total_capacity_ = result.CapacityTotal();
  return result;
}

Json KllSketch::DistributionJson(double min, double max, int buckets) const {
  Json list = Json::array();
  const double nb = static_cast<double>(buckets);
  for (int i = 0; i < buckets; ++i) {
    // Deequ: start + (end - start) * i / bins, with the last bucket closed.
    double low = min + (max - min) * i / nb;
    double high = min + (max - min) * (i + 1) / nb;
    uint64_t upto = (i == buckets - 1) ? Rank(high) : RankExclusive(high);
    uint64_t below = RankExclusive(low);
    list.push_back(
        {{"lower_bound", low}, {"upper_bound", high}, {"count", upto >= below ? upto - below : 0}});
  }
  return Json{{"buckets", std::move(list)}, {"sketch", ToJson()}};
}

double RobustLinf(double linf_simple, double n, double m, std::optional<double> alpha) {
  double c_alpha = alpha ? std::sqrt(-std::log(*alpha / 2) * 1 / 2) : kDefaultCAlpha;
  return std::max(0.0, linf_simple - c_alpha * std::sqrt((n + m) / (n * m)));
}

double KllDistance(const KllSketch& a, const KllSketch& b, bool robust,
                   std::optional<double> alpha) {
  std::vector<std::pair<double, uint64_t>> ranks_a = a.RankMap();
  std::vector<std::pair<double, uint64_t>> ranks_b = b.RankMap();
  if (ranks_a.empty() || ranks_b.empty()) return 0.0;
  const double n = static_cast<double>(ranks_a.back().second);
  const double m = static_cast<double>(ranks_b.back().second);
  // Walk the union of items in order; a rank map's rank at x is the rank of
  // its largest item <= x.
  double linf = 0.0;
  std::size_t i = 0, j = 0;
  uint64_t rank_a = 0, rank_b = 0;
  while (i < ranks_a.size() || j < ranks_b.size()) {
    double x;
    if (j >= ranks_b.size() || (i < ranks_a.size() && ranks_a[i].first <= ranks_b[j].first)) {
      x = ranks_a[i].first;
    } else {
      x = ranks_b[j].first;
    }
    while (i < ranks_a.size() && ranks_a[i].first <= x) rank_a = ranks_a[i++].second;
    while (j < ranks_b.size() && ranks_b[j].first <= x) rank_b = ranks_b[j++].second;
    linf = std::max(linf, std::abs(rank_a / n - rank_b / m));
  }
  return robust ? RobustLinf(linf, n, m, alpha) : linf;
}

double CategoricalLinfDistance(const std::map<std::string, double>& a,
                               const std::map<std::string, double>& b, bool robust,
                               std::optional<double> alpha) {
  double n = 0, m = 0;
  for (const auto& [k, v] : a) n += v;
  for (const auto& [k, v] : b) m += v;
  if (n <= 0 || m <= 0) return 0.0;
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  double linf = 0;
  for (const std::string& k : keys) {
    auto ia = a.find(k);
    auto ib = b.find(k);
    double fa = (ia == a.end() ? 0.0 : ia->second) / n;
    double fb = (ib == b.end() ? 0.0 : ib->second) / m;
    linf = std::max(linf, std::abs(fa - fb));
  }
  return robust ? RobustLinf(linf, n, m, alpha) : linf;
}

double CategoricalChiSquared(const std::map<std::string, double>& sample_in,
                             const std::map<std::string, double>& expected_in, bool statistic) {
  double sample_sum = 0, expected_sum = 0;
  for (const auto& [k, v] : sample_in) {
    if (expected_in.count(k)) sample_sum += v;
  }
  for (const auto& [k, v] : expected_in) expected_sum += v;
  std::map<std::string, double> sample = sample_in;
  std::map<std::string, double> expected;
  for (const auto& [k, v] : expected_in) {
    expected[k] = expected_sum > 0 ? v / expected_sum * sample_sum : 0.0;
  }
  // Deequ regroupCategories: merge the smallest expected category into the
  // next smallest until few enough are below the threshold.
  while (expected.size() >= 2) {
    double abs_threshold = 10;  // Cochran, 2 categories
    std::size_t max_below = 0;
    if (expected.size() > 2) {
      abs_threshold = 5;  // Yates
      max_below = static_cast<std::size_t>(0.2 * static_cast<double>(expected.size()));
    }
    std::size_t below = 0;
    for (const auto& [k, v] : expected) below += v < abs_threshold ? 1 : 0;
    if (below <= max_below) break;
    auto min_it = MinEntry(expected);
    std::string min_key = min_it->first;
    double min_value = min_it->second;
    double sample_min = sample.count(min_key) ? sample[min_key] : 0.0;
    expected.erase(min_it);
    sample.erase(min_key);
    auto second = MinEntry(expected);
    double sample_second = sample.count(second->first) ? sample[second->first] : 0.0;
    second->second += min_value;
    sample[second->first] = sample_min + sample_second;
  }
  if (sample.size() < 2 || expected.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  // Spark Statistics.chiSqTest(observed, expected) goodness of fit.
  double chi2 = 0;
  for (const auto& [k, e] : expected) {
    auto it = sample.find(k);
    double o = it == sample.end() ? 0.0 : it->second;
    if (e <= 0) {
      if (o > 0) return statistic ? std::numeric_limits<double>::infinity() : 0.0;
      continue;
    }
    chi2 += (o - e) * (o - e) / e;
  }
  if (statistic) return chi2;
  double dof = static_cast<double>(expected.size() - 1);
  return GammaQ(dof / 2, chi2 / 2);
}

}  // namespace mlflowctl::ml
