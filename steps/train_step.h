// TrainStep: the `mlflowctl:train` Task resource, also registered as
// `arn:aws:states:::sagemaker:createTrainingJob.sync`. Trains an XGBoost or
// Linear Learner regression model on SageMaker-format CSV (target first, no
// header) and returns what DescribeTrainingJob returns for the finished job.
// Two request shapes:
//  - SageMaker CreateTrainingJob (always for the ARN; for mlflowctl:train
//    when AlgorithmSpecification is present):
//      {"TrainingJobName": "n", (required; ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})
//       "AlgorithmSpecification": {"TrainingImage" | "AlgorithmName": "...xgboost..." |
//                                  "...linear-learner...", "TrainingInputMode": "File"},
//       "HyperParameters": {"num_round": "50", ...},   (strings; numbers accepted)
//       "InputDataConfig": [{"ChannelName": "train" | "validation",
//                            "DataSource": {"S3DataSource": {"S3Uri": "s3://b/k"}}}],
//       "OutputDataConfig": {"S3OutputPath": "s3://b/models"},  (required)
//       "StoppingCondition": {"MaxRuntimeInSeconds": 86400}, ...}
//  - short form: {"Algorithm": "xgboost" | "linear-learner", "TrainUri",
//    "ValidationUri" (optional), "OutputUri", "ManifestUri" (optional),
//    "HyperParameters": {...}, "JobName" (default "<execution name>-<state name>")}.
//    Linear Learner's predictor_type defaults to "regressor" here.
// A channel URI is a CSV file or a directory of CSV files (S3Prefix).
// Feature names come from ManifestUri or, when absent, from a manifest.json
// beside the train file (mlflowctl:preprocess output).
// Writes <S3OutputPath>/<TrainingJobName>/output/model/ (replacing it):
// xgboost-model.json or linear-model.json plus metadata.json (ml/model.h).
// Output: {TrainingJobName, TrainingJobArn, TrainingJobStatus: "Completed",
// SecondaryStatus: "Completed", ModelArtifacts: {S3ModelArtifacts: <model dir URI>},
// HyperParameters (strings, as given), AlgorithmSpecification, InputDataConfig,
// OutputDataConfig, StoppingCondition, CreationTime, TrainingStartTime,
// TrainingEndTime, LastModifiedTime (epoch seconds), TrainingTimeInSeconds,
// BillableTimeInSeconds, FinalMetricDataList: [{MetricName, Value, Timestamp}]}
// with validation:rmse first (when there is a validation channel), then
// validation:mae, validation:mse, validation:r2, train:rmse, train:mae,
// train:mse, train:r2. Metrics are computed with the saved model loaded back
// through ml::Model, so mlflowctl:evaluate on the same file reproduces them.
// Errors: Mlflow.InvalidParameters (malformed request), Mlflow.InvalidHyperParameter
// (cause names it), Mlflow.DataNotFound, Mlflow.InvalidCsv, Mlflow.SchemaMismatch
// (channels or manifest disagree), Mlflow.TrainingStopped (cancelled, or
// MaxRuntimeInSeconds exceeded; checked between boosting rounds),
// Mlflow.TrainingFailed, Mlflow.OutputFailed.
// Same data and hyperparameters (seed) give byte-identical model files and
// identical metrics. Thread-safe: each Invoke is independent.
#ifndef MLFLOWCTL_STEPS_TRAIN_STEP_H_
#define MLFLOWCTL_STEPS_TRAIN_STEP_H_

#include <utility>

#include "engine/runtime/task_handler.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

class TrainStep : public runtime::TaskHandler {
 public:
  explicit TrainStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_TRAIN_STEP_H_
