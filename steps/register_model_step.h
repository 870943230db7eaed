// RegisterModelStep: the `mlflowctl:register-model` Task resource. Adds a
// trained model to the model registry as the next version of its group:
//   Parameters: {"ModelGroup": "car-price",               (required)
//                "ModelUri": "s3://.../output/model",      (required)
//                "Algorithm": "xgboost",                   (optional)
//                "Metrics": {"validation:rmse": 3012.4}    (or the training
//                  job's "FinalMetricDataList": [{"MetricName", "Value"}]),
//                "Lineage": {"data": {...}, "hyperparameters": {...}}}
//   Result: {"ModelPackageGroupName", "ModelPackageVersion",
//            "ModelPackageArn", "ModelUri", "Algorithm", "Metrics"}
// The lineage gets "execution_arn" (the registering execution) unless it has
// one. The task token is the client token, so the same attempt run again
// (resumed after a crash) returns the version it registered the first time. Errors: Mlflow.InvalidInput,
// Mlflow.StoreError. Thread-safe (the registry is).
#ifndef MLFLOWCTL_STEPS_REGISTER_MODEL_STEP_H_
#define MLFLOWCTL_STEPS_REGISTER_MODEL_STEP_H_

#include "engine/mlops/model_registry.h"
#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

class RegisterModelStep : public runtime::TaskHandler {
 public:
  // `models` is not owned and must outlive the step.
  explicit RegisterModelStep(mlops::ModelRegistry* models) : models_(models) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  mlops::ModelRegistry* models_;
};

// The JSON a step returns for a package (register-model's result shape).
Json ModelPackageResultJson(const mlops::ModelPackage& package);

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_REGISTER_MODEL_STEP_H_
