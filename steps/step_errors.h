// Error names the built-in steps fail with (States.TaskFailed's "Error" as a
// Catch or Retry matches it). One list, so a step that reports the same
// condition as another uses the same name.
#ifndef MLFLOWCTL_STEPS_STEP_ERRORS_H_
#define MLFLOWCTL_STEPS_STEP_ERRORS_H_

namespace mlflowctl::steps {

inline constexpr char kDataNotFound[] = "Mlflow.DataNotFound";
inline constexpr char kInputNotFound[] = "Mlflow.InputNotFound";
inline constexpr char kInvalidCsv[] = "Mlflow.InvalidCsv";
inline constexpr char kInvalidHyperParameter[] = "Mlflow.InvalidHyperParameter";
inline constexpr char kInvalidModel[] = "Mlflow.InvalidModel";
inline constexpr char kInvalidParameters[] = "Mlflow.InvalidParameters";
inline constexpr char kModelLoadFailed[] = "Mlflow.ModelLoadFailed";
inline constexpr char kModelNotFound[] = "Mlflow.ModelNotFound";
inline constexpr char kNotEnoughRows[] = "Mlflow.NotEnoughRows";
inline constexpr char kOutputFailed[] = "Mlflow.OutputFailed";
inline constexpr char kPredictionFailed[] = "Mlflow.PredictionFailed";
inline constexpr char kSchemaMismatch[] = "Mlflow.SchemaMismatch";
inline constexpr char kStoreError[] = "Mlflow.StoreError";
inline constexpr char kTrainingFailed[] = "Mlflow.TrainingFailed";
inline constexpr char kTrainingStopped[] = "Mlflow.TrainingStopped";

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_STEP_ERRORS_H_
