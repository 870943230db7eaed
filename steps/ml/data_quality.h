// Data-quality baselines and checks in SageMaker Model Monitor's file formats
// (reference/mlops-formats.md §a): statistics.json, constraints.json and
// constraint_violations.json, with Deequ's type inference, KLL distributions
// and drift distances. Pure functions over in-memory data; thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_DATA_QUALITY_H_
#define MLFLOWCTL_STEPS_ML_DATA_QUALITY_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "steps/ml/kll_sketch.h"

namespace mlflowctl::ml {

// A dataset as Model Monitor reads it: named columns of raw text. A missing
// value (an empty CSV field) is nullopt. All columns have the same length.
struct DataColumn {
  std::string name;
  std::vector<std::optional<std::string>> values;
};
struct RawDataset {
  std::vector<DataColumn> columns;
  std::size_t RowCount() const { return columns.empty() ? 0 : columns[0].values.size(); }
};

// The types Model Monitor infers ("inferred_type").
enum class InferredType { kUnknown, kIntegral, kFractional, kString };
const char* InferredTypeName(InferredType type);
// "Integral", "Fractional", "String", "Unknown" (also "Boolean" -> String).
std::optional<InferredType> ParseInferredType(std::string_view name);

// The type of one present value, as Deequ's StatefulDataType classifies it
// after trimming spaces: [+-]digits is Integral; [+-]digits.digits (either
// side may be empty, not both) is Fractional, and so is a number with an
// exponent (1e-5, which Deequ's regex misses but our CSV writers may print);
// anything else (including true/false) is String. Never kUnknown.
InferredType ClassifyValue(std::string_view value);
// The column type from its values (Deequ DataTypeHistogram.determineType):
// all missing -> Unknown; any String -> String; any Fractional -> Fractional;
// else Integral.
InferredType InferColumnType(const std::vector<std::optional<std::string>>& values);

struct DataQualityOptions {
  // "sketch.parameters" and the number of "kll.buckets".
  int sketch_size = KllSketch::kDefaultSketchSize;
  double shrinking_factor = KllSketch::kDefaultShrinkingFactor;
  int kll_buckets = KllSketch::kDefaultBuckets;
  // String features list their most frequent values (count desc, then value).
  std::size_t max_categorical_buckets = 1000;
  // string_constraints.domains is suggested, as Deequ's CategoricalRangeRule
  // does, for low-cardinality columns (at most this many distinct values,
  // Deequ's histogram limit) where at most 10% of the values occur once.
  std::size_t max_domain_size = 120;
  // monitoring_config written into constraints.json (documented defaults;
  // comparison_method "Robust" as the SageMaker SDK defaults it).
  double datatype_check_threshold = 0.1;
  double domain_content_threshold = 0.1;
  double comparison_threshold = 0.1;
  std::string comparison_method = "Robust";
  double categorical_comparison_threshold = 0.1;
  std::string categorical_drift_method = "LInfinity";
};

// statistics.json for `data`: per feature num_present/num_missing, and for
// numeric features mean, sum, std_dev (population), min, max and the KLL
// distribution; for strings distinct_count and categorical buckets.
// `types`, when given, fixes a feature's type instead of inferring it (a
// monitoring execution profiles with the baseline's types); in a numeric
// feature a value that is not a number then counts as missing.
Json ComputeStatistics(const RawDataset& data, const DataQualityOptions& options = {},
                       const std::map<std::string, InferredType>* types = nullptr);

// constraints.json suggested from a statistics.json: inferred_type,
// completeness (observed non-null fraction), num_constraints.is_non_negative
// (min >= 0) for numbers, string_constraints.domains for low-cardinality
// strings, and the monitoring_config from `options`. kInvalidArgument when
// `statistics` is not a statistics.json.
StatusOr<Json> SuggestConstraints(const Json& statistics, const DataQualityOptions& options = {});

// One entry of constraint_violations.json.
struct Violation {
  std::string feature_name;
  std::string constraint_check_type;  // data_type_check, completeness_check, ...
  std::string description;
};
Json ViolationsToJson(const std::vector<Violation>& violations);  // {"violations": [...]}

struct DataQualityReport {
  Json statistics;  // statistics.json of the current data
  std::vector<Violation> violations;
};

// A monitoring execution's data-quality check: profiles `current` with the
// baseline's types and evaluates the baseline constraints (constraints.json)
// and, when distribution_constraints.perform_comparison is enabled, the drift
// from the baseline distributions (statistics.json):
//   missing_column_check / extra_column_check: a baseline feature absent from
//     `current` / a column of `current` the baseline does not know;
//   data_type_check: the fraction of present values not of the baseline type
//     (an Integral value is fine in a Fractional feature) >
//     datatype_check_threshold;
//   completeness_check: current completeness < the baseline "completeness";
//   categorical_values_check: the fraction of present values outside
//     string_constraints.domains > domain_content_threshold;
//   baseline_drift_check: numeric features, KllDistance (Simple or Robust per
//     comparison_method) > comparison_threshold; string features, the
//     categorical_drift_method distance > categorical_comparison_threshold
//     (LInfinity; ChiSquared: Simple compares the statistic, Robust fires
//     when the p-value is below the threshold).
// Per-feature monitoringConfigOverrides / monitoring_config_overrides
// (top level or inside num/string_constraints) override those thresholds and
// evaluate_constraints. Both spellings of the documented keys are accepted.
// Descriptions use Model Monitor's wording, with doubles printed as Java
// does ("Value: 0.7 does not meet the constraint requirement! " where the
// value is the current completeness, or for categorical_values_check the
// in-domain fraction; "Baseline drift distance: 0.53 exceeds threshold:
// 0.1"). `options` sets the sketch and bucket sizes of the current profile.
// kInvalidArgument when a baseline document is malformed.
StatusOr<DataQualityReport> CheckDataQuality(const RawDataset& current,
                                             const Json& baseline_statistics,
                                             const Json& baseline_constraints,
                                             const DataQualityOptions& options = {});

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_DATA_QUALITY_H_
