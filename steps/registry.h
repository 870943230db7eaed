// RegisterBuiltinSteps: adds every built-in Task resource (mlflowctl:*) to a
// registry. Call once before executions start.
#ifndef MLFLOWCTL_STEPS_REGISTRY_H_
#define MLFLOWCTL_STEPS_REGISTRY_H_

#include "engine/runtime/resource_registry.h"

namespace mlflowctl::steps {

void RegisterBuiltinSteps(runtime::ResourceRegistry& registry);

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_REGISTRY_H_
