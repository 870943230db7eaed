#include "steps/ml/xgboost_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <xgboost/c_api.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string_view>

#include "engine/base/status_macros.h"
#include "steps/ml/tree_ensemble.h"
#include "steps/ml/xgboost_api.h"

namespace mlflowctl::ml {

namespace {

// ---- Hyperparameters ----

enum class Kind { kInt, kDouble, kChoice, kText };

struct ParamSpec {
  const char* name;
  Kind kind;
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string_view> choices;
  const char* default_value = nullptr;  // nullptr: not set unless given
  bool booster_param = true;            // handed to XGBoosterSetParam
};

constexpr double kInf = std::numeric_limits<double>::infinity();

ParamSpec Int(const char* name, double min, double max, const char* def = nullptr) {
  ParamSpec s{name, Kind::kInt, min, max, false, false, {}, def, true};
  return s;
}
ParamSpec Num(const char* name, double min, double max, bool min_excl = false,
              bool max_excl = false, const char* def = nullptr) {
  ParamSpec s{name, Kind::kDouble, min, max, min_excl, max_excl, {}, def, true};
  return s;
}
ParamSpec Choice(const char* name, std::vector<std::string_view> choices,
                 const char* def = nullptr) {
  ParamSpec s{name, Kind::kChoice, 0, 0, false, false, std::move(choices), def, true};
  return s;
}
ParamSpec Text(const char* name) {
  ParamSpec s{name, Kind::kText, 0, 0, false, false, {}, nullptr, true};
  return s;
}
// A hyperparameter of the training loop, not of the booster.
ParamSpec Loop(ParamSpec s) {
  s.booster_param = false;
  return s;
}

// SageMaker's XGBoost hyperparameters that this implementation supports
// (SageMaker developer guide, "XGBoost hyperparameters"). nthread comes
// first so XGBoost never starts a thread pool of another size.
const std::vector<ParamSpec>& Specs() {
  static const std::vector<ParamSpec> specs = {
      Int("nthread", 1, 1024, "1"),
      Loop(Int("num_round", 1, 1e6)),
      Loop(Int("early_stopping_rounds", 1, 1e6)),
      Loop(Int("csv_weights", 0, 0)),  // 1 (a weight column) is not supported
      Choice("booster", {"gbtree"}),
      Choice("objective",
             {"reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
              "reg:absoluteerror", "reg:logistic", "reg:gamma", "reg:tweedie", "reg:linear",
              "count:poisson", "binary:logistic", "binary:logitraw", "binary:hinge"},
             "reg:squarederror"),
      Choice("eval_metric",
             {"rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "auc", "aucpr",
              "poisson-nloglik", "gamma-nloglik", "gamma-deviance", "tweedie-nloglik"}),
      Int("max_depth", 0, 1000, "6"),
      Num("eta", 0, 1, false, false, "0.3"),
      Num("subsample", 0, 1, true, false, "1"),
      Num("min_child_weight", 0, kInf, false, false, "1"),
      Int("seed", -2147483648.0, 2147483647.0, "0"),
      Num("gamma", 0, kInf),
      Num("alpha", 0, kInf),
      Num("lambda", 0, kInf),
      Num("max_delta_step", 0, kInf),
      Num("colsample_bytree", 0, 1, true),
      Num("colsample_bylevel", 0, 1, true),
      Num("colsample_bynode", 0, 1, true),
      Num("scale_pos_weight", 0, kInf, true),
      Num("base_score", -kInf, kInf),
      Int("max_bin", 2, 1 << 20),
      Int("max_leaves", 0, 1 << 30),
      Int("num_parallel_tree", 1, 1000),
      Num("tweedie_variance_power", 1, 2, false, true),
      Int("verbosity", 0, 3),
      Choice("tree_method", {"auto", "exact", "approx", "hist"}),
      Choice("grow_policy", {"depthwise", "lossguide"}),
      Text("monotone_constraints"),
      Text("interaction_constraints"),
  };
  return specs;
}

Status CheckValue(const ParamSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case Kind::kInt: {
      auto v = ParseIntHyperParameter(spec.name, value, static_cast<long long>(spec.min),
                                      static_cast<long long>(spec.max));
      return v.ok() ? Status::Ok() : v.status();
    }
    case Kind::kDouble: {
      auto v = ParseDoubleHyperParameter(spec.name, value, spec.min, spec.max);
      if (!v.ok()) return v.status();
      if ((spec.min_exclusive && *v == spec.min) || (spec.max_exclusive && *v == spec.max)) {
        return InvalidArgumentError(
            fmt::format("hyperparameter {}: expected a number in {}{}, {}{}, got '{}'", spec.name,
                        spec.min_exclusive ? "(" : "[", spec.min, spec.max,
                        spec.max_exclusive ? ")" : "]", value));
      }
      return Status::Ok();
    }
    case Kind::kChoice:
      for (std::string_view c : spec.choices) {
        if (value == c) return Status::Ok();
      }
      return InvalidArgumentError(fmt::format("hyperparameter {}: '{}' is not one of {}", spec.name,
                                              value, fmt::join(spec.choices, ", ")));
    case Kind::kText:
      return Status::Ok();
  }
  return Status::Ok();
}

// ---- XGBoost handles and errors ----

Status XgbError(const XgboostApi& api, StatusCode code, std::string_view what) {
  return Status(code, fmt::format("{}: {}", what, api.XGBGetLastError()));
}

struct DMatrixCloser {
  const XgboostApi* api;
  void operator()(void* h) const {
    if (h != nullptr) api->XGDMatrixFree(h);
  }
};
struct BoosterCloser {
  const XgboostApi* api;
  void operator()(void* h) const {
    if (h != nullptr) api->XGBoosterFree(h);
  }
};
using DMatrixPtr = std::unique_ptr<void, DMatrixCloser>;
using BoosterPtr = std::unique_ptr<void, BoosterCloser>;

std::vector<float> ToFloat(std::span<const double> values) {
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<float>(values[i]);
  return out;
}

StatusOr<DMatrixPtr> MakeDMatrix(const XgboostApi& api, std::span<const double> features,
                                 std::size_t rows, std::size_t cols,
                                 const std::vector<double>* labels) {
  std::vector<float> x = ToFloat(features);
  DMatrixHandle h = nullptr;
  if (api.XGDMatrixCreateFromMat_omp(x.data(), rows, cols, std::numeric_limits<float>::quiet_NaN(),
                                     &h, /*nthread=*/1) != 0) {
    return XgbError(api, StatusCode::kInternal, "XGDMatrixCreateFromMat");
  }
  DMatrixPtr m(h, DMatrixCloser{&api});
  if (labels != nullptr) {
    std::vector<float> y = ToFloat(*labels);
    if (api.XGDMatrixSetFloatInfo(h, "label", y.data(), y.size()) != 0) {
      return XgbError(api, StatusCode::kInternal, "XGDMatrixSetFloatInfo(label)");
    }
  }
  return m;
}

// The value and metric name of the last "name-metric:value" item of an
// XGBoosterEvalOneIter line ("[3]\ttrain-rmse:1.5\tvalidation-rmse:2.25").
bool LastEvalScore(std::string_view line, std::string* metric, double* value) {
  std::size_t tab = line.rfind('\t');
  if (tab == std::string_view::npos) return false;
  std::string_view item = line.substr(tab + 1);
  std::size_t colon = item.rfind(':');
  std::size_t dash = item.find('-');
  if (colon == std::string_view::npos || dash == std::string_view::npos || dash > colon) {
    return false;
  }
  *metric = std::string(item.substr(dash + 1, colon - dash - 1));
  std::string_view num = item.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), *value);
  return ec == std::errc();
}

