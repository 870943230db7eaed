// TaskHandler: the contract between the runtime and a Task resource (a
// built-in step such as mlflowctl:command). The runtime calls Invoke on a
// worker thread; a handler may block, but must return soon after
// `request.cancelled` becomes true (the task timed out or the execution was
// stopped). Handlers must be thread-safe: many tasks may run at once.
#ifndef MLFLOWCTL_RUNTIME_TASK_HANDLER_H_
#define MLFLOWCTL_RUNTIME_TASK_HANDLER_H_

#include <atomic>
#include <optional>
#include <string>
#include <variant>

#include "engine/base/error.h"
#include "engine/base/json_util.h"

namespace mlflowctl::runtime {

struct TaskRequest {
  std::string resource;        // the state's Resource
  Json input;                  // effective input (after InputPath/Parameters)
  std::string execution_arn;
  std::string state_name;
  std::string task_token;      // stable per (execution, state entry, attempt)
  int attempt = 0;             // 0 for the first try
  std::optional<int64_t> timeout_seconds;
  const std::atomic<bool>* cancelled = nullptr;  // never null when invoked
};

// Either the task's result (JSON) or an ASL error ({name, cause}).
using StepResult = std::variant<Json, Error>;

class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  virtual StepResult Invoke(const TaskRequest& request) = 0;
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_TASK_HANDLER_H_
