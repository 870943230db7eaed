#include "steps/ml/data_quality.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "engine/base/status_macros.h"

namespace mlflowctl::ml {

namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The member at `path` below `j`, or nullptr when a step is missing.
const Json* At(const Json& j, std::initializer_list<const char*> path) {
  const Json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
  }
  return cur;
}

double NumberOr(const Json& obj, const char* key, double fallback) {
  const Json* v = At(obj, {key});
  return v != nullptr && v->is_number() ? v->get<double>() : fallback;
}

std::string StringOr(const Json& obj, const char* key) {
  const Json* v = At(obj, {key});
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// The value of a present Integral or Fractional value; nullopt otherwise.
std::optional<double> ParseNumber(std::string_view raw) {
  InferredType type = ClassifyValue(raw);
  if (type != InferredType::kIntegral && type != InferredType::kFractional) return std::nullopt;
  std::string_view s = TrimBlanks(raw);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return (!s.empty() && s.front() == '-') ? -std::numeric_limits<double>::infinity()
                                            : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

bool IsNumeric(InferredType t) {
  return t == InferredType::kIntegral || t == InferredType::kFractional;
}

// Counts per distinct present value.
std::map<std::string, double> CountValues(const std::vector<std::optional<std::string>>& values) {
  std::map<std::string, double> counts;
  for (const auto& v : values) {
    if (v) counts[*v] += 1;
  }
  return counts;
}

Json NumericStatistics(const std::vector<std::optional<std::string>>& values,
                       const DataQualityOptions& options) {
  std::vector<double> numbers;
  numbers.reserve(values.size());
  for (const auto& v : values) {
    if (!v) continue;
    std::optional<double> x = ParseNumber(*v);
    if (x && !std::isnan(*x)) numbers.push_back(*x);
  }
  Json stats;
  stats["common"] = {{"num_present", numbers.size()},
                     {"num_missing", values.size() - numbers.size()}};
  if (numbers.empty()) return stats;
  double sum = 0, min = numbers[0], max = numbers[0];
  KllSketch sketch(options.sketch_size, options.shrinking_factor);
  for (double x : numbers) {
    sum += x;
    min = std::min(min, x);
    max = std::max(max, x);
    sketch.Update(x);
  }
  const double n = static_cast<double>(numbers.size());
  const double mean = sum / n;
  double squares = 0;
  for (double x : numbers) squares += (x - mean) * (x - mean);
  stats["mean"] = mean;
  stats["sum"] = sum;
  stats["std_dev"] = std::sqrt(squares / n);  // population, as Deequ's StandardDeviation
  stats["min"] = min;
  stats["max"] = max;
  stats["distribution"] = {{"kll", sketch.DistributionJson(min, max, options.kll_buckets)}};
  return stats;
}

Json StringStatistics(const std::vector<std::optional<std::string>>& values,
                      const DataQualityOptions& options) {
  std::map<std::string, double> counts = CountValues(values);
  std::vector<std::pair<std::string, double>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > options.max_categorical_buckets) {
    sorted.resize(options.max_categorical_buckets);
  }
  std::size_t present = 0;
  for (const auto& v : values) present += v ? 1 : 0;
  Json buckets = Json::array();
  for (const auto& [value, count] : sorted) {
    buckets.push_back({{"value", value}, {"count", static_cast<uint64_t>(count)}});
  }
  return Json{{"common", {{"num_present", present}, {"num_missing", values.size() - present}}},
              {"distinct_count", static_cast<double>(counts.size())},
              {"distribution", {{"categorical", {{"buckets", std::move(buckets)}}}}}};
}

// ---- monitoring_config ----------------------------------------------------

struct MonitoringConfig {
  bool evaluate_constraints = true;
  double datatype_check_threshold = 0.1;
  double domain_content_threshold = 0.1;
  bool perform_comparison = true;
  double comparison_threshold = 0.1;
  bool robust = true;
  std::optional<double> categorical_comparison_threshold;  // default: comparison_threshold
  bool chi_squared = false;
};

Status ReadNumber(const Json& obj, const char* key, double& out) {
  if (!obj.contains(key)) return Status::Ok();
  if (!obj[key].is_number()) return InvalidArgumentError(fmt::format("{} must be a number", key));
  out = obj[key].get<double>();
  return Status::Ok();
}

Status ReadEnabled(const Json& obj, const char* key, bool& out) {
  if (!obj.contains(key)) return Status::Ok();
  const Json& v = obj[key];
  if (v.is_boolean()) {
    out = v.get<bool>();
  } else if (v.is_string() && (v == "Enabled" || v == "Disabled")) {
    out = v == "Enabled";
  } else {
    return InvalidArgumentError(fmt::format("{} must be \"Enabled\" or \"Disabled\"", key));
  }
  return Status::Ok();
}

// Applies the keys of a monitoring_config (or of a feature's overrides) that
// are present; both the documented and the SDK's spellings are accepted.
Status ApplyConfig(const Json& obj, MonitoringConfig& cfg) {
  if (!obj.is_object()) return InvalidArgumentError("monitoring_config must be an object");
  MLF_RETURN_IF_ERROR(ReadEnabled(obj, "evaluate_constraints", cfg.evaluate_constraints));
  MLF_RETURN_IF_ERROR(ReadNumber(obj, "datatype_check_threshold", cfg.datatype_check_threshold));
  MLF_RETURN_IF_ERROR(ReadNumber(obj, "domain_content_threshold", cfg.domain_content_threshold));
  const Json* dist = &obj;
  if (obj.contains("distribution_constraints")) {
    if (!obj["distribution_constraints"].is_object()) {
      return InvalidArgumentError("distribution_constraints must be an object");
    }
    dist = &obj["distribution_constraints"];
  }
  for (const Json* o : {&obj, dist}) {
    MLF_RETURN_IF_ERROR(ReadEnabled(*o, "perform_comparison", cfg.perform_comparison));
    MLF_RETURN_IF_ERROR(ReadEnabled(*o, "enable_comparisons", cfg.perform_comparison));
    MLF_RETURN_IF_ERROR(ReadNumber(*o, "comparison_threshold", cfg.comparison_threshold));
    if (o->contains("categorical_comparison_threshold")) {
      double t = 0;
      MLF_RETURN_IF_ERROR(ReadNumber(*o, "categorical_comparison_threshold", t));
      cfg.categorical_comparison_threshold = t;
    }
    if (o->contains("comparison_method")) {
      const Json& m = (*o)["comparison_method"];
      if (m == "Robust" || m == "linf_robust") {
        cfg.robust = true;
      } else if (m == "Simple" || m == "linf_simple") {
        cfg.robust = false;
      } else {
        return InvalidArgumentError(
            "comparison_method must be Simple, Robust, "
            "linf_simple or linf_robust");
      }
    }
    if (o->contains("categorical_drift_method")) {
      const Json& m = (*o)["categorical_drift_method"];
      if (m != "LInfinity" && m != "ChiSquared") {
        return InvalidArgumentError("categorical_drift_method must be LInfinity or ChiSquared");
      }
      cfg.chi_squared = m == "ChiSquared";
    }
  }
  return Status::Ok();
}

// The overrides of one constraints.json feature, wherever they sit.
Status ApplyFeatureOverrides(const Json& feature, MonitoringConfig& cfg) {
  std::vector<const Json*> holders{&feature};
  for (const char* key : {"num_constraints", "string_constraints"}) {
    if (feature.contains(key) && feature[key].is_object()) holders.push_back(&feature[key]);
  }
  for (const Json* o : holders) {
    for (const char* key : {"monitoringConfigOverrides", "monitoring_config_overrides"}) {
      if (o->contains(key)) MLF_RETURN_IF_ERROR(ApplyConfig((*o)[key], cfg));
    }
  }
  return Status::Ok();
}

const Json* FindFeature(const Json& doc, const std::string& name) {
  if (!doc.is_object() || !doc.contains("features") || !doc["features"].is_array()) return nullptr;
  for (const Json& f : doc["features"]) {
    if (f.is_object() && f.contains("name") && f["name"] == name) return &f;
  }
  return nullptr;
}

// A double as Java prints it in Model Monitor's messages: shortest
// round-trip digits, and "1.0" rather than "1".
std::string JavaDouble(double x) {
  std::string s = fmt::format("{}", x);
  if (std::isfinite(x) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string Percent(double fraction) { return JavaDouble(fraction * 100) + "%"; }

// Adds the drift violation of one feature, if any.
Status CheckDrift(const std::string& name, InferredType type,
                  const std::vector<std::optional<std::string>>& values, const Json* baseline,
                  const MonitoringConfig& cfg, std::vector<Violation>& out) {
  if (baseline == nullptr) return Status::Ok();
  double distance = 0, threshold = cfg.comparison_threshold;
  bool fires = false;
  if (IsNumeric(type)) {
    const Json* sketch_json =
        At(*baseline, {"numerical_statistics", "distribution", "kll", "sketch"});
    if (sketch_json == nullptr) return Status::Ok();
    StatusOr<KllSketch> base = KllSketch::FromJson(*sketch_json);
    if (!base.ok()) return base.status().WithContext(fmt::format("statistics of '{}'", name));
    KllSketch current(base->sketch_size(), base->shrinking_factor());
    for (const auto& v : values) {
      std::optional<double> x = v ? ParseNumber(*v) : std::nullopt;
      if (x && !std::isnan(*x)) current.Update(*x);
    }
    if (current.empty() || base->empty()) return Status::Ok();
    distance = KllDistance(current, *base, cfg.robust);
    fires = distance > threshold;
  } else if (type == InferredType::kString) {
    const Json* buckets =
        At(*baseline, {"string_statistics", "distribution", "categorical", "buckets"});
    if (buckets == nullptr || !buckets->is_array()) return Status::Ok();
    std::map<std::string, double> expected;
    for (const Json& b : *buckets) {
      if (!b.is_object() || !b.contains("value") || !b.contains("count") ||
          !b["count"].is_number()) {
        return InvalidArgumentError(
            fmt::format("statistics of '{}': a categorical bucket is {{value, count}}", name));
      }
      const Json& v = b["value"];
      expected[v.is_string() ? v.get<std::string>() : DumpJson(v)] += b["count"].get<double>();
    }
    std::map<std::string, double> sample = CountValues(values);
    if (sample.empty() || expected.empty()) return Status::Ok();
    threshold = cfg.categorical_comparison_threshold.value_or(cfg.comparison_threshold);
    if (cfg.chi_squared) {
      distance = CategoricalChiSquared(sample, expected, /*statistic=*/!cfg.robust);
      fires = !std::isnan(distance) && (cfg.robust ? distance < threshold : distance > threshold);
    } else {
      distance = CategoricalLinfDistance(sample, expected, cfg.robust);
      fires = distance > threshold;
    }
  }
  if (fires) {
    out.push_back({name, "baseline_drift_check",
                   fmt::format("Baseline drift distance: {} exceeds threshold: {}",
                               JavaDouble(distance), JavaDouble(threshold))});
  }
  return Status::Ok();
}

// The constraints.json checks of one present feature: data_type_check,
// completeness_check and categorical_values_check.
void CheckConstraints(const std::string& name, InferredType type, const Json& feature,
                      const std::vector<std::optional<std::string>>& values,
                      const MonitoringConfig& cfg, std::vector<Violation>& out) {
  // An Integral value matches a Fractional feature; a String feature
  // accepts anything.
  std::size_t present = 0, matching = 0;
  for (const auto& v : values) {
    if (!v) continue;
    ++present;
    InferredType t = ClassifyValue(*v);
    bool match = type == InferredType::kIntegral     ? t == InferredType::kIntegral
                 : type == InferredType::kFractional ? IsNumeric(t)
                                                     : true;
    matching += match ? 1 : 0;
  }
  if (present > 0 && IsNumeric(type)) {
    double match = static_cast<double>(matching) / static_cast<double>(present);
    if (1.0 - match > cfg.datatype_check_threshold) {
      out.push_back(
          {name, "data_type_check",
           fmt::format("Data type match requirement is not met. Expected data "
                       "type: {}, Expected match: {}. Observed: Only {} of data "
                       "is {}.",
                       InferredTypeName(type), Percent(1.0 - cfg.datatype_check_threshold),
                       Percent(match), InferredTypeName(type))});
    }
  }
  if (!values.empty() && feature.contains("completeness") && feature["completeness"].is_number()) {
    double completeness = static_cast<double>(present) / static_cast<double>(values.size());
    if (completeness < feature["completeness"].get<double>()) {
      out.push_back({name, "completeness_check",
                     fmt::format("Value: {} does not meet the constraint requirement! ",
                                 JavaDouble(completeness))});
    }
  }
  if (present > 0 && type == InferredType::kString && feature.contains("string_constraints") &&
      feature["string_constraints"].contains("domains") &&
      feature["string_constraints"]["domains"].is_array()) {
    std::set<std::string> domain;
    for (const Json& d : feature["string_constraints"]["domains"]) {
      domain.insert(d.is_string() ? d.get<std::string>() : DumpJson(d));
    }
    std::size_t known = 0;
    for (const auto& v : values) known += v && domain.count(*v) ? 1 : 0;
    double in_domain = static_cast<double>(known) / static_cast<double>(present);
    if (1.0 - in_domain > cfg.domain_content_threshold) {
      out.push_back({name, "categorical_values_check",
                     fmt::format("Value: {} does not meet the constraint requirement! ",
                                 JavaDouble(in_domain))});
    }
  }
}

}  // namespace

const char* InferredTypeName(InferredType type) {
  switch (type) {
    case InferredType::kIntegral:
      return "Integral";
    case InferredType::kFractional:
      return "Fractional";
    case InferredType::kString:
      return "String";
    case InferredType::kUnknown:
      break;
  }
  return "Unknown";
}

std::optional<InferredType> ParseInferredType(std::string_view name) {
  if (name == "Integral") return InferredType::kIntegral;
  if (name == "Fractional") return InferredType::kFractional;
  if (name == "String" || name == "Boolean") return InferredType::kString;
  if (name == "Unknown") return InferredType::kUnknown;
  return std::nullopt;
}

InferredType ClassifyValue(std::string_view raw) {
  std::string_view s = TrimBlanks(raw);
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsAsciiDigit(s[i])) ++i, ++int_digits;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && IsAsciiDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return InferredType::kString;
  bool exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && IsAsciiDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return InferredType::kString;
    exponent = true;
  }
  if (i != s.size()) return InferredType::kString;
  return dot || exponent ? InferredType::kFractional : InferredType::kIntegral;
}

