// XgboostModel: gradient-boosted trees trained and evaluated through
// XGBoost's C API (libxgboost 1.7, loaded on first use: ml/xgboost_api.h),
// with hyperparameters named as SageMaker's built-in XGBoost algorithm names
// them. Every XGBoost return code is checked and turned into a Status
// carrying XGBGetLastError(); when the library cannot be loaded, Train and
// Load return kFailedPrecondition saying so.
// Prediction: a model the native evaluator covers (ml/tree_ensemble.h:
// gbtree regression, numeric splits) is evaluated natively; XGBoost stays
// the reference (PredictXgboost, PredictReference) and answers whatever the
// native path does not cover.
// Thread-safety: Train and Load are independent per call. Predict is
// thread-safe: the booster is configured once at load (nthread=1) and each
// XGBoost call borrows its own proxy DMatrix from a small pool (DESIGN.md
// §8). PredictReference is thread-safe but serialised (XGBoost 1.7 keeps
// its DMatrix prediction cache in the booster without a lock).
#ifndef MLFLOWCTL_STEPS_ML_XGBOOST_MODEL_H_
#define MLFLOWCTL_STEPS_ML_XGBOOST_MODEL_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status_or.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"

namespace mlflowctl::ml {

// Hyperparameters after validation and defaults.
struct XgboostParams {
  int num_round = 0;              // required, >= 1
  int early_stopping_rounds = 0;  // 0: no early stopping
  // Parameters handed to XGBoosterSetParam, in order (nthread first).
  std::vector<std::pair<std::string, std::string>> booster_params;
  // Every hyperparameter with its default filled in, as strings.
  HyperParameterMap effective;
};

// Validates SageMaker XGBoost hyperparameters and fills in the defaults:
// num_round (required), max_depth 6, eta 0.3, subsample 1, min_child_weight 1,
// objective reg:squarederror, seed 0, nthread 1, early_stopping_rounds (off).
// Also accepts alpha, lambda, gamma, colsample_by{tree,level,node},
// max_delta_step, scale_pos_weight, base_score, max_bin, max_leaves,
// tree_method, grow_policy, eval_metric, booster (gbtree), verbosity,
// tweedie_variance_power, num_parallel_tree, monotone_constraints,
// interaction_constraints; names starting with "_" or "sagemaker_" (set by
// SageMaker tooling) are ignored. kInvalidArgument naming the hyperparameter
// for a missing num_round, an unknown name or a bad value.
StatusOr<XgboostParams> ParseXgboostHyperParameters(const HyperParameterMap& hp);

class XgboostModel;
class TreeEnsemble;
struct XgboostApi;

struct XgboostTrainResult {
  std::unique_ptr<XgboostModel> model;
  int rounds_trained = 0;             // boosting rounds run (before any truncation)
  int best_iteration = -1;            // with early stopping: the round kept last (0-based)
  std::vector<std::string> eval_log;  // XGBoosterEvalOneIter lines, one per round
};

class XgboostModel {
 public:
  ~XgboostModel();
  XgboostModel(const XgboostModel&) = delete;
  XgboostModel& operator=(const XgboostModel&) = delete;

  // Trains `params.num_round` rounds on `train`, evaluating on `validation`
  // (may be null) after each round. With early_stopping_rounds and a
  // validation set, stops when the validation metric has not improved for
  // that many rounds and keeps the trees up to the best round (attributes
  // best_iteration and best_score are set, as XGBoost's Python package does).
  // `should_stop` (may be empty) is checked before every round; when it
  // returns true, training ends with kAborted. kInvalidArgument for empty
  // data or a validation set with another column count; kInternal when
  // XGBoost fails. Deterministic: the same data and params give the same
  // model, bit for bit.
  static StatusOr<XgboostTrainResult> Train(const LabeledMatrix& train,
                                            const LabeledMatrix* validation,
                                            const XgboostParams& params,
                                            const std::function<bool()>& should_stop = {});

  // Loads a model saved by Save (XGBoost JSON). kNotFound when `path` does
  // not exist; kDataLoss when XGBoost cannot load it.
  static StatusOr<std::unique_ptr<XgboostModel>> Load(const std::string& path);

  // Saves with XGBoosterSaveModel; the ".json" extension selects JSON.
  // kUnavailable when XGBoost cannot write the file.
  Status Save(const std::string& path) const;

  std::size_t feature_count() const { return feature_count_; }

  // One prediction per row. Values are converted to float as XGBoost does;
  // rows the native evaluator covers are evaluated natively, the others
  // (with an infinite value, or every row of a model it does not cover) by
  // PredictXgboost. kInvalidArgument when n_cols != feature_count() or
  // row_major.size() != n_rows * n_cols; kInternal when XGBoost fails.
  StatusOr<std::vector<double>> Predict(std::span<const double> row_major, std::size_t n_rows,
                                        std::size_t n_cols) const;

  // XGBoost's inplace prediction on a borrowed proxy DMatrix
  // (XGBoosterPredictFromDense). Same contract as Predict.
  StatusOr<std::vector<double>> PredictXgboost(std::span<const double> row_major,
                                               std::size_t n_rows, std::size_t n_cols) const;

  // The reference path: a DMatrix per call and XGBoosterPredictFromDMatrix.
  // Same contract and results as Predict, only slower.
  StatusOr<std::vector<double>> PredictReference(std::span<const double> row_major,
                                                 std::size_t n_rows, std::size_t n_cols) const;

  // True when Predict evaluates the trees natively.
  bool native() const { return native_ != nullptr; }

 private:
  XgboostModel(const XgboostApi* api, void* booster);
  // Sets nthread=1, reads the feature count, builds the native evaluator
  // when it covers the model (kept only if it agrees with XGBoost on a row
  // of zeros and a row of missing values) and runs one XGBoost prediction
  // so the booster is configured before concurrent use.
  Status Prepare();
  StatusOr<void*> AcquireProxy() const;
  void ReleaseProxy(void* proxy) const;
  Status CheckShape(std::span<const double> row_major, std::size_t n_rows,
                    std::size_t n_cols) const;

  const XgboostApi* const api_;
  void* booster_;  // BoosterHandle, owned
  std::size_t feature_count_ = 0;
  std::unique_ptr<const TreeEnsemble> native_;  // null: XGBoost predicts
  mutable std::mutex reference_mu_;  // serialises PredictReference
  mutable std::mutex proxy_mu_;
  mutable std::vector<void*> free_proxies_;  // DMatrixHandle proxies, owned
};

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_XGBOOST_MODEL_H_
