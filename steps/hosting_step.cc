#include "steps/hosting_step.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "engine/mlops/endpoint_store.h"
#include "serving/endpoint_host.h"
#include "steps/ml/endpoint_predictor.h"
#include "steps/step_errors.h"

namespace mlflowctl::steps {
namespace {

using mlops::Endpoint;
using mlops::EndpointConfig;
using mlops::EndpointStore;
using mlops::HostedModel;

constexpr char kValidation[] = "SageMaker.ValidationException";
constexpr char kDefaultImage[] = "mlflowctl-inference:local";
constexpr char kDefaultRole[] =
    "arn:aws:iam::123456789012:role/mlflowctl-execution";

Error Validation(std::string message) {
  return Error{kValidation, std::move(message)};
}

// A store error as SageMaker reports it: `kind` is "model", "endpoint
// configuration" or "endpoint", `arn` the resource's ARN.
Error FromStore(const Status& s, std::string_view kind, const std::string& arn) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return Validation(fmt::format("Could not find {} \"{}\".", kind, arn));
    case StatusCode::kAlreadyExists:
      return Validation(
          fmt::format("Cannot create already existing {} \"{}\".", kind, arn));
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return Validation(s.message());
    default:
      return Error{kStoreError, s.message()};
  }
}

// The string member `key` (required): "" plus an error when missing.
std::optional<Error> RequiredString(const Json& in, const char* key,
                                    std::string* out) {
  if (!in.is_object()) return Validation("the input must be a JSON object");
  if (!in.contains(key) || !in[key].is_string() ||
      in[key].get<std::string>().empty()) {
    return Validation(fmt::format(
        "1 validation error detected: Value null at '{}' failed to satisfy "
        "constraint: Member must not be null",
        key));
  }
  *out = in[key].get<std::string>();
  return std::nullopt;
}

std::string ChangedBy(const runtime::TaskRequest& request) {
  return request.execution_arn.empty() ? "unknown" : request.execution_arn;
}

// Loads every variant's model of `config`; "" when all load, else the
// FailureReason naming the variant and the model.
std::string LoadVariants(const StepEnv& env, const EndpointConfig& config) {
  for (const mlops::ProductionVariant& v : config.production_variants) {
    StatusOr<HostedModel> model = env.endpoints->GetModel(v.model_name);
    if (!model.ok()) {
      return fmt::format("variant \"{}\": model \"{}\": {}", v.variant_name,
                         v.model_name, model.status().message());
    }
    const std::string& url = model->primary_container.model_data_url;
    if (url.empty()) {
      return fmt::format("variant \"{}\": model \"{}\" has no ModelDataUrl",
                         v.variant_name, v.model_name);
    }
    auto loaded = ml::EndpointPredictor::Load(
        ResolveUri(env, url),
        [&env](const std::string& uri) { return ResolveUri(env, uri); });
    if (!loaded.ok()) {
      return fmt::format(
          "variant \"{}\": failed to load model \"{}\" from {}: {}",
          v.variant_name, v.model_name, url, loaded.status().message());
    }
  }
  return "";
}

// At-least-once: a resumed execution runs the task that was in flight at a
// crash again, with the same request. A create that finds what the same
// request made answers as the first run did; an endpoint change that the
// first run began is finished, one it finished is answered as done.
Json WithoutCreationTime(Json described) {
  described.erase("CreationTime");
  return described;
}

bool SameModel(const HostedModel& a, const HostedModel& b) {
  return WithoutCreationTime(mlops::DescribeModelJson(a)) ==
         WithoutCreationTime(mlops::DescribeModelJson(b));
}

bool SameEndpointConfig(const EndpointConfig& a, const EndpointConfig& b) {
  return WithoutCreationTime(mlops::DescribeEndpointConfigJson(a)) ==
         WithoutCreationTime(mlops::DescribeEndpointConfigJson(b));
}

// True when the endpoint's last change switched it to `config_name` and was
// made by `changed_by` (the execution that asks again); a creation when
// `creation`, else an update.
bool LastChangeWas(const StepEnv& env, const std::string& name, const std::string& config_name,
                   const std::string& changed_by, bool creation) {
  if (changed_by == "unknown") return false;
  StatusOr<std::vector<mlops::EndpointChange>> changes = env.endpoints->ListEndpointChanges(name);
  if (!changes.ok() || changes->empty()) return false;
  const mlops::EndpointChange& last = changes->back();
  return last.to_config == config_name && last.changed_by == changed_by &&
         last.outcome == mlops::kEndpointInService && last.from_config.has_value() != creation;
}