InferredType InferColumnType(const std::vector<std::optional<std::string>>& values) {
  bool any = false, fractional = false;
  for (const auto& v : values) {
    if (!v) continue;
    any = true;
    InferredType t = ClassifyValue(*v);
    if (t == InferredType::kString) return InferredType::kString;
    fractional = fractional || t == InferredType::kFractional;
  }
  if (!any) return InferredType::kUnknown;
  return fractional ? InferredType::kFractional : InferredType::kIntegral;
}

Json ComputeStatistics(const RawDataset& data, const DataQualityOptions& options,
                       const std::map<std::string, InferredType>* types) {
  Json features = Json::array();
  for (const DataColumn& column : data.columns) {
    InferredType type = InferColumnType(column.values);
    if (types != nullptr) {
      auto it = types->find(column.name);
      if (it != types->end() && it->second != InferredType::kUnknown) type = it->second;
    }
    Json f{{"name", column.name}, {"inferred_type", InferredTypeName(type)}};
    if (IsNumeric(type)) {
      f["numerical_statistics"] = NumericStatistics(column.values, options);
    } else {
      f["string_statistics"] = StringStatistics(column.values, options);
    }
    features.push_back(std::move(f));
  }
  return Json{{"version", 0.0},
              {"dataset", {{"item_count", data.RowCount()}}},
              {"features", std::move(features)}};
}

