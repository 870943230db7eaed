// Services: what `run` and `serve` compose around one execution store: the
// record stores on its connection, the endpoint host with its data capture,
// and the built-in Task resources. Built once per process.
#ifndef MLFLOWCTL_CLI_SERVICES_H_
#define MLFLOWCTL_CLI_SERVICES_H_

#include <memory>
#include <string>

#include "engine/base/clock.h"
#include "engine/runtime/resource_registry.h"
#include "engine/store/sqlite_endpoint_store.h"
#include "engine/store/sqlite_execution_store.h"
#include "engine/store/sqlite_model_registry.h"
#include "engine/store/sqlite_notification_log.h"
#include "engine/store/sqlite_parameter_store.h"
#include "serving/capture_writer.h"
#include "serving/endpoint_host.h"
#include "steps/step_env.h"

namespace mlflowctl::cli {

struct Services {
  // `store` and `clock` must outlive the services.
  Services(store::SqliteExecutionStore& store, const Clock& clock,
           const std::string& home);

  store::SqliteModelRegistry models;
  store::SqliteParameterStore parameters;
  store::SqliteNotificationLog notifications;
  store::SqliteEndpointStore endpoints;
  serving::CaptureWriter capture;  // under <home>/capture
  serving::EndpointHost host;
  steps::StepEnv step_env;
  runtime::ResourceRegistry builtins;
};

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_SERVICES_H_
