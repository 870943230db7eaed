// HostingStep: SageMaker's hosting APIs as Task resources, on the
// EndpointStore, with SageMaker's request and response shapes (dates are
// epoch seconds):
//   arn:aws:states:::sagemaker:createModel           -> {"ModelArn"}
//   arn:aws:states:::sagemaker:createEndpointConfig  -> {"EndpointConfigArn"}
//   arn:aws:states:::sagemaker:createEndpoint        -> {"EndpointArn"}
//   arn:aws:states:::sagemaker:updateEndpoint        -> {"EndpointArn"}
//   arn:aws:states:::aws-sdk:sagemaker:describeEndpoint / describeEndpointConfig
//     / describeModel                                -> the Describe* response
//   arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint -> {}
// Creating or updating an endpoint loads every variant's model
// (ModelDataUrl through ResolveUri) before switching. When a load fails,
// createEndpoint leaves the endpoint Failed with a FailureReason, and
// updateEndpoint keeps the old config InService (blue/green: the old model
// serves until the new one is loaded); both then fail the task with
// Mlflow.ModelLoadFailed. The config change is recorded in the endpoint's
// history with the execution's ARN. With env.host set, the loaded models
// are installed in the host once the store records the switch (requests
// in flight finish on the old models), and deleteEndpoint evicts them.
// At-least-once: a task that a crash interrupted runs again with the same
// request when its execution resumes. createModel and createEndpointConfig
// answer as the first run did when the existing resource is the same;
// createEndpoint and updateEndpoint finish a change left Creating or Updating
// on the same config, and answer as done when the endpoint's last change was
// that one, made by the same execution (another execution creating an
// existing endpoint still gets the ValidationException).
// Errors as Step Functions names SageMaker's: SageMaker.ValidationException
// for a bad request, a missing resource ("Could not find endpoint
// \"NAME\".") or a duplicate ("Cannot create already existing endpoint
// \"ARN\"."); Mlflow.StoreError when the store fails.
//
// DeployStep: `mlflowctl:deploy`, createModel + createEndpointConfig +
// create-or-update in one step:
//   {"EndpointName": "car-price",                         (required)
//    "ModelUri": "s3://.../output/model",                 (required)
//    "ModelName": "<EndpointName>-<execution name>",      (default)
//    "EndpointConfigName": "<ModelName>",                 (default)
//    "VariantName": "AllTraffic", "InstanceType": "ml.m5.large",
//    "InitialInstanceCount": 1, "Image": "mlflowctl-inference:local",
//    "DataCapture": {"SamplingPercentage": 100,
//                    "DestinationUri": "s3://mlflowctl/capture",
//                    "CsvContentTypes": ["text/csv"],          (optional: captured
//                    "JsonContentTypes": ["application/json"]}} as text, not base64)
//   -> {"EndpointName", "EndpointArn", "EndpointConfigName", "ModelName",
//       "EndpointStatus", "Action": "created" | "updated"}
// An existing model or config of the same name is reused when it holds the
// same model (a retried step); an endpoint that is Failed is replaced.
// Thread-safe: handlers keep no state besides the (thread-safe) store.
#ifndef MLFLOWCTL_STEPS_HOSTING_STEP_H_
#define MLFLOWCTL_STEPS_HOSTING_STEP_H_

#include <utility>

#include "engine/runtime/task_handler.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

inline constexpr char kCreateModelResource[] =
    "arn:aws:states:::sagemaker:createModel";
inline constexpr char kCreateEndpointConfigResource[] =
    "arn:aws:states:::sagemaker:createEndpointConfig";
inline constexpr char kCreateEndpointResource[] =
    "arn:aws:states:::sagemaker:createEndpoint";
inline constexpr char kUpdateEndpointResource[] =
    "arn:aws:states:::sagemaker:updateEndpoint";
inline constexpr char kDescribeEndpointResource[] =
    "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint";
inline constexpr char kDescribeEndpointConfigResource[] =
    "arn:aws:states:::aws-sdk:sagemaker:describeEndpointConfig";
inline constexpr char kDescribeModelResource[] =
    "arn:aws:states:::aws-sdk:sagemaker:describeModel";
inline constexpr char kDeleteEndpointResource[] =
    "arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint";
inline constexpr char kDeployResource[] = "mlflowctl:deploy";

// Every resource HostingStep answers.
inline constexpr const char* kHostingResources[] = {
    kCreateModelResource,       kCreateEndpointConfigResource,
    kCreateEndpointResource,    kUpdateEndpointResource,
    kDescribeEndpointResource,  kDescribeEndpointConfigResource,
    kDescribeModelResource,     kDeleteEndpointResource};

class HostingStep : public runtime::TaskHandler {
 public:
  // env.endpoints must not be null; it is not owned.
  explicit HostingStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

class DeployStep : public runtime::TaskHandler {
 public:
  // env.endpoints must not be null; it is not owned.
  explicit DeployStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_HOSTING_STEP_H_
