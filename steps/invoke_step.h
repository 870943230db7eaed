// InvokeStep: SageMaker runtime's InvokeEndpoint as a Task resource,
// answered by the in-process EndpointHost (so data capture applies):
//   mlflowctl:invoke
//   arn:aws:states:::aws-sdk:sagemakerruntime:invokeEndpoint
// Input: {"EndpointName" (required),
//         "Body" (required: a string is sent as it is, any other JSON value
//                 is sent serialised as JSON),
//         "ContentType" (default text/csv for a string Body, else
//                        application/json), "Accept", "TargetVariant",
//         "InferenceId", "CustomAttributes"}
// Output: {"Body": the response parsed when it is application/json, else
//          its text, "ContentType", "InvokedProductionVariant"}
// Errors as Step Functions names an AWS SDK integration's: "<Service>.<Error>"
// with an "Exception" suffix always added: SageMakerRuntime.ValidationErrorException
// (also for a bad input), SageMakerRuntime.ModelErrorException,
// SageMakerRuntime.ModelNotReadyException, SageMakerRuntime.InternalFailureException.
// The cause is the service's message followed by "(Service: SageMakerRuntime,
// Status Code: N, Request ID: ...)" as the AWS SDK for Java words it.
// Thread-safe: the host is.
#ifndef MLFLOWCTL_STEPS_INVOKE_STEP_H_
#define MLFLOWCTL_STEPS_INVOKE_STEP_H_

#include "engine/runtime/task_handler.h"

namespace mlflowctl::serving {
class EndpointHost;
}  // namespace mlflowctl::serving

namespace mlflowctl::steps {

inline constexpr char kInvokeResource[] = "mlflowctl:invoke";
inline constexpr char kInvokeEndpointResource[] =
    "arn:aws:states:::aws-sdk:sagemakerruntime:invokeEndpoint";

class InvokeStep : public runtime::TaskHandler {
 public:
  // `host` must not be null and must outlive the step.
  explicit InvokeStep(serving::EndpointHost* host) : host_(host) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  serving::EndpointHost* host_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_INVOKE_STEP_H_
