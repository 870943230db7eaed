// CommandStep: the `mlflowctl:command` Task resource. Runs an argv (no
// shell) as a child process:
//   Parameters: {"Command": ["python3", "train.py", "--fast"],   (required)
//                "Payload": <any JSON>,        (optional; stdin, default: the whole input)
//                "WorkingDirectory": "dir",    (optional)
//                "Environment": {"K": "V"}}    (optional; added to the environment)
// The payload is written to stdin as JSON; stdout must be JSON (empty stdout
// is null) and is the task's result. A non-zero exit is an error named by
// the last stderr line that is a JSON object {"error": ..., "cause": ...},
// else States.TaskFailed. When the task is cancelled (TimeoutSeconds, stop)
// the process group is killed. Thread-safe: each Invoke is independent.
#ifndef MLFLOWCTL_STEPS_COMMAND_STEP_H_
#define MLFLOWCTL_STEPS_COMMAND_STEP_H_

#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

class CommandStep : public runtime::TaskHandler {
 public:
  // Ignores SIGPIPE for the process: a child that exits without reading its
  // stdin must fail the task, not kill the engine.
  CommandStep();
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_COMMAND_STEP_H_