// XGBoost's Python EarlyStopping maximises these metrics and minimises the rest.
bool Maximize(const std::string& metric) {
  for (std::string_view m : {"auc", "aucpr", "map", "ndcg", "pre"}) {
    if (metric.rfind(m, 0) == 0) return true;
  }
  return false;
}

constexpr char kPredictConfig[] =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
    R"("strict_shape": false, "missing": NaN, "cache_id": 0})";

StatusOr<std::vector<double>> CopyPredictions(const bst_ulong* shape, bst_ulong dim,
                                              const float* result, std::size_t n_rows) {
  std::size_t total = 1;
  for (bst_ulong i = 0; i < dim; ++i) total *= shape[i];
  if (total != n_rows) {
    return InvalidArgumentError(
        fmt::format("the model returns {} values for {} rows; only single-output regression models "
                    "are supported",
                    total, n_rows));
  }
  return std::vector<double>(result, result + n_rows);
}

}  // namespace

StatusOr<XgboostParams> ParseXgboostHyperParameters(const HyperParameterMap& hp) {
  for (const auto& [name, value] : hp) {
    if (name.rfind('_', 0) == 0 || name.rfind("sagemaker_", 0) == 0) continue;
    bool known = false;
    for (const ParamSpec& spec : Specs()) known = known || name == spec.name;
    if (!known) {
      return InvalidArgumentError(
          fmt::format("hyperparameter {}: not a supported XGBoost hyperparameter", name));
    }
  }
  XgboostParams p;
  for (const ParamSpec& spec : Specs()) {
    auto it = hp.find(spec.name);
    std::string value;
    if (it != hp.end()) {
      value = it->second;
      MLF_RETURN_IF_ERROR(CheckValue(spec, value));
    } else if (spec.default_value != nullptr) {
      value = spec.default_value;
    } else {
      continue;
    }
    p.effective[spec.name] = value;
    if (spec.booster_param) p.booster_params.emplace_back(spec.name, value);
  }
  auto num_round = p.effective.find("num_round");
  if (num_round == p.effective.end()) {
    return InvalidArgumentError(
        "hyperparameter num_round: required (the number of boosting rounds)");
  }
  p.num_round =
      static_cast<int>(*ParseIntHyperParameter("num_round", num_round->second, 1, 1000000));
  if (auto es = p.effective.find("early_stopping_rounds"); es != p.effective.end()) {
    p.early_stopping_rounds =
        static_cast<int>(*ParseIntHyperParameter("early_stopping_rounds", es->second, 1, 1000000));
  }
  return p;
}

