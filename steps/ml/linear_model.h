// LinearModel: the linear learner for regression on Eigen. Features are
// standardised with the training data's means and standard deviations (a
// constant feature gets std 1), then ridge regression is solved in closed
// form; the intercept is not regularised. Saved as linear-model.json.
// Thread-safety: a LinearModel is immutable after Train/Load; Predict is
// thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_LINEAR_MODEL_H_
#define MLFLOWCTL_STEPS_ML_LINEAR_MODEL_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"

namespace mlflowctl::ml {

struct LinearParams {
  double wd = 0;                           // L2 weight decay
  bool use_bias = true;                    // fit an intercept
  bool normalize_data = true;              // standardise the features
  std::optional<std::size_t> feature_dim;  // when given (not "auto")
  HyperParameterMap effective;             // every hyperparameter with defaults, as strings
};

// Validates SageMaker Linear Learner hyperparameters: predictor_type
// (required, only "regressor"), wd (>= 0 or "auto" = 0, default 0), l1 (0 or
// "auto"), use_bias (default true), normalize_data (default true), loss
// ("auto" or "squared_loss"), feature_dim ("auto" or a count). Settings of
// SageMaker's SGD optimiser (epochs, mini_batch_size, learning_rate,
// optimizer, ...) are accepted and have no effect on the closed-form solver;
// names starting with "_" or "sagemaker_" are ignored. kInvalidArgument
// naming the hyperparameter otherwise.
StatusOr<LinearParams> ParseLinearLearnerHyperParameters(const HyperParameterMap& hp);

class LinearModel {
 public:
  // Fits y = intercept + sum_j weight_j * (x_j - mean_j) / std_j by
  // minimising (1/n) * ||y - prediction||^2 + wd * ||weights||^2. When the
  // system is rank-deficient (e.g. a full one-hot block with wd = 0) the
  // minimum-norm solution is returned. kInvalidArgument for empty data or a
  // feature_dim that disagrees with the data. Deterministic.
  static StatusOr<LinearModel> Train(const LabeledMatrix& train, const LinearParams& params);

  // Reads linear-model.json. kNotFound when `path` cannot be read;
  // kDataLoss when the file does not have the shape Save writes.
  static StatusOr<LinearModel> Load(const std::string& path);

  // Writes linear-model.json atomically; kUnavailable on failure.
  Status Save(const std::string& path) const;
  Json ToJson() const;

  std::size_t feature_count() const { return weights_.size(); }
  double intercept() const { return intercept_; }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<double>& means() const { return means_; }
  const std::vector<double>& stds() const { return stds_; }

  // The model in the units of the raw features: y = b + sum_j w_j * x_j.
  double RawIntercept() const;
  std::vector<double> RawWeights() const;

  // kInvalidArgument when n_cols != feature_count() or the sizes disagree.
  StatusOr<std::vector<double>> Predict(std::span<const double> row_major, std::size_t n_rows,
                                        std::size_t n_cols) const;

 private:
  double intercept_ = 0;
  std::vector<double> weights_;  // on standardised features
  std::vector<double> means_;
  std::vector<double> stds_;
};

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_LINEAR_MODEL_H_
