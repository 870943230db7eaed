#include "steps/invoke_step.h"

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/base/json_util.h"
#include "serving/endpoint_host.h"
#include "steps/ml/endpoint_predictor.h"

namespace mlflowctl::steps {
namespace {

// Step Functions' AWS SDK integrations name an error "<Service>.<Error>",
// both in PascalCase, and always add the "Exception" suffix when the
// service's error name lacks it (AWS Step Functions Developer Guide,
// "Learning to use AWS service SDK integrations in Step Functions", the
// S3.BucketAlreadyExistsException example). The service of
// aws-sdk:sagemakerruntime is SageMakerRuntime; its errors are
// sagemaker-runtime's (botocore 2017-05-13 model): ValidationError,
// ModelError, ModelNotReadyException, InternalFailure.
std::string ErrorName(serving::InvokeErrorKind kind) {
  std::string name = serving::InvokeErrorName(kind);
  if (name.size() < 9 || name.compare(name.size() - 9, 9, "Exception") != 0) {
    name += "Exception";
  }
  return "SageMakerRuntime." + name;
}

Error Failure(serving::InvokeErrorKind kind, const std::string& message) {
  return Error{ErrorName(kind),
               fmt::format("{} (Service: SageMakerRuntime, Status Code: {}, Request ID: {})",
                           message, serving::InvokeErrorHttpStatus(kind), NewUuid())};
}

Error BadInput(const std::string& message) {
  return Failure(serving::InvokeErrorKind::kValidation, message);
}

// An optional string member; an error message when it is not a string.
std::optional<std::string> OptionalString(const Json& in, const char* key,
                                          std::string* out) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  if (!in[key].is_string()) return fmt::format("{} must be a string", key);
  *out = in[key].get<std::string>();
  return std::nullopt;
}

}  // namespace

runtime::StepResult InvokeStep::Invoke(const runtime::TaskRequest& request) {
  const Json& in = request.input;
  if (!in.is_object()) return BadInput("the input must be a JSON object");
  serving::Invocation call;
  if (!in.contains("EndpointName") || !in["EndpointName"].is_string() ||
      in["EndpointName"].get<std::string>().empty()) {
    return BadInput(
        "1 validation error detected: Value null at 'endpointName' failed to satisfy "
        "constraint: Member must not be null");
  }
  call.endpoint_name = in["EndpointName"].get<std::string>();
  if (!in.contains("Body") || in["Body"].is_null()) {
    return BadInput(
        "1 validation error detected: Value null at 'body' failed to satisfy constraint: "
        "Member must not be null");
  }
  const Json& body = in["Body"];
  call.body = body.is_string() ? body.get<std::string>() : DumpJson(body);
  call.content_type = body.is_string() ? "text/csv" : "application/json";
  for (auto [key, field] : {std::pair{"ContentType", &call.content_type},
                            std::pair{"Accept", &call.accept},
                            std::pair{"TargetVariant", &call.target_variant},
                            std::pair{"InferenceId", &call.inference_id},
                            std::pair{"CustomAttributes", &call.custom_attributes}}) {
    if (auto bad = OptionalString(in, key, field)) return BadInput(*bad);
  }

  serving::InvokeError error;
  std::optional<serving::InvocationResult> result = host_->Invoke(call, &error);
  if (!result) return Failure(error.kind, error.message);
  Json out_body = result->body;
  if (ml::MediaType(result->content_type) == "application/json") {
    StatusOr<Json> parsed = ParseJson(result->body);
    if (parsed.ok()) out_body = std::move(*parsed);
  }
  return Json{{"Body", std::move(out_body)},
              {"ContentType", result->content_type},
              {"InvokedProductionVariant", result->invoked_variant}};
}

}  // namespace mlflowctl::steps
