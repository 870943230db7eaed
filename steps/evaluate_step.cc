#include "steps/evaluate_step.h"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "steps/ml/metrics.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"
#include "steps/step_errors.h"

namespace mlflowctl::steps {

namespace {


bool GetString(const Json& in, const char* key, std::string* out) {
  if (!in.contains(key) || !in[key].is_string() || in[key].get<std::string>().empty()) {
    return false;
  }
  *out = in[key].get<std::string>();
  return true;
}

}  // namespace

runtime::StepResult EvaluateStep::Invoke(const runtime::TaskRequest& request) {
  const Json& in = request.input;
  std::string model_uri, data_uri;
  if (!in.is_object() || !GetString(in, "ModelUri", &model_uri) ||
      !GetString(in, "DataUri", &data_uri)) {
    return Error{kInvalidParameters,
                 "mlflowctl:evaluate needs Parameters.ModelUri (a model directory) and "
                 "Parameters.DataUri (a CSV file, target first), both non-empty strings"};
  }
  StatusOr<std::unique_ptr<ml::Model>> model = ml::Model::Load(ResolveUri(env_, model_uri));
  if (!model.ok()) {
    bool missing = model.status().code() == StatusCode::kNotFound;
    return Error{missing ? kModelNotFound : kInvalidModel,
                 fmt::format("model {}: {}", model_uri, model.status().message())};
  }
  StatusOr<ml::LabeledMatrix> data = ml::ReadLabeledCsv(ResolveUri(env_, data_uri));
  if (!data.ok()) {
    bool missing = data.status().code() == StatusCode::kNotFound;
    return Error{missing ? kDataNotFound : kInvalidCsv,
                 fmt::format("data {}: {}", data_uri, data.status().message())};
  }
  if (data->cols != (*model)->feature_count()) {
    return Error{kSchemaMismatch,
                 fmt::format("data {} has {} feature columns, the model expects {}", data_uri,
                             data->cols, (*model)->feature_count())};
  }
  StatusOr<std::vector<double>> pred = (*model)->Predict(data->features, data->rows, data->cols);
  if (!pred.ok()) return Error{kPredictionFailed, pred.status().message()};
  ml::RegressionMetrics m = ml::ComputeRegressionMetrics(data->labels, *pred);
  return Json{{"rmse", m.rmse}, {"mae", m.mae}, {"mse", m.mse}, {"r2", m.r2}, {"count", m.count}};
}

}  // namespace mlflowctl::steps
