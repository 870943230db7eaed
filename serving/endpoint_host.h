// EndpointHost: the models behind SageMaker-style endpoints, loaded and kept
// in memory for invocation. An endpoint's Deployment (its config's variants,
// each with a loaded predictor, and its data-capture config) is swapped
// atomically: a request holds the deployment it started on, so requests in
// flight during an update finish on the old model and new ones use the new
// model, with no gap (the hosting step loads first, then installs).
// A deployment changed by another process (a `run` deploying while `serve`
// runs) is noticed when the store's config name differs, checked at most
// every `recheck_interval` per endpoint.
// Thread-safe: Invoke may be called from many threads at once.
#ifndef MLFLOWCTL_SERVING_ENDPOINT_HOST_H_
#define MLFLOWCTL_SERVING_ENDPOINT_HOST_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status_or.h"
#include "engine/mlops/endpoint_store.h"
#include "steps/ml/endpoint_predictor.h"

namespace mlflowctl::serving {

class CaptureWriter;

struct LoadedVariant {
  std::string variant_name;
  std::string model_name;
  double weight = 1.0;
  std::shared_ptr<const ml::EndpointPredictor> predictor;
};

struct Deployment {
  std::string endpoint_config_name;
  std::vector<LoadedVariant> variants;
  std::optional<mlops::DataCaptureConfig> data_capture;
};

// InvokeEndpoint's request and response (botocore sagemaker-runtime).
struct Invocation {
  std::string endpoint_name;
  std::string body;
  std::string content_type;   // Content-Type
  std::string accept;         // Accept ("" = same as the content type)
  std::string target_variant;  // X-Amzn-SageMaker-Target-Variant
  std::string target_model;   // X-Amzn-SageMaker-Target-Model (multi-model; reserved)
  std::string inference_id;   // X-Amzn-SageMaker-Inference-Id
  std::string custom_attributes;
};

struct InvocationResult {
  std::string body;
  std::string content_type;
  std::string invoked_variant;
};

// Why an invocation failed, as sagemaker-runtime names it.
enum class InvokeErrorKind {
  kValidation,   // ValidationError, HTTP 400 (unknown endpoint, bad header)
  kModel,        // ModelError, HTTP 424 (the model rejected the input)
  kNotReady,     // ModelNotReadyException, HTTP 429
  kInternal,     // InternalFailure, HTTP 500
};

struct InvokeError {
  InvokeErrorKind kind = InvokeErrorKind::kInternal;
  std::string message;
  std::string variant;  // the variant chosen, when one was
  // ModelError only: the model's own status (400 bad input, 415 content
  // type, 406 Accept, 500 model failure) and message.
  int original_status_code = 0;
  std::string original_message;
};

// sagemaker-runtime's name of the error ("ValidationError", "ModelError",
// "ModelNotReadyException", "InternalFailure") and its HTTP status.
const char* InvokeErrorName(InvokeErrorKind kind);
int InvokeErrorHttpStatus(InvokeErrorKind kind);

class EndpointHost {
 public:
  using UriResolver = ml::EndpointPredictor::UriResolver;

  // `store` and `clock` must outlive the host; `capture` may be null (no
  // data capture).
  EndpointHost(mlops::EndpointStore& store, UriResolver resolve,
               const Clock& clock, CaptureWriter* capture,
               std::chrono::milliseconds recheck_interval =
                   std::chrono::milliseconds(1000));
  ~EndpointHost();

  // Loads every variant of `config_name` (not installed). The message names
  // the variant and model that failed.
  StatusOr<std::shared_ptr<const Deployment>> Load(const std::string& config_name);
  // Makes `deployment` the one serving `endpoint_name` from now on.
  void Install(const std::string& endpoint_name,
               std::shared_ptr<const Deployment> deployment);
  // Forgets an endpoint (deleted).
  void Evict(const std::string& endpoint_name);

  // Answers one request: picks a variant (the target variant, else by
  // weight), predicts, and hands a capture record to the CaptureWriter
  // when the endpoint's config samples this request. An endpoint not yet
  // loaded here is loaded from the store on first use.
  // The variant is returned on `*error` too when one was chosen.
  // The response is in the Accept type when one is given (text/csv,
  // application/json, application/jsonlines; "*/*" or empty: the request's
  // type). An empty Content-Type is taken as text/csv. Errors:
  //   ValidationError: unknown endpoint ("Endpoint NAME of account
  //     123456789012 not found.", also while Creating or when Failed), an
  //     unknown target variant;
  //   ModelError: the model rejected the input or failed (the message
  //     quotes the model's, as SageMaker's "Received client error (400)
  //     from primary with message ...");
  //   InternalFailure: the store cannot be read or the model cannot be
  //     loaded.
  std::optional<InvocationResult> Invoke(const Invocation& invocation,
                                         InvokeError* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlflowctl::serving

#endif  // MLFLOWCTL_SERVING_ENDPOINT_HOST_H_
