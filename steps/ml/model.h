// Model: a trained regression model loaded from a model directory, the one
// prediction path shared by evaluation, deployment, serving and batch
// scoring. A model directory (written by mlflowctl:train) holds
// metadata.json plus the algorithm's file (xgboost-model.json or
// linear-model.json). Also the SageMaker-style hyperparameter helpers that
// both algorithms use.
// Thread-safety: a loaded Model is immutable apart from internal caches;
// Predict may be called from many threads at once.
#ifndef MLFLOWCTL_STEPS_ML_MODEL_H_
#define MLFLOWCTL_STEPS_ML_MODEL_H_

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"

namespace mlflowctl::ml {

inline constexpr char kMetadataFile[] = "metadata.json";
inline constexpr char kXgboostModelFile[] = "xgboost-model.json";
inline constexpr char kLinearModelFile[] = "linear-model.json";
inline constexpr char kXgboostAlgorithm[] = "xgboost";
inline constexpr char kLinearLearnerAlgorithm[] = "linear-learner";

// metadata.json: {"algorithm", "features", "feature_count",
// "hyperparameters", "metrics", ...}. `extra` keeps any other members so a
// read-modify-write does not lose them.
struct ModelMetadata {
  std::string algorithm;              // kXgboostAlgorithm or kLinearLearnerAlgorithm
  std::vector<std::string> features;  // model input columns in order; may be empty
  std::size_t feature_count = 0;
  Json hyperparameters = Json::object();  // name -> string, defaults included
  Json metrics = Json::object();          // {"validation": {...}, "train": {...}}
  Json extra = Json::object();

  Json ToJson() const;
  // kInvalidArgument naming the member when `j` does not have this shape.
  static StatusOr<ModelMetadata> FromJson(const Json& j);
};

// Writes `<dir>/metadata.json` (replacing it atomically). kUnavailable when
// the file cannot be written.
Status WriteModelMetadata(const std::string& dir, const ModelMetadata& metadata);

class Model {
 public:
  virtual ~Model() = default;

  // Loads the model in `dir`: reads metadata.json and the algorithm's file.
  // kNotFound when the directory or a file is missing; kInvalidArgument when
  // the metadata names an unknown algorithm or disagrees with the model
  // file; kDataLoss when the model file cannot be parsed.
  static StatusOr<std::unique_ptr<Model>> Load(const std::string& dir);

  const ModelMetadata& metadata() const { return metadata_; }
  std::size_t feature_count() const { return metadata_.feature_count; }

  // Predicts one value per row of the dense row-major matrix `row_major`
  // (n_rows x n_cols). kInvalidArgument when n_cols is not feature_count()
  // or the sizes disagree; kInternal when the model library fails.
  // Thread-safe.
  virtual StatusOr<std::vector<double>> Predict(std::span<const double> row_major,
                                                std::size_t n_rows, std::size_t n_cols) const = 0;

 protected:
  explicit Model(ModelMetadata metadata) : metadata_(std::move(metadata)) {}

 private:
  ModelMetadata metadata_;
};

// Hyperparameters as SageMaker passes them: names mapped to strings.
using HyperParameterMap = std::map<std::string, std::string>;

// Converts a HyperParameters JSON object (values as strings, as SageMaker
// sends them, or numbers and booleans) to strings: 6 -> "6", 0.3 -> "0.3",
// true -> "true". null means no hyperparameters. kInvalidArgument naming the
// offending member for any other value type.
StatusOr<HyperParameterMap> HyperParametersFromJson(const Json& j);

// Parsers for one hyperparameter value; `name` is used in the message.
// kInvalidArgument "hyperparameter max_depth: expected an integer in
// [0, 1000000], got 'x'" when the value does not parse or is out of range.
StatusOr<double> ParseDoubleHyperParameter(std::string_view name, std::string_view value,
                                           double min, double max);
StatusOr<long long> ParseIntHyperParameter(std::string_view name, std::string_view value,
                                           long long min, long long max);
// "true"/"false" (any case), "1"/"0".
StatusOr<bool> ParseBoolHyperParameter(std::string_view name, std::string_view value);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_MODEL_H_
