// RegisterBuiltinSteps: adds every built-in Task resource (mlflowctl:*) to a
// registry. Call once before executions start.
#ifndef MLFLOWCTL_STEPS_REGISTRY_H_
#define MLFLOWCTL_STEPS_REGISTRY_H_

#include "engine/runtime/resource_registry.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

void RegisterBuiltinSteps(runtime::ResourceRegistry& registry, const StepEnv& env = {});

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_REGISTRY_H_
