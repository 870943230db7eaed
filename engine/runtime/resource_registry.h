// ResourceRegistry: maps a Task's Resource string to its handler. Exact
// names ("mlflowctl:command") and prefixes ("arn:aws:states:::sagemaker:")
// may be registered. Populate before executions start; lookups are then
// thread-safe (read-only).
#ifndef MLFLOWCTL_RUNTIME_RESOURCE_REGISTRY_H_
#define MLFLOWCTL_RUNTIME_RESOURCE_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/task_handler.h"

namespace mlflowctl::runtime {

class ResourceRegistry {
 public:
  void Register(const std::string& resource, std::shared_ptr<TaskHandler> handler);
  void RegisterPrefix(const std::string& prefix, std::shared_ptr<TaskHandler> handler);

  // The handler for `resource`: an exact match first, then the longest
  // registered prefix; null if none.
  TaskHandler* Find(const std::string& resource) const;

  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::shared_ptr<TaskHandler>> exact_;
  std::map<std::string, std::shared_ptr<TaskHandler>> prefixes_;
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_RESOURCE_REGISTRY_H_