runtime::StepResult CreateModel(const StepEnv& env, const Json& in) {
  StatusOr<HostedModel> model = mlops::ModelFromCreateRequest(in);
  if (!model.ok()) return Validation(model.status().message());
  if (model->execution_role_arn.empty()) model->execution_role_arn = kDefaultRole;
  const std::string& url = model->primary_container.model_data_url;
  if (!url.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(ResolveUri(env, url), ec)) {
      return Validation(fmt::format("Could not find model data at {}.", url));
    }
  }
  StatusOr<HostedModel> stored = env.endpoints->CreateModel(*model);
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kAlreadyExists) {
      StatusOr<HostedModel> existing = env.endpoints->GetModel(model->name);
      if (existing.ok() && SameModel(*existing, *model)) {
        return Json{{"ModelArn", mlops::ModelArn(existing->name)}};
      }
    }
    return FromStore(stored.status(), "model", mlops::ModelArn(model->name));
  }
  return Json{{"ModelArn", mlops::ModelArn(stored->name)}};
}

runtime::StepResult CreateEndpointConfig(const StepEnv& env, const Json& in) {
  StatusOr<EndpointConfig> config = mlops::EndpointConfigFromCreateRequest(in);
  if (!config.ok()) return Validation(config.status().message());
  StatusOr<EndpointConfig> stored = env.endpoints->CreateEndpointConfig(*config);
  if (stored.ok()) {
    return Json{{"EndpointConfigArn", mlops::EndpointConfigArn(stored->name)}};
  }
  if (stored.status().code() == StatusCode::kAlreadyExists) {
    StatusOr<EndpointConfig> existing = env.endpoints->GetEndpointConfig(config->name);
    if (existing.ok() && SameEndpointConfig(*existing, *config)) {
      return Json{{"EndpointConfigArn", mlops::EndpointConfigArn(existing->name)}};
    }
  }
  if (stored.status().code() == StatusCode::kNotFound) {
    // The only lookup is of the variants' models.
    for (const mlops::ProductionVariant& v : config->production_variants) {
      if (!env.endpoints->GetModel(v.model_name).ok()) {
        return FromStore(stored.status(), "model", mlops::ModelArn(v.model_name));
      }
    }
  }
  return FromStore(stored.status(), "endpoint configuration",
                   mlops::EndpointConfigArn(config->name));
}

// Loads the endpoint's new config and finishes the change the store began.
// With a host, the loaded models start serving once the store has switched
// (the old deployment answers until then: no gap, no mixed state).
runtime::StepResult FinishDeployment(const StepEnv& env, const Endpoint& begun,
                                     const std::string& config_name,
                                     const std::string& changed_by) {
  std::string reason;
  std::shared_ptr<const serving::Deployment> loaded;
  if (env.host != nullptr) {
    auto deployment = env.host->Load(config_name);
    if (deployment.ok()) {
      loaded = std::move(*deployment);
    } else {
      reason = deployment.status().message();
    }
  } else {
    StatusOr<EndpointConfig> config = env.endpoints->GetEndpointConfig(config_name);
    reason = config.ok() ? LoadVariants(env, *config) : config.status().message();
  }
  StatusOr<Endpoint> done =
      env.endpoints->FinishChange(begun.name, reason.empty(), reason, changed_by);
  if (!done.ok()) {
    return FromStore(done.status(), "endpoint", mlops::EndpointArn(begun.name));
  }
  if (loaded) env.host->Install(begun.name, std::move(loaded));
  if (!reason.empty()) {
    if (begun.status == mlops::kEndpointCreating) {
      return Error{kModelLoadFailed,
                   fmt::format("endpoint \"{}\" failed: {}", begun.name, reason)};
    }
    return Error{kModelLoadFailed,
                 fmt::format("endpoint \"{}\": the update to config \"{}\" was "
                             "rolled back and config \"{}\" keeps serving: {}",
                             begun.name, config_name, begun.config_name, reason)};
  }
  return Json{{"EndpointArn", mlops::EndpointArn(begun.name)}};
}

