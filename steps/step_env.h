// StepEnv: what the built-in steps may use beyond their input: the home
// directory for artifacts, a clock and the record stores (model registry,
// parameter store, notification log, endpoint store; not owned, null when
// not available), and the endpoint host that serves deployed models in this
// process (null when models are not served here: hosting steps then only
// check that a model loads, and mlflowctl:invoke is not registered).
// Plain value; thread-safe to share (the stores are thread-safe).
#ifndef MLFLOWCTL_STEPS_STEP_ENV_H_
#define MLFLOWCTL_STEPS_STEP_ENV_H_

#include <string>

#include "engine/base/clock.h"
#include "engine/mlops/endpoint_store.h"
#include "engine/mlops/model_registry.h"
#include "engine/mlops/notification_log.h"
#include "engine/mlops/parameter_store.h"

namespace mlflowctl::serving {
class EndpointHost;
}  // namespace mlflowctl::serving

namespace mlflowctl::steps {

struct StepEnv {
  std::string home = ".mlflowctl";  // $MLFLOWCTL_HOME
  const Clock* clock = SystemClock::Default();
  mlops::ModelRegistry* models = nullptr;
  mlops::ParameterStore* parameters = nullptr;
  mlops::NotificationLog* notifications = nullptr;
  mlops::EndpointStore* endpoints = nullptr;
  serving::EndpointHost* host = nullptr;
};

// Maps a data URI to a local path, as DESIGN.md §4 defines it:
// "s3://bucket/key" -> "<home>/s3/bucket/key", "file:///abs" -> "/abs",
// anything else is a path used as it is (relative to the working directory).
std::string ResolveUri(const StepEnv& env, const std::string& uri);

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_STEP_ENV_H_
