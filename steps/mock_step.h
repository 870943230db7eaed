// MockStep: answers Task states from a mocks file instead of running them,
// as Step Functions Local's mocked service integrations do. The file maps
// state names to one response per attempt (the last repeats):
//   {"Train": [{"error": "Mlflow.TrainingFailed", "cause": "oom"},
//              {"output": {"rmse": 0.31}}]}
// States without mocks fall through to `fallback`'s handler for their
// resource. Thread-safe.
#ifndef MLFLOWCTL_STEPS_MOCK_STEP_H_
#define MLFLOWCTL_STEPS_MOCK_STEP_H_

#include <map>
#include <mutex>
#include <string>

#include "engine/base/json_util.h"
#include "engine/base/status.h"
#include "engine/runtime/resource_registry.h"
#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

class MockStep : public runtime::TaskHandler {
 public:
  // `mocks` as above; kInvalidArgument names the JSON pointer of a bad entry.
  static Status Check(const Json& mocks);
  MockStep(Json mocks, const runtime::ResourceRegistry* fallback)
      : mocks_(std::move(mocks)), fallback_(fallback) {}

  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  Json mocks_;
  const runtime::ResourceRegistry* fallback_;
  std::mutex mu_;
  std::map<std::string, std::size_t> calls_;  // per state name
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_MOCK_STEP_H_
