// BaselineStep: the `mlflowctl:baseline` Task resource. Profiles the training
// data into SageMaker Model Monitor's data-quality baseline and, given a model
// and a test set, the regression model-quality baseline
// (reference/mlops-formats.md §a):
//   Parameters: {"DataUri": "s3://.../train.csv",   (required)
//                "ManifestUri": "s3://.../manifest.json",
//                    (optional; DataUri is then in the training format, no
//                     header, target first, and the manifest names the
//                     columns; without it DataUri must have a header line)
//                "IncludeTarget": false,   (with a manifest: profile the target
//                too) "ExcludeColumns": ["id"], (optional; columns left out)
//                "ModelUri": "s3://.../output/model",   (optional; a model
//                directory) "TestUri": "s3://.../test.csv",   (with ModelUri:
//                training format) "OutputUri":
//                "s3://mlflowctl/executions/<execution>/baseline"}  (default)
// Writes into OutputUri statistics.json and constraints.json (data quality)
// and, with ModelUri and TestUri, model_quality_statistics.json and
// model_quality_constraints.json; returns {"StatisticsUri",
// "ConstraintsUri", ["ModelQualityStatisticsUri",
// "ModelQualityConstraintsUri",] "OutputUri", "Summary": {"ItemCount",
// "Features", "NumericFeatures", "StringFeatures", "IncompleteFeatures",
// ["ModelQuality": {"rmse", "mae", "mse", "r2", "count"}]}}.
// The files are a pure function of the input files (no timestamps), so the
// same data gives byte-identical baselines. Errors: Mlflow.InvalidParameters,
// Mlflow.InputNotFound, Mlflow.InvalidCsv, Mlflow.SchemaMismatch,
// Mlflow.ModelLoadFailed, Mlflow.PredictionFailed, Mlflow.OutputFailed.
// Thread-safe: each Invoke is independent.
#ifndef MLFLOWCTL_STEPS_BASELINE_STEP_H_
#define MLFLOWCTL_STEPS_BASELINE_STEP_H_

#include <utility>

#include "engine/runtime/task_handler.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

class BaselineStep : public runtime::TaskHandler {
 public:
  explicit BaselineStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_BASELINE_STEP_H_