XgboostModel::XgboostModel(const XgboostApi* api, void* booster) : api_(api), booster_(booster) {}

XgboostModel::~XgboostModel() {
  for (void* proxy : free_proxies_) api_->XGDMatrixFree(proxy);
  api_->XGBoosterFree(booster_);
}

StatusOr<XgboostTrainResult> XgboostModel::Train(const LabeledMatrix& train,
                                                 const LabeledMatrix* validation,
                                                 const XgboostParams& params,
                                                 const std::function<bool()>& should_stop) {
  if (train.rows == 0 || train.cols == 0) {
    return InvalidArgumentError("the training data has no rows or no feature columns");
  }
  if (validation != nullptr && validation->cols != train.cols) {
    return InvalidArgumentError(
        fmt::format("the validation data has {} feature columns, the training data {}",
                    validation->cols, train.cols));
  }
  if (params.early_stopping_rounds > 0 && validation == nullptr) {
    return InvalidArgumentError("early_stopping_rounds needs a validation channel");
  }
  MLF_ASSIGN_OR_RETURN(const XgboostApi* api, XgboostApi::Get());
  auto dtrain = MakeDMatrix(*api, train.features, train.rows, train.cols, &train.labels);
  if (!dtrain.ok()) return dtrain.status();
  DMatrixPtr dvalid(nullptr, DMatrixCloser{api});
  if (validation != nullptr) {
    auto v = MakeDMatrix(*api, validation->features, validation->rows, validation->cols,
                         &validation->labels);
    if (!v.ok()) return v.status();
    dvalid = std::move(*v);
  }
  std::vector<DMatrixHandle> dmats{dtrain->get()};
  std::vector<const char*> names{"train"};
  if (dvalid) {
    dmats.push_back(dvalid.get());
    names.push_back("validation");
  }
  BoosterHandle raw = nullptr;
  if (api->XGBoosterCreate(dmats.data(), dmats.size(), &raw) != 0) {
    return XgbError(*api, StatusCode::kInternal, "XGBoosterCreate");
  }
  BoosterPtr booster(raw, BoosterCloser{api});
  for (const auto& [name, value] : params.booster_params) {
    if (api->XGBoosterSetParam(raw, name.c_str(), value.c_str()) != 0) {
      return XgbError(*api, StatusCode::kInvalidArgument, fmt::format("hyperparameter {}", name));
    }
  }

  XgboostTrainResult result;
  double best_score = 0;
  for (int iter = 0; iter < params.num_round; ++iter) {
    if (should_stop && should_stop()) {
      return AbortedError(fmt::format("training stopped before boosting round {} of {}", iter + 1,
                                      params.num_round));
    }
    if (api->XGBoosterUpdateOneIter(raw, iter, dtrain->get()) != 0) {
      return XgbError(*api, StatusCode::kInternal, fmt::format("boosting round {}", iter + 1));
    }
    result.rounds_trained = iter + 1;
    const char* eval = nullptr;
    if (api->XGBoosterEvalOneIter(raw, iter, dmats.data(), names.data(), dmats.size(), &eval) !=
        0) {
      return XgbError(*api, StatusCode::kInternal, fmt::format("evaluation of round {}", iter + 1));
    }
    result.eval_log.emplace_back(eval);
    if (params.early_stopping_rounds <= 0) continue;
    std::string metric;
    double score = 0;
    if (!LastEvalScore(result.eval_log.back(), &metric, &score)) {
      return InternalError(fmt::format("cannot read the evaluation line '{}'", eval));
    }
    // XGBoost's EarlyStopping callback: strict improvement, stop after
    // `early_stopping_rounds` rounds without one.
    bool better =
        result.best_iteration < 0 || (Maximize(metric) ? score > best_score : score < best_score);
    if (better) {
      best_score = score;
      result.best_iteration = iter;
    } else if (iter - result.best_iteration >= params.early_stopping_rounds) {
      break;
    }
  }

  if (params.early_stopping_rounds > 0) {
    if (result.best_iteration + 1 < result.rounds_trained) {
      BoosterHandle sliced = nullptr;
      if (api->XGBoosterSlice(raw, 0, result.best_iteration + 1, 1, &sliced) != 0) {
        return XgbError(*api, StatusCode::kInternal, "XGBoosterSlice");
      }
      booster.reset(sliced);
      raw = sliced;
    }
    std::string best_it = std::to_string(result.best_iteration);
    std::string best_sc = fmt::format("{}", best_score);
    if (api->XGBoosterSetAttr(raw, "best_iteration", best_it.c_str()) != 0 ||
        api->XGBoosterSetAttr(raw, "best_score", best_sc.c_str()) != 0) {
      return XgbError(*api, StatusCode::kInternal, "XGBoosterSetAttr");
    }
  }
  std::unique_ptr<XgboostModel> model(new XgboostModel(api, booster.release()));
  MLF_RETURN_IF_ERROR(model->Prepare());
  result.model = std::move(model);
  return result;
}

