#include "steps/train_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "steps/ml/linear_model.h"
#include "steps/ml/metrics.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"
#include "steps/ml/xgboost_model.h"
#include "steps/step_errors.h"

namespace mlflowctl::steps {

namespace {

namespace fs = std::filesystem;

constexpr char kArnPrefix[] = "arn:aws:sagemaker:us-east-1:123456789012:training-job/";

// The request, whichever shape it came in.
struct TrainRequest {
  std::string job_name;
  std::string algorithm;                  // ml::kXgboostAlgorithm or ml::kLinearLearnerAlgorithm
  Json hyperparameters = Json::object();  // as given, for the output
  std::string train_uri;
  std::string validation_uri;  // empty: no validation channel
  std::string manifest_uri;    // empty: look beside the train file
  std::string output_path;
  std::optional<int64_t> max_runtime_seconds;
  Json echo = Json::object();  // request members returned as they are
};

Error InvalidTraining(std::string cause) {
  return Error{kInvalidParameters, "mlflowctl:train: " + std::move(cause)};
}

std::string TrainingExecutionName(const std::string& arn) {
  std::size_t colon = arn.rfind(':');
  return colon == std::string::npos ? arn : arn.substr(colon + 1);
}

// SageMaker: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}
bool IsValidJobName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return name.front() != '-' && name.back() != '-';
}

// "<execution name>-<state name>" with every other character turned into '-'.
std::string DefaultJobName(const runtime::TaskRequest& request) {
  std::string raw = TrainingExecutionName(request.execution_arn) + "-" + request.state_name;
  std::string name;
  for (char c : raw) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  if (name.size() > 63) name.resize(63);
  auto first = name.find_first_not_of('-');
  if (first == std::string::npos) return "training-job";
  name = name.substr(first);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<std::string> AlgorithmFrom(const std::string& text) {
  std::string t = Lower(text);
  if (t.find("xgboost") != std::string::npos) return std::string(ml::kXgboostAlgorithm);
  if (t.find("linear-learner") != std::string::npos ||
      t.find("linear_learner") != std::string::npos) {
    return std::string(ml::kLinearLearnerAlgorithm);
  }
  return std::nullopt;
}

// The string member `key` of `j`, or "" when absent or not a string.
std::string StringOr(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::optional<Error> GetTrainString(const Json& in, const char* key, bool required, std::string* out) {
  if (!in.contains(key)) {
    if (required) return InvalidTraining(fmt::format("{} is required", key));
    return std::nullopt;
  }
  if (!in[key].is_string() || in[key].get<std::string>().empty()) {
    return InvalidTraining(fmt::format("{} must be a non-empty string", key));
  }
  *out = in[key].get<std::string>();
  return std::nullopt;
}

std::optional<Error> ParseChannels(const Json& channels, TrainRequest* r) {
  if (!channels.is_array() || channels.empty()) {
    return InvalidTraining("InputDataConfig must be a non-empty array of channels");
  }
  for (const Json& ch : channels) {
    if (!ch.is_object() || !ch.contains("ChannelName") || !ch["ChannelName"].is_string()) {
      return InvalidTraining("every InputDataConfig channel needs a ChannelName");
    }
    std::string name = ch["ChannelName"].get<std::string>();
    const Json* s3 = nullptr;
    if (ch.contains("DataSource") && ch["DataSource"].is_object() &&
        ch["DataSource"].contains("S3DataSource")) {
      s3 = &ch["DataSource"]["S3DataSource"];
    }
    if (s3 == nullptr || !s3->is_object() || !s3->contains("S3Uri") ||
        !(*s3)["S3Uri"].is_string()) {
      return InvalidTraining(fmt::format("channel '{}' needs DataSource.S3DataSource.S3Uri", name));
    }
    if (ch.contains("ContentType")) {
      std::string type = StringOr(ch, "ContentType");
      if (Lower(type).rfind("text/csv", 0) != 0 && Lower(type) != "csv") {
        return InvalidTraining(
            fmt::format("channel '{}': ContentType '{}' is not supported (text/csv)", name, type));
      }
    }
    if (ch.contains("CompressionType") && ch["CompressionType"] != "None") {
      return InvalidTraining(fmt::format("channel '{}': only CompressionType None is supported", name));
    }
    std::string uri = (*s3)["S3Uri"].get<std::string>();
    if (name == "train") r->train_uri = uri;
    if (name == "validation") r->validation_uri = uri;
  }
  if (r->train_uri.empty()) return InvalidTraining("InputDataConfig needs a channel named 'train'");
  return std::nullopt;
}

std::optional<Error> ParseSageMakerRequest(const Json& in, TrainRequest* r) {
  if (auto e = GetTrainString(in, "TrainingJobName", true, &r->job_name)) return e;
  const Json& spec = in.value("AlgorithmSpecification", Json());
  if (!spec.is_object()) return InvalidTraining("AlgorithmSpecification must be an object");
  std::string image = StringOr(spec, "TrainingImage");
  if (image.empty()) image = StringOr(spec, "AlgorithmName");
  std::optional<std::string> algorithm = AlgorithmFrom(image);
  if (!algorithm) {
    return InvalidTraining(
        fmt::format("AlgorithmSpecification: TrainingImage or AlgorithmName must name xgboost or "
                    "linear-learner, got '{}'",
                    image));
  }
  r->algorithm = *algorithm;
  if (in.contains("HyperParameters")) r->hyperparameters = in["HyperParameters"];
  if (auto e = ParseChannels(in.value("InputDataConfig", Json()), r)) return e;
  const Json& out = in.value("OutputDataConfig", Json());
  if (!out.is_object()) return InvalidTraining("OutputDataConfig.S3OutputPath is required");
  if (auto e = GetTrainString(out, "S3OutputPath", true, &r->output_path)) return e;
  if (in.contains("StoppingCondition")) {
    const Json& stop = in["StoppingCondition"];
    if (!stop.is_object()) return InvalidTraining("StoppingCondition must be an object");
    if (stop.contains("MaxRuntimeInSeconds")) {
      if (!stop["MaxRuntimeInSeconds"].is_number_integer() ||
          stop["MaxRuntimeInSeconds"].get<int64_t>() < 1) {
        return InvalidTraining("StoppingCondition.MaxRuntimeInSeconds must be a positive integer");
      }
      r->max_runtime_seconds = stop["MaxRuntimeInSeconds"].get<int64_t>();
    }
  }
  for (const char* key : {"AlgorithmSpecification", "InputDataConfig", "OutputDataConfig",
                          "StoppingCondition", "ResourceConfig", "RoleArn"}) {
    if (in.contains(key)) r->echo[key] = in[key];
  }
  return std::nullopt;
}

std::optional<Error> ParseShortRequest(const Json& in, const runtime::TaskRequest& request,
                                       TrainRequest* r) {
  std::string algorithm;
  if (auto e = GetTrainString(in, "Algorithm", true, &algorithm)) return e;
  if (algorithm != ml::kXgboostAlgorithm && algorithm != ml::kLinearLearnerAlgorithm) {
    return InvalidTraining(
        fmt::format("Algorithm must be 'xgboost' or 'linear-learner', got '{}'", algorithm));
  }
  r->algorithm = algorithm;
  if (auto e = GetTrainString(in, "TrainUri", true, &r->train_uri)) return e;
  if (auto e = GetTrainString(in, "ValidationUri", false, &r->validation_uri)) return e;
  if (auto e = GetTrainString(in, "OutputUri", true, &r->output_path)) return e;
  if (auto e = GetTrainString(in, "ManifestUri", false, &r->manifest_uri)) return e;
  if (auto e = GetTrainString(in, "JobName", false, &r->job_name)) return e;
  if (r->job_name.empty()) r->job_name = DefaultJobName(request);
  if (in.contains("HyperParameters")) r->hyperparameters = in["HyperParameters"];
  if (r->algorithm == ml::kLinearLearnerAlgorithm && r->hyperparameters.is_object() &&
      !r->hyperparameters.contains("predictor_type")) {
    r->hyperparameters["predictor_type"] = "regressor";
  }
  r->echo["AlgorithmSpecification"] = {{"AlgorithmName", r->algorithm},
                                       {"TrainingInputMode", "File"}};
  Json channels = Json::array();
  channels.push_back({{"ChannelName", "train"},
                      {"ContentType", "text/csv"},
                      {"DataSource", {{"S3DataSource", {{"S3Uri", r->train_uri}}}}}});
  if (!r->validation_uri.empty()) {
    channels.push_back({{"ChannelName", "validation"},
                        {"ContentType", "text/csv"},
                        {"DataSource", {{"S3DataSource", {{"S3Uri", r->validation_uri}}}}}});
  }
  r->echo["InputDataConfig"] = channels;
  r->echo["OutputDataConfig"] = {{"S3OutputPath", r->output_path}};
  return std::nullopt;
}

// Reads a channel; errors name the channel and the file.
std::optional<Error> LoadChannel(const StepEnv& env, const std::string& channel,
                                 const std::string& uri, ml::LabeledMatrix* out) {
  StatusOr<ml::LabeledMatrix> data = ml::ReadLabeledCsv(ResolveUri(env, uri));
  if (!data.ok()) {
    bool missing = data.status().code() == StatusCode::kNotFound;
    return Error{missing ? kDataNotFound : kInvalidCsv,
                 fmt::format("channel '{}' ({}): {}", channel, uri, data.status().message())};
  }
  *out = std::move(*data);
  return std::nullopt;
}

// Feature names from the manifest, when there is one.
std::optional<Error> LoadFeatureNames(const StepEnv& env, const TrainRequest& r, std::size_t cols,
                                      std::vector<std::string>* names) {
  std::string path;
  if (!r.manifest_uri.empty()) {
    path = ResolveUri(env, r.manifest_uri);
  } else {
    fs::path beside = fs::path(ResolveUri(env, r.train_uri)).parent_path() / "manifest.json";
    std::error_code ec;
    if (!fs::is_regular_file(beside, ec)) return std::nullopt;
    path = beside.string();
  }
  StatusOr<Json> manifest = ParseJsonFile(path);
  if (!manifest.ok()) {
    return Error{
        manifest.status().code() == StatusCode::kNotFound ? kDataNotFound : kInvalidParameters,
        "manifest: " + manifest.status().message()};
  }
  const Json& features = manifest->value("features", Json());
  if (!features.is_array()) {
    return Error{kSchemaMismatch, fmt::format("{}: 'features' must be an array", path)};
  }
  for (const Json& f : features) {
    if (!f.is_string()) {
      return Error{kSchemaMismatch, fmt::format("{}: 'features' must hold strings", path)};
    }
    names->push_back(f.get<std::string>());
  }
  if (names->size() != cols) {
    return Error{kSchemaMismatch,
                 fmt::format("{} lists {} features but the training data has {} feature columns",
                             path, names->size(), cols)};
  }
  return std::nullopt;
}

Json MetricsJson(const ml::RegressionMetrics& m) {
  return {{"rmse", m.rmse}, {"mae", m.mae}, {"mse", m.mse}, {"r2", m.r2}, {"count", m.count}};
}

double EpochSeconds(TimePoint t) { return static_cast<double>(ToEpochMillis(t)) / 1000.0; }

Error FromTrainStatus(const Status& s, const std::string& stop_reason) {
  if (s.code() == StatusCode::kAborted) {
    return Error{kTrainingStopped, fmt::format("{}: {}", stop_reason, s.message())};
  }
  if (s.code() == StatusCode::kInvalidArgument) return Error{kInvalidHyperParameter, s.message()};
  return Error{kTrainingFailed, s.message()};
}

// Loads the model just written through ml::Model (the path evaluation and
// serving use) and scores the channels with it.
std::optional<Error> ScoreSavedModel(const std::string& model_dir, const ml::LabeledMatrix& train,
                                     const ml::LabeledMatrix* validation,
                                     ml::RegressionMetrics* train_m,
                                     std::optional<ml::RegressionMetrics>* valid_m) {
  StatusOr<std::unique_ptr<ml::Model>> model = ml::Model::Load(model_dir);
  if (!model.ok()) return Error{kTrainingFailed, model.status().message()};
  auto score = [&](const ml::LabeledMatrix& data) -> StatusOr<ml::RegressionMetrics> {
    StatusOr<std::vector<double>> pred = (*model)->Predict(data.features, data.rows, data.cols);
    if (!pred.ok()) return pred.status();
    return ml::ComputeRegressionMetrics(data.labels, *pred);
  };
  StatusOr<ml::RegressionMetrics> t = score(train);
  if (!t.ok()) return Error{kTrainingFailed, t.status().message()};
  *train_m = *t;
  if (validation != nullptr) {
    StatusOr<ml::RegressionMetrics> v = score(*validation);
    if (!v.ok()) return Error{kTrainingFailed, v.status().message()};
    *valid_m = *v;
  }
  return std::nullopt;
}

// The DescribeTrainingJob response of the finished job.
Json DescribeTrainingJob(const TrainRequest& r, const ml::HyperParameterMap& hp,
                         const std::string& model_uri, TimePoint start, TimePoint end,
                         const ml::RegressionMetrics& train_m,
                         const std::optional<ml::RegressionMetrics>& valid_m) {
  const double end_s = EpochSeconds(end);
  Json metrics = Json::array();
  auto add = [&](const std::string& name, double value) {
    metrics.push_back({{"MetricName", name}, {"Value", value}, {"Timestamp", end_s}});
  };
  // validation:rmse first, so $.FinalMetricDataList[0].Value is the usual gate.
  if (valid_m) {
    add("validation:rmse", valid_m->rmse);
    add("validation:mae", valid_m->mae);
    add("validation:mse", valid_m->mse);
    add("validation:r2", valid_m->r2);
  }
  add("train:rmse", train_m.rmse);
  add("train:mae", train_m.mae);
  add("train:mse", train_m.mse);
  add("train:r2", train_m.r2);
  Json hp_out = Json::object();
  for (const auto& [name, value] : hp) hp_out[name] = value;
  const int64_t elapsed_ms = std::max<int64_t>(0, ToEpochMillis(end) - ToEpochMillis(start));
  const int64_t seconds = (elapsed_ms + 999) / 1000;

  Json out = r.echo;
  out["TrainingJobName"] = r.job_name;
  out["TrainingJobArn"] = kArnPrefix + r.job_name;
  out["TrainingJobStatus"] = "Completed";
  out["SecondaryStatus"] = "Completed";
  out["ModelArtifacts"] = {{"S3ModelArtifacts", model_uri}};
  out["HyperParameters"] = hp_out;
  if (!out.contains("StoppingCondition")) {
    out["StoppingCondition"] = {{"MaxRuntimeInSeconds", 86400}};
  }
  out["CreationTime"] = EpochSeconds(start);
  out["TrainingStartTime"] = EpochSeconds(start);
  out["TrainingEndTime"] = end_s;
  out["LastModifiedTime"] = end_s;
  out["TrainingTimeInSeconds"] = seconds;
  out["BillableTimeInSeconds"] = seconds;
  out["FinalMetricDataList"] = metrics;
  return out;
}

}  // namespace

// Parse, load, train, save, reload and score: one linear sequence (over 60
// lines) whose error mapping is easier to follow in one place.
runtime::StepResult TrainStep::Invoke(const runtime::TaskRequest& request) {
  const TimePoint start = env_.clock->Now();
  const Json& in = request.input;
  if (!in.is_object()) return InvalidTraining("the input must be a JSON object");
  TrainRequest r;
  bool sagemaker = request.resource != "mlflowctl:train" || in.contains("AlgorithmSpecification");
  if (auto e = sagemaker ? ParseSageMakerRequest(in, &r) : ParseShortRequest(in, request, &r)) {
    return *e;
  }
  if (!IsValidJobName(r.job_name)) {
    return InvalidTraining(fmt::format(
        "training job name '{}' must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,62}}", r.job_name));
  }
  StatusOr<ml::HyperParameterMap> hp = ml::HyperParametersFromJson(r.hyperparameters);
  if (!hp.ok()) return Error{kInvalidHyperParameter, hp.status().message()};
  std::optional<ml::XgboostParams> xgb_params;
  std::optional<ml::LinearParams> linear_params;
  if (r.algorithm == ml::kXgboostAlgorithm) {
    StatusOr<ml::XgboostParams> p = ml::ParseXgboostHyperParameters(*hp);
    if (!p.ok()) return Error{kInvalidHyperParameter, p.status().message()};
    xgb_params = std::move(*p);
  } else {
    StatusOr<ml::LinearParams> p = ml::ParseLinearLearnerHyperParameters(*hp);
    if (!p.ok()) return Error{kInvalidHyperParameter, p.status().message()};
    linear_params = std::move(*p);
  }

  ml::LabeledMatrix train, validation;
  if (auto e = LoadChannel(env_, "train", r.train_uri, &train)) return *e;
  const bool has_validation = !r.validation_uri.empty();
  if (has_validation) {
    if (auto e = LoadChannel(env_, "validation", r.validation_uri, &validation)) return *e;
    if (validation.cols != train.cols) {
      return Error{kSchemaMismatch,
                   fmt::format("the validation channel has {} feature columns, train has {}",
                               validation.cols, train.cols)};
    }
  }
  std::vector<std::string> features;
  if (auto e = LoadFeatureNames(env_, r, train.cols, &features)) return *e;
  if (linear_params && linear_params->feature_dim && *linear_params->feature_dim != train.cols) {
    return Error{kInvalidHyperParameter,
                 fmt::format("hyperparameter feature_dim: {} does not match the data's {} "
                             "feature columns",
                             *linear_params->feature_dim, train.cols)};
  }
  if (xgb_params && xgb_params->early_stopping_rounds > 0 && !has_validation) {
    return Error{kInvalidHyperParameter,
                 "hyperparameter early_stopping_rounds: needs a validation channel"};
  }

  std::string output_path = r.output_path;
  while (output_path.size() > 1 && output_path.back() == '/') output_path.pop_back();
  const std::string model_uri = output_path + "/" + r.job_name + "/output/model";
  const std::string model_dir = ResolveUri(env_, model_uri);
  {
    std::error_code ec;
    fs::remove_all(model_dir, ec);
    fs::create_directories(model_dir, ec);
    if (ec) {
      return Error{kOutputFailed, fmt::format("cannot create '{}': {}", model_dir, ec.message())};
    }
  }

  std::string stop_reason = "the training job was stopped";
  const std::optional<TimePoint> deadline =
      r.max_runtime_seconds
          ? std::optional<TimePoint>(start + std::chrono::seconds(*r.max_runtime_seconds))
          : std::nullopt;
  auto should_stop = [&]() {
    if (request.cancelled->load()) return true;
    if (deadline && env_.clock->Now() > *deadline) {
      stop_reason = fmt::format("MaxRuntimeInSeconds ({}) exceeded", *r.max_runtime_seconds);
      return true;
    }
    return false;
  };

  ml::ModelMetadata meta;
  meta.algorithm = r.algorithm;
  meta.features = features;
  meta.feature_count = train.cols;
  meta.extra["training_job_name"] = r.job_name;
  meta.extra["data"] = {{"train", r.train_uri}};
  if (has_validation) meta.extra["data"]["validation"] = r.validation_uri;
  if (xgb_params) {
    StatusOr<ml::XgboostTrainResult> trained = ml::XgboostModel::Train(
        train, has_validation ? &validation : nullptr, *xgb_params, should_stop);
    if (!trained.ok()) return FromTrainStatus(trained.status(), stop_reason);
    meta.hyperparameters = xgb_params->effective;
    meta.extra["rounds_trained"] = trained->rounds_trained;
    if (trained->best_iteration >= 0) meta.extra["best_iteration"] = trained->best_iteration;
    Status s = trained->model->Save(model_dir + "/" + ml::kXgboostModelFile);
    if (!s.ok()) return Error{kOutputFailed, s.message()};
  } else {
    if (should_stop()) return FromTrainStatus(AbortedError("training stopped"), stop_reason);
    StatusOr<ml::LinearModel> trained = ml::LinearModel::Train(train, *linear_params);
    if (!trained.ok()) return FromTrainStatus(trained.status(), stop_reason);
    meta.hyperparameters = linear_params->effective;
    Status s = trained->Save(model_dir + "/" + ml::kLinearModelFile);
    if (!s.ok()) return Error{kOutputFailed, s.message()};
  }
  if (Status s = ml::WriteModelMetadata(model_dir, meta); !s.ok()) {
    return Error{kOutputFailed, s.message()};
  }

  ml::RegressionMetrics train_m;
  std::optional<ml::RegressionMetrics> valid_m;
  if (auto e = ScoreSavedModel(model_dir, train, has_validation ? &validation : nullptr, &train_m,
                               &valid_m)) {
    return *e;
  }
  if (valid_m) meta.metrics["validation"] = MetricsJson(*valid_m);
  meta.metrics["train"] = MetricsJson(train_m);
  if (Status s = ml::WriteModelMetadata(model_dir, meta); !s.ok()) {
    return Error{kOutputFailed, s.message()};
  }

  return DescribeTrainingJob(r, *hp, model_uri, start, env_.clock->Now(), train_m, valid_m);
}

}  // namespace mlflowctl::steps