runtime::StepResult CreateEndpoint(const StepEnv& env, const std::string& name,
                                   const std::string& config_name,
                                   const std::string& changed_by) {
  StatusOr<Endpoint> begun = env.endpoints->CreateEndpoint(name, config_name);
  if (!begun.ok()) {
    if (begun.status().code() == StatusCode::kAlreadyExists) {
      StatusOr<Endpoint> existing = env.endpoints->GetEndpoint(name);
      if (existing.ok() && existing->config_name == config_name) {
        // This creation, begun by a run of the task that a crash cut short.
        if (existing->status == mlops::kEndpointCreating) {
          return FinishDeployment(env, *existing, config_name, changed_by);
        }
        // Finished, but its result was not recorded before the crash.
        if (existing->status == mlops::kEndpointInService &&
            LastChangeWas(env, name, config_name, changed_by, /*creation=*/true)) {
          return Json{{"EndpointArn", mlops::EndpointArn(name)}};
        }
      }
    }
    if (begun.status().code() == StatusCode::kNotFound) {
      return FromStore(begun.status(), "endpoint configuration",
                       mlops::EndpointConfigArn(config_name));
    }
    return FromStore(begun.status(), "endpoint", mlops::EndpointArn(name));
  }
  return FinishDeployment(env, *begun, config_name, changed_by);
}

runtime::StepResult UpdateEndpoint(const StepEnv& env, const std::string& name,
                                   const std::string& config_name,
                                   const std::string& changed_by) {
  StatusOr<Endpoint> current = env.endpoints->GetEndpoint(name);
  if (!current.ok()) {
    return FromStore(current.status(), "endpoint", mlops::EndpointArn(name));
  }
  if (current->status == mlops::kEndpointFailed) {
    return Validation(fmt::format("Cannot update failed endpoint \"{}\".",
                                  mlops::EndpointArn(name)));
  }
  // This update, begun by a run of the task that a crash cut short.
  if (current->status == mlops::kEndpointUpdating &&
      current->pending_config_name == config_name) {
    return FinishDeployment(env, *current, config_name, changed_by);
  }
  // Finished, but its result was not recorded before the crash.
  if (current->status == mlops::kEndpointInService && current->config_name == config_name &&
      LastChangeWas(env, name, config_name, changed_by, /*creation=*/false)) {
    return Json{{"EndpointArn", mlops::EndpointArn(name)}};
  }
  if (current->status != mlops::kEndpointInService) {
    return Validation(fmt::format("Cannot update in-progress endpoint \"{}\".",
                                  mlops::EndpointArn(name)));
  }
  StatusOr<Endpoint> begun = env.endpoints->BeginUpdate(name, config_name);
  if (!begun.ok()) {
    if (begun.status().code() == StatusCode::kNotFound) {
      return FromStore(begun.status(), "endpoint configuration",
                       mlops::EndpointConfigArn(config_name));
    }
    return FromStore(begun.status(), "endpoint", mlops::EndpointArn(name));
  }
  // BeginUpdate returns the endpoint as Updating; FinishDeployment reports
  // by the status it had before.
  Endpoint before = *begun;
  before.status = mlops::kEndpointUpdating;
  return FinishDeployment(env, before, config_name, changed_by);
}

runtime::StepResult DescribeEndpoint(const StepEnv& env, const Json& in) {
  std::string name;
  if (auto e = RequiredString(in, "EndpointName", &name)) return *e;
  StatusOr<Endpoint> endpoint = env.endpoints->GetEndpoint(name);
  if (!endpoint.ok()) {
    if (endpoint.status().code() == StatusCode::kNotFound) {
      return Validation(fmt::format("Could not find endpoint \"{}\".", name));
    }
    return FromStore(endpoint.status(), "endpoint", mlops::EndpointArn(name));
  }
  StatusOr<EndpointConfig> config =
      env.endpoints->GetEndpointConfig(endpoint->config_name);
  std::map<std::string, HostedModel> models;
  if (config.ok()) {
    for (const mlops::ProductionVariant& v : config->production_variants) {
      StatusOr<HostedModel> model = env.endpoints->GetModel(v.model_name);
      if (model.ok()) models.emplace(v.model_name, std::move(*model));
    }
  }
  return mlops::DescribeEndpointJson(*endpoint, config.ok() ? &*config : nullptr,
                                     models);
}

