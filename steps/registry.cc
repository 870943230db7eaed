#include "steps/registry.h"

#include <memory>

#include "steps/command_step.h"

namespace mlflowctl::steps {

void RegisterBuiltinSteps(runtime::ResourceRegistry& registry, const StepEnv& env) {
  (void)env;  // used by the ML steps
  registry.Register("mlflowctl:command", std::make_shared<CommandStep>());
}

}  // namespace mlflowctl::steps
