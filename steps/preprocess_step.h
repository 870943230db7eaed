// PreprocessStep: the `mlflowctl:preprocess` Task resource. Reads a CSV,
// checks its schema, one-hot encodes the categorical columns, shuffles the
// rows with a seeded platform-independent generator and splits them:
//   Parameters:
//     "InputUri": "examples/data/car_prices_tidy.csv"   required
//     "Target": "Price"                                  required; a numeric column
//     "OutputUri": "s3://mlflowctl/..."                  default s3://mlflowctl/executions/
//                                                        <execution name>/preprocess
//     "Ratios": {"train": 0.7, "validation": 0.15, "test": 0.15}   default; a missing key is 0
//     "Seed": 42                                         default; an integer >= 0
//     "Categorical": ["Make", "Type"]   default: every column that is not all numbers;
//                                       when given, every other column must be numeric
//     "Drop": ["id"]                    optional; columns left out
// Writes into OutputUri train.csv, validation.csv and test.csv (target first,
// no header, shortest round-trip numbers, "\n" line ends) and manifest.json,
// then returns {"TrainUri", "ValidationUri", "TestUri", "ManifestUri",
// "OutputUri", "Rows": {"train", "validation", "test"}, "Features",
// "Target"}. Same input and seed give byte-identical files. Categories come
// from every row of the input, so no split meets an unknown category.
// Split sizes: ml::ComputeSplitSizes (train and validation rounded, test the
// rest). Errors: Mlflow.InvalidParameters, Mlflow.InputNotFound,
// Mlflow.InvalidCsv, Mlflow.SchemaMismatch, Mlflow.NotEnoughRows,
// Mlflow.OutputFailed, each with a cause naming the file and line where one
// applies. Thread-safe: each Invoke is independent.
#ifndef MLFLOWCTL_STEPS_PREPROCESS_STEP_H_
#define MLFLOWCTL_STEPS_PREPROCESS_STEP_H_

#include <string>
#include <utility>

#include "engine/runtime/task_handler.h"
#include "steps/step_env.h"

namespace mlflowctl::steps {

class PreprocessStep : public runtime::TaskHandler {
 public:
  explicit PreprocessStep(StepEnv env) : env_(std::move(env)) {}
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  StepEnv env_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_PREPROCESS_STEP_H_