StatusOr<Json> SuggestConstraints(const Json& statistics, const DataQualityOptions& options) {
  if (!statistics.is_object() || !statistics.contains("features") ||
      !statistics["features"].is_array()) {
    return InvalidArgumentError("statistics.json must be an object with a \"features\" array");
  }
  Json features = Json::array();
  for (const Json& f : statistics["features"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
        !f.contains("inferred_type") || !f["inferred_type"].is_string()) {
      return InvalidArgumentError("every statistics feature needs a name and an inferred_type");
    }
    std::optional<InferredType> type = ParseInferredType(f["inferred_type"].get<std::string>());
    if (!type) return InvalidArgumentError("unknown inferred_type " + DumpJson(f["inferred_type"]));
    const char* block = IsNumeric(*type) ? "numerical_statistics" : "string_statistics";
    if (!f.contains(block) || !f[block].contains("common")) {
      return InvalidArgumentError(
          fmt::format("feature '{}' has no {}.common", f["name"].get<std::string>(), block));
    }
    const Json& stats = f[block];
    double present = NumberOr(stats["common"], "num_present", 0);
    double missing = NumberOr(stats["common"], "num_missing", 0);
    Json c{{"name", f["name"]}, {"inferred_type", InferredTypeName(*type)}};
    c["completeness"] = present + missing > 0 ? present / (present + missing) : 0.0;
    if (IsNumeric(*type)) {
      c["num_constraints"] = {{"is_non_negative", NumberOr(stats, "min", 0) >= 0}};
    } else if (const Json* list = At(stats, {"distribution", "categorical", "buckets"});
               *type == InferredType::kString && list != nullptr && list->is_array()) {
      const Json& buckets = *list;
      double distinct = NumberOr(stats, "distinct_count", static_cast<double>(buckets.size()));
      std::size_t singletons = 0;
      for (const Json& b : buckets) singletons += NumberOr(b, "count", 0) == 1.0 ? 1 : 0;
      // Deequ CategoricalRangeRule: a histogram exists (low cardinality) and
      // at most 10% of the distinct values occur once.
      if (!buckets.empty() && distinct <= static_cast<double>(options.max_domain_size) &&
          static_cast<double>(buckets.size()) == distinct &&
          static_cast<double>(singletons) / static_cast<double>(buckets.size()) <= 0.1) {
        Json domains = Json::array();
        for (const Json& b : buckets) {
          if (const Json* v = At(b, {"value"})) domains.push_back(*v);
        }
        c["string_constraints"] = {{"domains", std::move(domains)}};
      }
    }
    features.push_back(std::move(c));
  }
  Json config{{"evaluate_constraints", "Enabled"},
              {"emit_metrics", "Enabled"},
              {"datatype_check_threshold", options.datatype_check_threshold},
              {"domain_content_threshold", options.domain_content_threshold},
              {"distribution_constraints",
               {{"perform_comparison", "Enabled"},
                {"comparison_threshold", options.comparison_threshold},
                {"comparison_method", options.comparison_method},
                {"categorical_comparison_threshold", options.categorical_comparison_threshold},
                {"categorical_drift_method", options.categorical_drift_method}}}};
  return Json{{"version", 0.0},
              {"features", std::move(features)},
              {"monitoring_config", std::move(config)}};
}

