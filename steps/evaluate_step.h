// EvaluateStep: the `mlflowctl:evaluate` Task resource. Scores a labelled
// dataset with a trained model and returns regression metrics:
//   Parameters: {"ModelUri": "s3://.../output/model",  (required; a model directory,
//                                                       e.g. ModelArtifacts.S3ModelArtifacts)
//                "DataUri": "s3://.../test.csv"}       (required; target first, no header;
//                                                       a file or a directory of files)
//   Output: {"rmse", "mae", "mse", "r2", "count"} (ml::ComputeRegressionMetrics)
// Predictions go through ml::Model, the path training used for its metrics,
// so scoring the validation file reproduces the training job's
// validation:* metrics exactly.
// Errors: Mlflow.InvalidParameters, Mlflow.ModelNotFound, Mlflow.InvalidModel,
// Mlflow.DataNotFound, Mlflow.InvalidCsv, Mlflow.SchemaMismatch (the data has
// another number of feature columns than the model), Mlflow.PredictionFailed.
// Thread-safe: each Invoke is independent.
#ifndef MLFLOWCTL_STEPS_EVALUATE_STEP_H_
#define MLFLOWCTL_STEPS_EVALUATE_STEP_H_

#include <utility>

#include "engine/runtime/task_handler.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

class EvaluateStep : public runtime::TaskHandler {
 public:
  explicit EvaluateStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_EVALUATE_STEP_H_
