#include "cli/services.h"

#include "steps/registry.h"

namespace mlflowctl::cli {

Services::Services(store::SqliteExecutionStore& store, const Clock& clock,
                   const std::string& home)
    : models(&store, &clock),
      parameters(&store, &clock),
      notifications(&store, &clock),
      endpoints(&store, &clock),
      capture(home + "/capture"),
      host(endpoints,
           [this](const std::string& uri) { return steps::ResolveUri(step_env, uri); },
           clock, &capture) {
  step_env.home = home;
  step_env.clock = &clock;
  step_env.models = &models;
  step_env.parameters = &parameters;
  step_env.notifications = &notifications;
  step_env.endpoints = &endpoints;
  step_env.host = &host;
  steps::RegisterBuiltinSteps(builtins, step_env);
}

}  // namespace mlflowctl::cli