StatusOr<std::unique_ptr<XgboostModel>> XgboostModel::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFoundError(fmt::format("model file '{}' does not exist", path));
  }
  MLF_ASSIGN_OR_RETURN(const XgboostApi* api, XgboostApi::Get());
  BoosterHandle raw = nullptr;
  if (api->XGBoosterCreate(nullptr, 0, &raw) != 0) {
    return XgbError(*api, StatusCode::kInternal, "XGBoosterCreate");
  }
  BoosterPtr booster(raw, BoosterCloser{api});
  if (api->XGBoosterLoadModel(raw, path.c_str()) != 0) {
    return XgbError(*api, StatusCode::kDataLoss, fmt::format("cannot load '{}'", path));
  }
  std::unique_ptr<XgboostModel> model(new XgboostModel(api, booster.release()));
  MLF_RETURN_IF_ERROR(model->Prepare());
  return model;
}

Status XgboostModel::Prepare() {
  if (api_->XGBoosterSetParam(booster_, "nthread", "1") != 0) {
    return XgbError(*api_, StatusCode::kInternal, "XGBoosterSetParam(nthread)");
  }
  bst_ulong n = 0;
  if (api_->XGBoosterGetNumFeature(booster_, &n) != 0) {
    return XgbError(*api_, StatusCode::kInternal, "XGBoosterGetNumFeature");
  }
  if (n == 0) return DataLossError("the XGBoost model has no features");
  feature_count_ = n;
  // Warms XGBoost up (configures the booster) and gives the answers the
  // native evaluator must reproduce: a row of zeros, a row of missing values.
  std::vector<double> probe(2 * feature_count_, 0.0);
  std::fill(probe.begin() + static_cast<std::ptrdiff_t>(feature_count_), probe.end(),
            std::numeric_limits<double>::quiet_NaN());
  StatusOr<std::vector<double>> expected = PredictXgboost(probe, 2, feature_count_);
  if (!expected.ok()) return expected.status();

  bst_ulong len = 0;
  const char* json = nullptr;
  if (api_->XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &len, &json) != 0) {
    return XgbError(*api_, StatusCode::kInternal, "XGBoosterSaveModelToBuffer");
  }
  StatusOr<TreeEnsemble> trees = TreeEnsemble::FromXgboostJson(std::string_view(json, len));
  if (!trees.ok() || trees->feature_count() != feature_count_) return Status::Ok();
  std::vector<float> x = ToFloat(probe);
  for (std::size_t r = 0; r < 2; ++r) {
    if (static_cast<double>(trees->PredictRow(x.data() + r * feature_count_)) != (*expected)[r]) {
      return Status::Ok();  // not what XGBoost answers: XGBoost keeps predicting
    }
  }
  native_ = std::make_unique<const TreeEnsemble>(std::move(*trees));
  return Status::Ok();
}

