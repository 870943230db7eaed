#include "steps/step_env.h"

namespace mlflowctl::steps {

std::string ResolveUri(const StepEnv& env, const std::string& uri) {
  if (uri.rfind("s3://", 0) == 0) return env.home + "/s3/" + uri.substr(5);
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  return uri;
}

}  // namespace mlflowctl::steps
