#include "steps/baseline_step.h"

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "steps/ml/csv.h"
#include "steps/ml/data_quality.h"
#include "steps/ml/metrics.h"
#include "steps/ml/model.h"
#include "steps/ml/model_quality.h"
#include "steps/ml/numeric_csv.h"
#include "steps/step_errors.h"

namespace mlflowctl::steps {

namespace {


constexpr char kStep[] = "mlflowctl:baseline: ";

Error BaselineError(const char* name, const std::string& cause) { return Error{name, kStep + cause}; }

// kNotFound -> Mlflow.InputNotFound, anything else -> `otherwise`.
Error BaselineStatusError(const Status& s, const char* otherwise) {
  return BaselineError(s.code() == StatusCode::kNotFound ? kInputNotFound : otherwise, s.message());
}

std::string ExecutionName(const std::string& arn) {
  std::size_t colon = arn.rfind(':');
  std::string name = colon == std::string::npos ? arn : arn.substr(colon + 1);
  return name.empty() ? "local" : name;
}

struct BaselineParams {
  std::string data_uri;
  std::string manifest_uri;
  bool include_target = false;
  std::set<std::string> exclude;
  std::string model_uri;
  std::string test_uri;
  std::string output_uri;
};

std::optional<Error> ReadString(const Json& in, const char* key, bool required, std::string* out) {
  if (!in.contains(key)) {
    if (required) return BaselineError(kInvalidParameters, fmt::format("{} is required", key));
    return std::nullopt;
  }
  if (!in[key].is_string() || in[key].get<std::string>().empty()) {
    return BaselineError(kInvalidParameters, fmt::format("{} must be a non-empty string", key));
  }
  *out = in[key].get<std::string>();
  return std::nullopt;
}

std::optional<Error> ReadParams(const runtime::TaskRequest& request, BaselineParams* p) {
  const Json& in = request.input;
  if (!in.is_object()) return BaselineError(kInvalidParameters, "the input must be a JSON object");
  if (auto e = ReadString(in, "DataUri", true, &p->data_uri)) return e;
  if (auto e = ReadString(in, "ManifestUri", false, &p->manifest_uri)) return e;
  if (auto e = ReadString(in, "ModelUri", false, &p->model_uri)) return e;
  if (auto e = ReadString(in, "TestUri", false, &p->test_uri)) return e;
  if (auto e = ReadString(in, "OutputUri", false, &p->output_uri)) return e;
  if (in.contains("IncludeTarget")) {
    if (!in["IncludeTarget"].is_boolean()) {
      return BaselineError(kInvalidParameters, "IncludeTarget must be true or false");
    }
    p->include_target = in["IncludeTarget"].get<bool>();
  }
  if (in.contains("ExcludeColumns")) {
    const Json& list = in["ExcludeColumns"];
    if (!list.is_array())
      return BaselineError(kInvalidParameters, "ExcludeColumns must be an array of names");
    for (const Json& name : list) {
      if (!name.is_string()) {
        return BaselineError(kInvalidParameters, "ExcludeColumns must be an array of names");
      }
      p->exclude.insert(name.get<std::string>());
    }
  }
  if (p->model_uri.empty() != p->test_uri.empty()) {
    return BaselineError(kInvalidParameters,
                "ModelUri and TestUri go together (the model-quality baseline "
                "scores TestUri with the model)");
  }
  if (p->output_uri.empty()) {
    p->output_uri =
        "s3://mlflowctl/executions/" + ExecutionName(request.execution_arn) + "/baseline";
  }
  while (p->output_uri.size() > 1 && p->output_uri.back() == '/') p->output_uri.pop_back();
  return std::nullopt;
}

// The column names of a training-format file from its manifest: the target,
// then the model's features.
std::optional<Error> ManifestColumns(const StepEnv& env, const std::string& uri,
                                     std::vector<std::string>* names) {
  StatusOr<Json> manifest = ParseJsonFile(ResolveUri(env, uri));
  if (!manifest.ok()) return BaselineStatusError(manifest.status(), kInvalidParameters);
  const Json& m = *manifest;
  if (!m.is_object() || !m.contains("target") || !m["target"].is_string() ||
      !m.contains("features") || !m["features"].is_array()) {
    return BaselineError(kInvalidParameters,
                fmt::format("{}: a manifest needs \"target\" and \"features\"", uri));
  }
  names->push_back(m["target"].get<std::string>());
  for (const Json& f : m["features"]) {
    if (!f.is_string()) {
      return BaselineError(kInvalidParameters, fmt::format("{}: features must be strings", uri));
    }
    names->push_back(f.get<std::string>());
  }
  return std::nullopt;
}

// Reads DataUri into named raw columns (an empty field is a missing value).
std::optional<Error> ReadDataset(const StepEnv& env, const BaselineParams& p, ml::RawDataset* out) {
  std::vector<std::string> names;
  if (!p.manifest_uri.empty()) {
    if (auto e = ManifestColumns(env, p.manifest_uri, &names)) return e;
  }
  ml::CsvOptions options;
  options.has_header = p.manifest_uri.empty();
  StatusOr<ml::CsvTable> table = ml::ReadCsvFile(ResolveUri(env, p.data_uri), options);
  if (!table.ok()) return BaselineStatusError(table.status(), kInvalidCsv);
  if (options.has_header) {
    names = table->header;
  } else if (!table->rows.empty() && table->num_columns() != names.size()) {
    return BaselineError(kSchemaMismatch,
                fmt::format("{} has {} columns but manifest {} names {} (target + features)",
                            p.data_uri, table->num_columns(), p.manifest_uri, names.size()));
  }
  std::set<std::string> known(names.begin(), names.end());
  for (const std::string& name : p.exclude) {
    if (!known.count(name)) {
      return BaselineError(kSchemaMismatch,
                  fmt::format("ExcludeColumns: {} has no column '{}'", p.data_uri, name));
    }
  }
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (p.exclude.count(names[c])) continue;
    if (c == 0 && !p.manifest_uri.empty() && !p.include_target) continue;
    ml::DataColumn column{names[c], {}};
    column.values.reserve(table->rows.size());
    for (const auto& row : table->rows) {
      const std::string& v = row[c];
      column.values.push_back(v.empty() ? std::nullopt : std::optional<std::string>(v));
    }
    out->columns.push_back(std::move(column));
  }
  return std::nullopt;
}

// Scores TestUri with the model and returns its model-quality statistics.
std::optional<Error> ModelQuality(const StepEnv& env, const BaselineParams& p, Json* statistics,
                                  ml::RegressionMetrics* metrics) {
  StatusOr<ml::LabeledMatrix> test = ml::ReadLabeledCsv(ResolveUri(env, p.test_uri));
  if (!test.ok()) return BaselineStatusError(test.status(), kInvalidCsv);
  StatusOr<std::unique_ptr<ml::Model>> model = ml::Model::Load(ResolveUri(env, p.model_uri));
  if (!model.ok()) {
    return BaselineError(kModelLoadFailed, fmt::format("{}: {}", p.model_uri, model.status().message()));
  }
  if ((*model)->feature_count() != test->cols) {
    return BaselineError(kSchemaMismatch,
                fmt::format("{} has {} feature columns but the model {} expects {}", p.test_uri,
                            test->cols, p.model_uri, (*model)->feature_count()));
  }
  StatusOr<std::vector<double>> predictions =
      (*model)->Predict(std::span<const double>(test->features), test->rows, test->cols);
  if (!predictions.ok()) return BaselineError(kPredictionFailed, predictions.status().message());
  StatusOr<Json> stats = ml::ComputeRegressionQualityStatistics(test->labels, *predictions);
  if (!stats.ok())
    return BaselineError(kInvalidCsv, fmt::format("{}: {}", p.test_uri, stats.status().message()));
  *statistics = std::move(*stats);
  *metrics = ml::ComputeRegressionMetrics(test->labels, *predictions);
  return std::nullopt;
}

std::optional<Error> Write(const StepEnv& env, const std::string& uri, const Json& doc) {
  Status s = ml::WriteFileAtomically(
      ResolveUri(env, uri), doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  if (!s.ok()) return BaselineError(kOutputFailed, fmt::format("{}: {}", uri, s.message()));
  return std::nullopt;
}

Json Summarize(const Json& statistics, const Json& constraints) {
  std::size_t numeric = 0, strings = 0;
  for (const Json& f : statistics["features"]) {
    if (f.contains("numerical_statistics")) {
      ++numeric;
    } else {
      ++strings;
    }
  }
  Json incomplete = Json::array();
  for (const Json& f : constraints["features"]) {
    if (f["completeness"].get<double>() < 1.0) incomplete.push_back(f["name"]);
  }
  return Json{{"ItemCount", statistics["dataset"]["item_count"]},
              {"Features", statistics["features"].size()},
              {"NumericFeatures", numeric},
              {"StringFeatures", strings},
              {"IncompleteFeatures", std::move(incomplete)}};
}

}  // namespace

runtime::StepResult BaselineStep::Invoke(const runtime::TaskRequest& request) {
  BaselineParams p;
  if (auto e = ReadParams(request, &p)) return *e;
  ml::RawDataset data;
  if (auto e = ReadDataset(env_, p, &data)) return *e;
  if (data.columns.empty()) {
    return BaselineError(kSchemaMismatch, fmt::format("{}: no column left to profile", p.data_uri));
  }
  Json statistics = ml::ComputeStatistics(data);
  StatusOr<Json> constraints = ml::SuggestConstraints(statistics);
  if (!constraints.ok()) return BaselineError(kSchemaMismatch, constraints.status().message());

  const std::string statistics_uri = p.output_uri + "/statistics.json";
  const std::string constraints_uri = p.output_uri + "/constraints.json";
  Json result{{"OutputUri", p.output_uri},
              {"StatisticsUri", statistics_uri},
              {"ConstraintsUri", constraints_uri}};
  Json summary = Summarize(statistics, *constraints);
  if (!p.model_uri.empty()) {
    Json mq_statistics;
    ml::RegressionMetrics metrics;
    if (auto e = ModelQuality(env_, p, &mq_statistics, &metrics)) return *e;
    StatusOr<Json> mq_constraints = ml::SuggestRegressionConstraints(mq_statistics);
    if (!mq_constraints.ok()) return BaselineError(kPredictionFailed, mq_constraints.status().message());
    const std::string mq_statistics_uri = p.output_uri + "/model_quality_statistics.json";
    const std::string mq_constraints_uri = p.output_uri + "/model_quality_constraints.json";
    if (auto e = Write(env_, mq_statistics_uri, mq_statistics)) return *e;
    if (auto e = Write(env_, mq_constraints_uri, *mq_constraints)) return *e;
    result["ModelQualityStatisticsUri"] = mq_statistics_uri;
    result["ModelQualityConstraintsUri"] = mq_constraints_uri;
    summary["ModelQuality"] = {{"rmse", metrics.rmse},
                               {"mae", metrics.mae},
                               {"mse", metrics.mse},
                               {"r2", metrics.r2},
                               {"count", metrics.count}};
  }
  if (auto e = Write(env_, statistics_uri, statistics)) return *e;
  if (auto e = Write(env_, constraints_uri, *constraints)) return *e;
  result["Summary"] = std::move(summary);
  return result;
}

}  // namespace mlflowctl::steps