Status XgboostModel::Save(const std::string& path) const {
  if (api_->XGBoosterSaveModel(booster_, path.c_str()) != 0) {
    return XgbError(*api_, StatusCode::kUnavailable, fmt::format("cannot save '{}'", path));
  }
  return Status::Ok();
}

Status XgboostModel::CheckShape(std::span<const double> row_major, std::size_t n_rows,
                                std::size_t n_cols) const {
  if (n_cols != feature_count_) {
    return InvalidArgumentError(
        fmt::format("the model expects {} features per row, got {}", feature_count_, n_cols));
  }
  if (row_major.size() != n_rows * n_cols) {
    return InvalidArgumentError(fmt::format("{} values do not make {} rows of {} columns",
                                            row_major.size(), n_rows, n_cols));
  }
  return Status::Ok();
}

StatusOr<void*> XgboostModel::AcquireProxy() const {
  {
    std::lock_guard<std::mutex> lock(proxy_mu_);
    if (!free_proxies_.empty()) {
      void* proxy = free_proxies_.back();
      free_proxies_.pop_back();
      return proxy;
    }
  }
  DMatrixHandle proxy = nullptr;
  if (api_->XGProxyDMatrixCreate(&proxy) != 0) {
    return XgbError(*api_, StatusCode::kInternal, "XGProxyDMatrixCreate");
  }
  return proxy;
}

void XgboostModel::ReleaseProxy(void* proxy) const {
  std::lock_guard<std::mutex> lock(proxy_mu_);
  free_proxies_.push_back(proxy);
}

StatusOr<std::vector<double>> XgboostModel::Predict(std::span<const double> row_major,
                                                    std::size_t n_rows, std::size_t n_cols) const {
  MLF_RETURN_IF_ERROR(CheckShape(row_major, n_rows, n_cols));
  if (native_ == nullptr) return PredictXgboost(row_major, n_rows, n_cols);
  std::vector<double> out(n_rows);
  // One row at a time through a small buffer: no allocation per row.
  std::array<float, 256> small;  // written before it is read
  std::vector<float> large(n_cols > small.size() ? n_cols : 0);
  float* x = n_cols > small.size() ? large.data() : small.data();
  for (std::size_t r = 0; r < n_rows; ++r) {
    const double* row = row_major.data() + r * n_cols;
    for (std::size_t c = 0; c < n_cols; ++c) x[c] = static_cast<float>(row[c]);
    if (!TreeEnsemble::Covers(x, n_cols)) {
      MLF_ASSIGN_OR_RETURN(std::vector<double> p, PredictXgboost({row, n_cols}, 1, n_cols));
      out[r] = p[0];
    } else {
      out[r] = native_->PredictRow(x);
    }
  }
  return out;
}

StatusOr<std::vector<double>> XgboostModel::PredictXgboost(std::span<const double> row_major,
                                                           std::size_t n_rows,
                                                           std::size_t n_cols) const {
  MLF_RETURN_IF_ERROR(CheckShape(row_major, n_rows, n_cols));
  if (n_rows == 0) return std::vector<double>();
  std::vector<float> x = ToFloat(row_major);
  // __array_interface__ (version 3) of the float buffer.
  std::string values =
      fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                  reinterpret_cast<std::uintptr_t>(x.data()), n_rows, n_cols);
  auto proxy = AcquireProxy();
  if (!proxy.ok()) return proxy.status();
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  int rc = api_->XGBoosterPredictFromDense(booster_, values.c_str(), kPredictConfig, *proxy, &shape,
                                           &dim, &result);
  ReleaseProxy(*proxy);
  if (rc != 0) return XgbError(*api_, StatusCode::kInternal, "XGBoosterPredictFromDense");
  return CopyPredictions(shape, dim, result, n_rows);
}

StatusOr<std::vector<double>> XgboostModel::PredictReference(std::span<const double> row_major,
                                                             std::size_t n_rows,
                                                             std::size_t n_cols) const {
  MLF_RETURN_IF_ERROR(CheckShape(row_major, n_rows, n_cols));
  if (n_rows == 0) return std::vector<double>();
  auto dmat = MakeDMatrix(*api_, row_major, n_rows, n_cols, nullptr);
  if (!dmat.ok()) return dmat.status();
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  std::lock_guard<std::mutex> lock(reference_mu_);
  if (api_->XGBoosterPredictFromDMatrix(booster_, dmat->get(), kPredictConfig, &shape, &dim,
                                        &result) != 0) {
    return XgbError(*api_, StatusCode::kInternal, "XGBoosterPredictFromDMatrix");
  }
  return CopyPredictions(shape, dim, result, n_rows);
}

}  // namespace mlflowctl::ml