Json ViolationsToJson(const std::vector<Violation>& violations) {
  Json list = Json::array();
  for (const Violation& v : violations) {
    list.push_back({{"feature_name", v.feature_name},
                    {"constraint_check_type", v.constraint_check_type},
                    {"description", v.description}});
  }
  return Json{{"violations", std::move(list)}};
}

StatusOr<DataQualityReport> CheckDataQuality(const RawDataset& current,
                                             const Json& baseline_statistics,
                                             const Json& baseline_constraints,
                                             const DataQualityOptions& options) {
  if (!baseline_constraints.is_object() || !baseline_constraints.contains("features") ||
      !baseline_constraints["features"].is_array()) {
    return InvalidArgumentError("constraints.json must be an object with a \"features\" array");
  }
  if (!baseline_statistics.is_object()) {
    return InvalidArgumentError("statistics.json must be an object");
  }
  MonitoringConfig global;
  if (baseline_constraints.contains("monitoring_config")) {
    MLF_RETURN_IF_ERROR(ApplyConfig(baseline_constraints["monitoring_config"], global)
                            .WithContext("constraints.json monitoring_config"));
  }
  // The baseline's types, so the current data is profiled the same way.
  std::map<std::string, InferredType> types;
  std::vector<std::pair<std::string, const Json*>> features;
  for (const Json& f : baseline_constraints["features"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return InvalidArgumentError("every constraints.json feature needs a string \"name\"");
    }
    std::string name = f["name"].get<std::string>();
    const Json* stats = FindFeature(baseline_statistics, name);
    std::string type_name = StringOr(f, "inferred_type");
    if (type_name.empty() && stats != nullptr) type_name = StringOr(*stats, "inferred_type");
    std::optional<InferredType> type = ParseInferredType(type_name);
    if (!type) {
      return InvalidArgumentError(
          fmt::format("feature '{}': unknown inferred_type '{}'", name, type_name));
    }
    types[name] = *type;
    features.emplace_back(name, &f);
  }
  DataQualityReport report;
  report.statistics = ComputeStatistics(current, options, &types);

  std::map<std::string, std::size_t> current_index;
  for (std::size_t i = 0; i < current.columns.size(); ++i) {
    current_index.emplace(current.columns[i].name, i);
  }
  std::vector<Violation>& out = report.violations;
  for (const auto& [name, feature] : features) {
    MonitoringConfig cfg = global;
    MLF_RETURN_IF_ERROR(
        ApplyFeatureOverrides(*feature, cfg).WithContext(fmt::format("feature '{}'", name)));
    auto it = current_index.find(name);
    if (it == current_index.end()) {
      out.push_back({name, "missing_column_check",
                     fmt::format("There are missing columns in current dataset. Number of "
                                 "columns in current dataset: {}, Number of columns in "
                                 "baseline constraints: {}",
                                 current.columns.size(), features.size())});
      continue;
    }
    const auto& values = current.columns[it->second].values;
    const InferredType type = types[name];
    if (cfg.evaluate_constraints) CheckConstraints(name, type, *feature, values, cfg, out);
    if (cfg.perform_comparison) {
      MLF_RETURN_IF_ERROR(
          CheckDrift(name, type, values, FindFeature(baseline_statistics, name), cfg, out));
    }
  }
  for (const DataColumn& column : current.columns) {
    if (types.count(column.name)) continue;
    out.push_back({column.name, "extra_column_check",
                   fmt::format("There are extra columns in current dataset. Number of columns "
                               "in current dataset: {}, Number of columns in baseline "
                               "constraints: {}",
                               current.columns.size(), features.size())});
  }
  return report;
}

}  // namespace mlflowctl::ml
