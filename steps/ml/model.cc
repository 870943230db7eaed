#include "steps/ml/model.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "engine/base/status_macros.h"
#include "steps/ml/csv.h"
#include "steps/ml/linear_model.h"
#include "steps/ml/xgboost_model.h"

namespace mlflowctl::ml {

namespace {

class XgboostBackedModel : public Model {
 public:
  XgboostBackedModel(ModelMetadata metadata, std::unique_ptr<XgboostModel> model)
      : Model(std::move(metadata)), model_(std::move(model)) {}
  StatusOr<std::vector<double>> Predict(std::span<const double> row_major, std::size_t n_rows,
                                        std::size_t n_cols) const override {
    return model_->Predict(row_major, n_rows, n_cols);
  }

 private:
  std::unique_ptr<XgboostModel> model_;
};

class LinearBackedModel : public Model {
 public:
  LinearBackedModel(ModelMetadata metadata, LinearModel model)
      : Model(std::move(metadata)), model_(std::move(model)) {}
  StatusOr<std::vector<double>> Predict(std::span<const double> row_major, std::size_t n_rows,
                                        std::size_t n_cols) const override {
    return model_.Predict(row_major, n_rows, n_cols);
  }

 private:
  LinearModel model_;
};

Status CheckFeatureCount(const std::string& dir, const ModelMetadata& m, std::size_t actual) {
  if (m.feature_count != actual) {
    return InvalidArgumentError(fmt::format(
        "{}: metadata.json says {} features, the model file has {}", dir, m.feature_count, actual));
  }
  return Status::Ok();
}

}  // namespace

Json ModelMetadata::ToJson() const {
  Json j = extra.is_object() ? extra : Json::object();
  j["algorithm"] = algorithm;
  j["features"] = features;
  j["feature_count"] = feature_count;
  j["hyperparameters"] = hyperparameters;
  j["metrics"] = metrics;
  return j;
}

StatusOr<ModelMetadata> ModelMetadata::FromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgumentError("metadata must be a JSON object");
  ModelMetadata m;
  if (!j.contains("algorithm") || !j["algorithm"].is_string()) {
    return InvalidArgumentError("metadata: 'algorithm' must be a string");
  }
  m.algorithm = j["algorithm"].get<std::string>();
  if (!j.contains("feature_count") || !j["feature_count"].is_number_unsigned()) {
    return InvalidArgumentError("metadata: 'feature_count' must be a non-negative integer");
  }
  m.feature_count = j["feature_count"].get<std::size_t>();
  if (j.contains("features")) {
    if (!j["features"].is_array()) {
      return InvalidArgumentError("metadata: 'features' must be an array of strings");
    }
    for (const Json& f : j["features"]) {
      if (!f.is_string()) {
        return InvalidArgumentError("metadata: 'features' must be an array of strings");
      }
      m.features.push_back(f.get<std::string>());
    }
    if (!m.features.empty() && m.features.size() != m.feature_count) {
      return InvalidArgumentError(fmt::format("metadata: {} feature names for feature_count {}",
                                              m.features.size(), m.feature_count));
    }
  }
  if (j.contains("hyperparameters")) m.hyperparameters = j["hyperparameters"];
  if (j.contains("metrics")) m.metrics = j["metrics"];
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "algorithm" && k != "features" && k != "feature_count" && k != "hyperparameters" &&
        k != "metrics") {
      m.extra[k] = it.value();
    }
  }
  return m;
}

Status WriteModelMetadata(const std::string& dir, const ModelMetadata& metadata) {
  return WriteFileAtomically(dir + "/" + kMetadataFile, metadata.ToJson().dump(2) + "\n");
}

StatusOr<std::unique_ptr<Model>> Model::Load(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return NotFoundError(fmt::format("model directory '{}' does not exist", dir));
  }
  StatusOr<Json> j = ParseJsonFile(dir + "/" + kMetadataFile);
  if (!j.ok()) return j.status();
  StatusOr<ModelMetadata> meta = ModelMetadata::FromJson(*j);
  if (!meta.ok()) return meta.status().WithContext(dir + "/" + kMetadataFile);
  if (meta->algorithm == kXgboostAlgorithm) {
    MLF_ASSIGN_OR_RETURN(std::unique_ptr<XgboostModel> model,
                         XgboostModel::Load(dir + "/" + kXgboostModelFile));
    MLF_RETURN_IF_ERROR(CheckFeatureCount(dir, *meta, model->feature_count()));
    return std::unique_ptr<Model>(new XgboostBackedModel(std::move(*meta), std::move(model)));
  }
  if (meta->algorithm == kLinearLearnerAlgorithm) {
    MLF_ASSIGN_OR_RETURN(LinearModel model, LinearModel::Load(dir + "/" + kLinearModelFile));
    MLF_RETURN_IF_ERROR(CheckFeatureCount(dir, *meta, model.feature_count()));
    return std::unique_ptr<Model>(new LinearBackedModel(std::move(*meta), std::move(model)));
  }
  return InvalidArgumentError(fmt::format("{}/{}: unknown algorithm '{}' (expected '{}' or '{}')",
                                          dir, kMetadataFile, meta->algorithm, kXgboostAlgorithm,
                                          kLinearLearnerAlgorithm));
}

StatusOr<HyperParameterMap> HyperParametersFromJson(const Json& j) {
  HyperParameterMap out;
  if (j.is_null()) return out;
  if (!j.is_object()) return InvalidArgumentError("HyperParameters must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (v.is_string()) {
      out[it.key()] = v.get<std::string>();
    } else if (v.is_boolean()) {
      out[it.key()] = v.get<bool>() ? "true" : "false";
    } else if (v.is_number()) {
      out[it.key()] = DumpJson(v);
    } else {
      return InvalidArgumentError(
          fmt::format("hyperparameter {}: the value must be a string or a number", it.key()));
    }
  }
  return out;
}

StatusOr<double> ParseDoubleHyperParameter(std::string_view name, std::string_view value,
                                           double min, double max) {
  double v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < min || v > max) {
    return InvalidArgumentError(fmt::format(
        "hyperparameter {}: expected a number in [{}, {}], got '{}'", name, min, max, value));
  }
  return v;
}

StatusOr<long long> ParseIntHyperParameter(std::string_view name, std::string_view value,
                                           long long min, long long max) {
  long long v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  // SageMaker sends integers as strings; "10.0" from a JSON number is accepted too.
  if (ec == std::errc() && ptr != end) {
    std::string_view rest(ptr, static_cast<std::size_t>(end - ptr));
    if (rest.find_first_not_of('0', rest.front() == '.' ? 1 : 0) == std::string_view::npos &&
        rest.front() == '.') {
      ptr = end;
    }
  }
  if (value.empty() || ec != std::errc() || ptr != end || v < min || v > max) {
    return InvalidArgumentError(fmt::format(
        "hyperparameter {}: expected an integer in [{}, {}], got '{}'", name, min, max, value));
  }
  return v;
}

StatusOr<bool> ParseBoolHyperParameter(std::string_view name, std::string_view value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return InvalidArgumentError(
      fmt::format("hyperparameter {}: expected true or false, got '{}'", name, value));
}

}  // namespace mlflowctl::ml