runtime::StepResult DescribeEndpointConfig(const StepEnv& env, const Json& in) {
  std::string name;
  if (auto e = RequiredString(in, "EndpointConfigName", &name)) return *e;
  StatusOr<EndpointConfig> config = env.endpoints->GetEndpointConfig(name);
  if (!config.ok()) {
    return FromStore(config.status(), "endpoint configuration",
                     mlops::EndpointConfigArn(name));
  }
  return mlops::DescribeEndpointConfigJson(*config);
}

runtime::StepResult DescribeModel(const StepEnv& env, const Json& in) {
  std::string name;
  if (auto e = RequiredString(in, "ModelName", &name)) return *e;
  StatusOr<HostedModel> model = env.endpoints->GetModel(name);
  if (!model.ok()) {
    return FromStore(model.status(), "model", mlops::ModelArn(name));
  }
  return mlops::DescribeModelJson(*model);
}

runtime::StepResult DeleteEndpoint(const StepEnv& env, const Json& in) {
  std::string name;
  if (auto e = RequiredString(in, "EndpointName", &name)) return *e;
  Status deleted = env.endpoints->DeleteEndpoint(name);
  if (!deleted.ok()) {
    return FromStore(deleted, "endpoint", mlops::EndpointArn(name));
  }
  if (env.host != nullptr) env.host->Evict(name);
  return Json::object();
}

// "<endpoint>-<execution name>", cut to SageMaker's 63 characters, every
// character outside [A-Za-z0-9-] turned into '-'.
std::string DefaultModelName(const std::string& endpoint,
                             const std::string& execution_arn) {
  std::size_t colon = execution_arn.rfind(':');
  std::string execution = colon == std::string::npos
                              ? execution_arn
                              : execution_arn.substr(colon + 1);
  std::string raw = execution.empty() ? endpoint : endpoint + "-" + execution;
  std::string name;
  for (char c : raw) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  }
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

}  // namespace

runtime::StepResult HostingStep::Invoke(const runtime::TaskRequest& request) {
  const std::string& r = request.resource;
  const Json& in = request.input;
  if (r == kCreateModelResource) return CreateModel(env_, in);
  if (r == kCreateEndpointConfigResource) return CreateEndpointConfig(env_, in);
  if (r == kDescribeEndpointResource) return DescribeEndpoint(env_, in);
  if (r == kDescribeEndpointConfigResource) return DescribeEndpointConfig(env_, in);
  if (r == kDescribeModelResource) return DescribeModel(env_, in);
  if (r == kDeleteEndpointResource) return DeleteEndpoint(env_, in);
  if (r == kCreateEndpointResource || r == kUpdateEndpointResource) {
    std::string name, config;
    if (auto e = RequiredString(in, "EndpointName", &name)) return *e;
    if (auto e = RequiredString(in, "EndpointConfigName", &config)) return *e;
    if (r == kCreateEndpointResource) {
      return CreateEndpoint(env_, name, config, ChangedBy(request));
    }
    return UpdateEndpoint(env_, name, config, ChangedBy(request));
  }
  return Error{"States.TaskFailed",
               fmt::format("the hosting step does not handle '{}'", r)};
}

