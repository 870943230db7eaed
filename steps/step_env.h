// StepEnv: what the built-in steps may use beyond their input: the home
// directory for artifacts and a clock. Plain value; thread-safe to share.
#ifndef MLFLOWCTL_STEPS_STEP_ENV_H_
#define MLFLOWCTL_STEPS_STEP_ENV_H_

#include <string>

#include "engine/base/clock.h"

namespace mlflowctl::steps {

struct StepEnv {
  std::string home = ".mlflowctl";  // $MLFLOWCTL_HOME
  const Clock* clock = SystemClock::Default();
};

// Maps a data URI to a local path, as DESIGN.md §4 defines it:
// "s3://bucket/key" -> "<home>/s3/bucket/key", "file:///abs" -> "/abs",
// anything else is a path used as it is (relative to the working directory).
std::string ResolveUri(const StepEnv& env, const std::string& uri);

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_STEP_ENV_H_
