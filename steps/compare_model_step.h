// CompareModelStep: the `mlflowctl:compare-model` Task resource. Compares a
// registered candidate with the package an alias ("champion") points at:
//   Parameters: {"ModelGroup": "car-price",                      (required)
//                "Candidate": {"ModelPackageVersion": 3} or 3,   (required;
//                  register-model's result works as it is)
//                "Metric": "validation:rmse",     (default validation:rmse)
//                "Direction": "Minimize"|"Maximize" (default: Maximize for
//                  r2, accuracy, auc, f1, precision, recall; else Minimize),
//                "Alias": "champion",             (default champion)
//                "Promote": true}                 (default false)
//   Result: {"IsBetter": bool, "Promoted": bool, "Metric", "Alias",
//            "Champion": {...package...} or null, "Candidate": {...},
//            "Reason": "validation:rmse 3012.4 < champion's 3150.2"}
// No champion yet: the candidate is better. When it is better and Promote is
// true the alias moves to it, recorded with the execution ARN; the move is a
// compare-and-set, so a concurrent promotion makes the comparison run again.
// Run again by the execution that already promoted the candidate (a task a
// crash interrupted, resumed), it answers as the first run did.
// Errors: Mlflow.InvalidInput, Mlflow.ModelNotFound, Mlflow.MetricNotFound,
// Mlflow.StoreError. Thread-safe (the registry is).
#ifndef MLFLOWCTL_STEPS_COMPARE_MODEL_STEP_H_
#define MLFLOWCTL_STEPS_COMPARE_MODEL_STEP_H_

#include "engine/mlops/model_registry.h"
#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

class CompareModelStep : public runtime::TaskHandler {
 public:
  // `models` is not owned and must outlive the step.
  explicit CompareModelStep(mlops::ModelRegistry* models) : models_(models) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  mlops::ModelRegistry* models_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_COMPARE_MODEL_STEP_H_
