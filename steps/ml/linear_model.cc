#include "steps/ml/linear_model.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <string_view>

#include "engine/base/status_macros.h"
#include "steps/ml/csv.h"

namespace mlflowctl::ml {

namespace {

// Settings of SageMaker's SGD-based Linear Learner that a closed-form
// solver has no use for; accepted so SageMaker requests run unchanged.
constexpr std::string_view kIgnored[] = {"epochs",
                                         "mini_batch_size",
                                         "learning_rate",
                                         "optimizer",
                                         "num_models",
                                         "init_method",
                                         "init_scale",
                                         "init_sigma",
                                         "init_bias",
                                         "momentum",
                                         "beta_1",
                                         "beta_2",
                                         "bias_lr_mult",
                                         "bias_wd_mult",
                                         "lr_scheduler_step",
                                         "lr_scheduler_factor",
                                         "lr_scheduler_minimum_lr",
                                         "early_stopping_patience",
                                         "early_stopping_tolerance",
                                         "num_calibration_samples",
                                         "normalize_label",
                                         "unbias_data",
                                         "unbias_label",
                                         "num_point_for_scaler"};

constexpr char kFormat[] = "mlflowctl-linear-learner";

StatusOr<std::vector<double>> DoubleArray(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_array()) {
    return DataLossError(fmt::format("linear model: '{}' must be an array of numbers", key));
  }
  std::vector<double> out;
  for (const Json& v : j[key]) {
    if (!v.is_number()) {
      return DataLossError(fmt::format("linear model: '{}' must be an array of numbers", key));
    }
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace

StatusOr<LinearParams> ParseLinearLearnerHyperParameters(const HyperParameterMap& hp) {
  LinearParams p;
  auto type = hp.find("predictor_type");
  if (type == hp.end()) {
    return InvalidArgumentError("hyperparameter predictor_type: required (use 'regressor')");
  }
  if (type->second != "regressor") {
    return InvalidArgumentError(fmt::format(
        "hyperparameter predictor_type: '{}' is not supported (only 'regressor')", type->second));
  }
  p.effective["predictor_type"] = "regressor";
  p.effective["wd"] = "0";
  p.effective["use_bias"] = "true";
  p.effective["normalize_data"] = "true";
  for (const auto& [name, value] : hp) {
    if (name == "predictor_type" || name.rfind('_', 0) == 0 || name.rfind("sagemaker_", 0) == 0) {
      continue;
    }
    if (name == "wd") {
      if (value != "auto") {
        MLF_ASSIGN_OR_RETURN(p.wd, ParseDoubleHyperParameter(name, value, 0, 1e12));
      }
    } else if (name == "l1") {
      if (value != "auto") {
        MLF_ASSIGN_OR_RETURN(double l1, ParseDoubleHyperParameter(name, value, 0, 1e12));
        if (l1 != 0) {
          return InvalidArgumentError(
              "hyperparameter l1: L1 regularisation is not supported (use 0 or 'auto')");
        }
      }
    } else if (name == "use_bias") {
      MLF_ASSIGN_OR_RETURN(p.use_bias, ParseBoolHyperParameter(name, value));
    } else if (name == "normalize_data") {
      MLF_ASSIGN_OR_RETURN(p.normalize_data, ParseBoolHyperParameter(name, value));
    } else if (name == "loss") {
      if (value != "auto" && value != "squared_loss") {
        return InvalidArgumentError(fmt::format(
            "hyperparameter loss: '{}' is not supported (use 'auto' or 'squared_loss')", value));
      }
    } else if (name == "feature_dim") {
      if (value != "auto") {
        MLF_ASSIGN_OR_RETURN(long long dim, ParseIntHyperParameter(name, value, 1, 1 << 24));
        p.feature_dim = static_cast<std::size_t>(dim);
      }
    } else {
      bool ignored = false;
      for (std::string_view n : kIgnored) ignored = ignored || name == n;
      if (!ignored) {
        return InvalidArgumentError(
            fmt::format("hyperparameter {}: not a supported Linear Learner hyperparameter", name));
      }
    }
    p.effective[name] = value;
  }
  return p;
}

StatusOr<LinearModel> LinearModel::Train(const LabeledMatrix& train, const LinearParams& params) {
  const std::size_t n = train.rows, p = train.cols;
  if (n == 0 || p == 0) {
    return InvalidArgumentError("the training data has no rows or no feature columns");
  }
  if (params.feature_dim && *params.feature_dim != p) {
    return InvalidArgumentError(
        fmt::format("hyperparameter feature_dim: {} does not match the data's {} feature columns",
                    *params.feature_dim, p));
  }
  LinearModel m;
  m.means_.assign(p, 0.0);
  m.stds_.assign(p, 1.0);
  const double dn = static_cast<double>(n);
  double y_mean = 0;
  for (double y : train.labels) y_mean += y;
  y_mean /= dn;
  for (std::size_t j = 0; j < p; ++j) {
    double sum = 0;
    bool constant = true;
    const double first = train.features[j];
    for (std::size_t i = 0; i < n; ++i) {
      double x = train.Row(i)[j];
      sum += x;
      constant = constant && x == first;
    }
    double mean = sum / dn;
    if (params.use_bias) m.means_[j] = mean;
    if (params.normalize_data && !constant) {
      double ss = 0;
      for (std::size_t i = 0; i < n; ++i) {
        double d = train.Row(i)[j] - mean;
        ss += d * d;
      }
      double sd = std::sqrt(ss / dn);
      if (sd > 0) m.stds_[j] = sd;
    }
  }

  // Ridge as an augmented least-squares problem: minimise
  // ||t - Z w||^2 + n * wd * ||w||^2 with rows [Z; sqrt(n * wd) I].
  const bool ridge = params.wd > 0;
  const Eigen::Index rows = static_cast<Eigen::Index>(ridge ? n + p : n);
  const Eigen::Index cols = static_cast<Eigen::Index>(p);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(rows, cols);
  Eigen::VectorXd t = Eigen::VectorXd::Zero(rows);
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Index r = static_cast<Eigen::Index>(i);
    for (std::size_t j = 0; j < p; ++j) {
      a(r, static_cast<Eigen::Index>(j)) = (train.Row(i)[j] - m.means_[j]) / m.stds_[j];
    }
    t(r) = params.use_bias ? train.labels[i] - y_mean : train.labels[i];
  }
  if (ridge) {
    const double diag = std::sqrt(dn * params.wd);
    for (Eigen::Index j = 0; j < cols; ++j) a(static_cast<Eigen::Index>(n) + j, j) = diag;
  }
  Eigen::VectorXd w = a.completeOrthogonalDecomposition().solve(t);
  m.weights_.assign(w.data(), w.data() + w.size());
  m.intercept_ = params.use_bias ? y_mean : 0.0;
  for (double v : m.weights_) {
    if (!std::isfinite(v)) return InternalError("the linear solve produced a non-finite weight");
  }
  return m;
}

double LinearModel::RawIntercept() const {
  double b = intercept_;
  for (std::size_t j = 0; j < weights_.size(); ++j) b -= weights_[j] * means_[j] / stds_[j];
  return b;
}

std::vector<double> LinearModel::RawWeights() const {
  std::vector<double> w(weights_.size());
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = weights_[j] / stds_[j];
  return w;
}

StatusOr<std::vector<double>> LinearModel::Predict(std::span<const double> row_major,
                                                   std::size_t n_rows, std::size_t n_cols) const {
  const std::size_t p = weights_.size();
  if (n_cols != p) {
    return InvalidArgumentError(
        fmt::format("the model expects {} features per row, got {}", p, n_cols));
  }
  if (row_major.size() != n_rows * n_cols) {
    return InvalidArgumentError(fmt::format("{} values do not make {} rows of {} columns",
                                            row_major.size(), n_rows, n_cols));
  }
  std::vector<double> out(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i) {
    const double* x = row_major.data() + i * p;
    double s = intercept_;
    for (std::size_t j = 0; j < p; ++j) s += weights_[j] * ((x[j] - means_[j]) / stds_[j]);
    out[i] = s;
  }
  return out;
}

Json LinearModel::ToJson() const {
  return Json{{"format", kFormat},       {"format_version", 1}, {"predictor_type", "regressor"},
              {"intercept", intercept_}, {"weights", weights_}, {"feature_means", means_},
              {"feature_stds", stds_}};
}

Status LinearModel::Save(const std::string& path) const {
  return WriteFileAtomically(path, ToJson().dump(2) + "\n");
}

StatusOr<LinearModel> LinearModel::Load(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  StatusOr<Json> parsed = ParseJson(*text, path);
  if (!parsed.ok()) return DataLossError(parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object() || j.value("format", "") != kFormat) {
    return DataLossError(
        fmt::format("{}: not a linear model (format '{}' expected)", path, kFormat));
  }
  if (!j.contains("intercept") || !j["intercept"].is_number()) {
    return DataLossError(fmt::format("{}: 'intercept' must be a number", path));
  }
  LinearModel m;
  m.intercept_ = j["intercept"].get<double>();
  MLF_ASSIGN_OR_RETURN(m.weights_, DoubleArray(j, "weights"));
  MLF_ASSIGN_OR_RETURN(m.means_, DoubleArray(j, "feature_means"));
  MLF_ASSIGN_OR_RETURN(m.stds_, DoubleArray(j, "feature_stds"));
  if (m.weights_.empty() || m.means_.size() != m.weights_.size() ||
      m.stds_.size() != m.weights_.size()) {
    return DataLossError(fmt::format(
        "{}: weights, feature_means and feature_stds must have the same non-zero length", path));
  }
  for (double s : m.stds_) {
    if (!(s > 0)) return DataLossError(fmt::format("{}: feature_stds must be positive", path));
  }
  return m;
}

}  // namespace mlflowctl::ml