// Parse, then model, config and endpoint in turn, each reused or created:
// one sequence over 60 lines, kept together so the reuse rules read in order.
runtime::StepResult DeployStep::Invoke(const runtime::TaskRequest& request) {
  const Json& in = request.input;
  std::string endpoint, model_uri;
  if (auto e = RequiredString(in, "EndpointName", &endpoint)) return *e;
  if (auto e = RequiredString(in, "ModelUri", &model_uri)) return *e;
  std::string model_name = in.value("ModelName", std::string());
  if (model_name.empty()) {
    model_name = DefaultModelName(endpoint, request.execution_arn);
  }
  std::string config_name = in.value("EndpointConfigName", model_name);
  if (std::string why = mlops::CheckHostingName(endpoint); !why.empty()) {
    return Validation(fmt::format("EndpointName '{}': {}", endpoint, why));
  }

  // The model: reused when it already serves the same data (a retry).
  Json model_request{
      {"ModelName", model_name},
      {"ExecutionRoleArn", in.value("ExecutionRoleArn", std::string(kDefaultRole))},
      {"PrimaryContainer",
       {{"Image", in.value("Image", std::string(kDefaultImage))},
        {"ModelDataUrl", model_uri}}}};
  StatusOr<HostedModel> existing_model = env_.endpoints->GetModel(model_name);
  if (existing_model.ok()) {
    if (existing_model->primary_container.model_data_url != model_uri) {
      return FromStore(AlreadyExistsError(""), "model", mlops::ModelArn(model_name));
    }
  } else {
    runtime::StepResult made = CreateModel(env_, model_request);
    if (std::holds_alternative<Error>(made)) return made;
  }

  // The endpoint config: one variant on the model.
  Json variant{{"VariantName", in.value("VariantName", std::string("AllTraffic"))},
               {"ModelName", model_name},
               {"InstanceType", in.value("InstanceType", std::string("ml.m5.large"))},
               {"InitialInstanceCount", in.value("InitialInstanceCount", 1)},
               {"InitialVariantWeight", 1.0}};
  Json config_request{{"EndpointConfigName", config_name},
                      {"ProductionVariants", Json::array({variant})}};
  if (in.contains("DataCapture")) {
    const Json& capture = in["DataCapture"];
    if (!capture.is_object()) return Validation("DataCapture must be an object");
    config_request["DataCaptureConfig"] = {
        {"EnableCapture", capture.value("Enabled", true)},
        {"InitialSamplingPercentage", capture.value("SamplingPercentage", 100.0)},
        {"DestinationS3Uri",
         capture.value("DestinationUri", std::string("s3://mlflowctl/capture"))},
        {"CaptureOptions",
         Json::array({{{"CaptureMode", "Input"}}, {{"CaptureMode", "Output"}}})}};
    // Bodies of these types are captured as text (else base64).
    Json header = Json::object();
    for (const char* key : {"CsvContentTypes", "JsonContentTypes"}) {
      if (capture.contains(key)) header[key] = capture[key];
    }
    if (!header.empty()) {
      config_request["DataCaptureConfig"]["CaptureContentTypeHeader"] = header;
    }
  }
  StatusOr<EndpointConfig> existing_config =
      env_.endpoints->GetEndpointConfig(config_name);
  if (existing_config.ok()) {
    const auto& variants = existing_config->production_variants;
    if (variants.size() != 1 || variants[0].model_name != model_name) {
      return FromStore(AlreadyExistsError(""), "endpoint configuration",
                       mlops::EndpointConfigArn(config_name));
    }
  } else {
    runtime::StepResult made = CreateEndpointConfig(env_, config_request);
    if (std::holds_alternative<Error>(made)) return made;
  }

  // Create, replace a Failed endpoint, or update (blue/green).
  std::string action = "created";
  StatusOr<Endpoint> current = env_.endpoints->GetEndpoint(endpoint);
  runtime::StepResult result;
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) {
    return FromStore(current.status(), "endpoint", mlops::EndpointArn(endpoint));
  }
  if (current.ok() && current->status == mlops::kEndpointFailed) {
    Status deleted = env_.endpoints->DeleteEndpoint(endpoint);
    if (!deleted.ok()) {
      return FromStore(deleted, "endpoint", mlops::EndpointArn(endpoint));
    }
    if (env_.host != nullptr) env_.host->Evict(endpoint);
  }
  // A creation by this request that a crash cut short (or whose result was
  // lost) is finished by CreateEndpoint, not updated.
  const bool our_creation =
      current.ok() && current->config_name == config_name &&
      (current->status == mlops::kEndpointCreating ||
       (current->status == mlops::kEndpointInService &&
        LastChangeWas(env_, endpoint, config_name, ChangedBy(request), /*creation=*/true)));
  if (current.ok() && current->status != mlops::kEndpointFailed && !our_creation) {
    action = "updated";
    result = UpdateEndpoint(env_, endpoint, config_name, ChangedBy(request));
  } else {
    result = CreateEndpoint(env_, endpoint, config_name, ChangedBy(request));
  }
  if (std::holds_alternative<Error>(result)) return result;
  StatusOr<Endpoint> now = env_.endpoints->GetEndpoint(endpoint);
  return Json{{"EndpointName", endpoint},
              {"EndpointArn", mlops::EndpointArn(endpoint)},
              {"EndpointConfigName", config_name},
              {"ModelName", model_name},
              {"EndpointStatus", now.ok() ? now->status : std::string()},
              {"Action", action}};
}

}  // namespace mlflowctl::steps
