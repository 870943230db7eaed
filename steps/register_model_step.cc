#include "steps/register_model_step.h"

#include <string>

#include <fmt/format.h>

namespace mlflowctl::steps {
namespace {

constexpr char kRegisterResource[] = "mlflowctl:register-model";

Error InvalidRegisterInput(std::string cause) {
  return Error{"Mlflow.InvalidInput", fmt::format("{}: {}", kRegisterResource, cause)};
}

Error StoreError(const Status& status) {
  std::string name = status.code() == StatusCode::kInvalidArgument
                         ? "Mlflow.InvalidInput"
                         : "Mlflow.StoreError";
  return Error{name, fmt::format("{}: {}", kRegisterResource, status.message())};
}

// Metrics as {name: number}: from "Metrics" or from a training job's
// "FinalMetricDataList". nullopt (with `why`) when malformed.
std::optional<Json> ReadMetrics(const Json& in, std::string& why) {
  Json metrics = Json::object();
  if (in.contains("Metrics")) {
    const Json& m = in["Metrics"];
    if (!m.is_object()) {
      why = "Metrics must be an object of metric name to number";
      return std::nullopt;
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it.value().is_number()) {
        why = fmt::format("Metrics.{} must be a number", it.key());
        return std::nullopt;
      }
      metrics[it.key()] = it.value();
    }
  }
  if (in.contains("FinalMetricDataList")) {
    const Json& list = in["FinalMetricDataList"];
    if (!list.is_array()) {
      why = "FinalMetricDataList must be an array";
      return std::nullopt;
    }
    for (const Json& item : list) {
      if (!item.is_object() || !item.contains("MetricName") ||
          !item["MetricName"].is_string() || !item.contains("Value") ||
          !item["Value"].is_number()) {
        why = "each FinalMetricDataList item needs a string MetricName and a "
              "numeric Value";
        return std::nullopt;
      }
      metrics[item["MetricName"].get<std::string>()] = item["Value"];
    }
  }
  return metrics;
}

}  // namespace

Json ModelPackageResultJson(const mlops::ModelPackage& package) {
  return Json{{"ModelPackageGroupName", package.group},
              {"ModelPackageVersion", package.version},
              {"ModelPackageArn",
               mlops::ModelPackageArn(package.group, package.version)},
              {"ModelUri", package.artifact_uri},
              {"Algorithm", package.algorithm},
              {"Metrics", package.metrics}};
}

runtime::StepResult RegisterModelStep::Invoke(
    const runtime::TaskRequest& request) {
  const Json& in = request.input;
  if (!in.is_object()) return InvalidRegisterInput("the input must be an object");
  if (!in.contains("ModelGroup") || !in["ModelGroup"].is_string()) {
    return InvalidRegisterInput("ModelGroup (a string) is required");
  }
  if (!in.contains("ModelUri") || !in["ModelUri"].is_string() ||
      in["ModelUri"].get<std::string>().empty()) {
    return InvalidRegisterInput("ModelUri (a non-empty string) is required");
  }
  mlops::NewModelPackage package;
  package.group = in["ModelGroup"].get<std::string>();
  if (std::string why = mlops::CheckModelGroupName(package.group);
      !why.empty()) {
    return InvalidRegisterInput(fmt::format("ModelGroup '{}': {}", package.group, why));
  }
  package.artifact_uri = in["ModelUri"].get<std::string>();
  if (in.contains("Algorithm")) {
    if (!in["Algorithm"].is_string()) return InvalidRegisterInput("Algorithm must be a string");
    package.algorithm = in["Algorithm"].get<std::string>();
  }
  std::string why;
  std::optional<Json> metrics = ReadMetrics(in, why);
  if (!metrics.has_value()) return InvalidRegisterInput(why);
  package.metrics = std::move(*metrics);
  if (in.contains("Lineage")) {
    if (!in["Lineage"].is_object()) return InvalidRegisterInput("Lineage must be an object");
    package.lineage = in["Lineage"];
  }
  if (!package.lineage.contains("execution_arn") &&
      !request.execution_arn.empty()) {
    package.lineage["execution_arn"] = request.execution_arn;
  }
  if (!request.task_token.empty()) package.client_token = request.task_token;
  StatusOr<mlops::ModelPackage> stored = models_->RegisterModelPackage(package);
  if (!stored.ok()) return StoreError(stored.status());
  return ModelPackageResultJson(*stored);
}

}  // namespace mlflowctl::steps
