#include "steps/registry.h"

#include <memory>

#include "steps/baseline_step.h"
#include "steps/command_step.h"
#include "steps/compare_model_step.h"
#include "steps/evaluate_step.h"
#include "steps/hosting_step.h"
#include "steps/invoke_step.h"
#include "steps/notify_step.h"
#include "steps/parameters_step.h"
#include "steps/preprocess_step.h"
#include "steps/register_model_step.h"
#include "steps/train_step.h"

namespace mlflowctl::steps {

void RegisterBuiltinSteps(runtime::ResourceRegistry& registry, const StepEnv& env) {
  (void)env;  // used by the ML steps
  registry.Register("mlflowctl:command", std::make_shared<CommandStep>());
  // The record-keeping steps, when the caller has stores to give them.
  if (env.models != nullptr) {
    registry.Register("mlflowctl:register-model",
                      std::make_shared<RegisterModelStep>(env.models));
    registry.Register("mlflowctl:compare-model",
                      std::make_shared<CompareModelStep>(env.models));
  }
  if (env.parameters != nullptr) {
    auto parameters = std::make_shared<ParametersStep>(env.parameters);
    for (const char* resource :
         {kParametersResource, kSsmPutParameterResource, kSsmGetParameterResource,
          kSsmGetParametersByPathResource, kSsmGetParameterHistoryResource}) {
      registry.Register(resource, parameters);
    }
  }
  if (env.notifications != nullptr) {
    auto notify = std::make_shared<NotifyStep>(
        env.notifications, NotifyStep::DeliveryCommandFromEnvironment());
    registry.Register(kNotifyResource, notify);
    registry.Register(kSnsPublishResource, notify);
  }
  if (env.endpoints != nullptr) {
    auto hosting = std::make_shared<HostingStep>(env);
    for (const char* resource : kHostingResources) registry.Register(resource, hosting);
    registry.Register(kDeployResource, std::make_shared<DeployStep>(env));
  }
  // Invocations need models served in this process.
  if (env.host != nullptr) {
    auto invoke = std::make_shared<InvokeStep>(env.host);
    registry.Register(kInvokeResource, invoke);
    registry.Register(kInvokeEndpointResource, invoke);
  }
  registry.Register("mlflowctl:baseline", std::make_shared<BaselineStep>(env));
  auto train = std::make_shared<TrainStep>(env);
  registry.Register("mlflowctl:train", train);
  registry.Register("arn:aws:states:::sagemaker:createTrainingJob.sync", train);
  registry.Register("mlflowctl:evaluate", std::make_shared<EvaluateStep>(env));
  registry.Register("mlflowctl:preprocess", std::make_shared<PreprocessStep>(env));
}

}  // namespace mlflowctl::steps
