// TreeEnsemble: the trees of an XGBoost regression model (gbtree, numeric
// splits, one output) in flat arrays, evaluated natively: about ten times
// cheaper per row than XGBoost's C API predict, which parses a JSON config
// and an array interface on every call. It reproduces XGBoost's CPU
// predictor exactly: features as float, a NaN is missing and follows the
// node's default branch, a row goes left when value < split condition, and
// the prediction is base_score plus each tree's leaf value, summed in float
// in tree order (tests check equality with XGBoost bit for bit).
// Models it does not cover (other boosters or objectives, categorical
// splits, several outputs) are refused at build time; XgboostModel then
// keeps XGBoost as the predictor. Immutable after construction; thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_TREE_ENSEMBLE_H_
#define MLFLOWCTL_STEPS_ML_TREE_ENSEMBLE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/base/status_or.h"

namespace mlflowctl::ml {

class TreeEnsemble {
 public:
  // Builds from XGBoost's JSON model (XGBoosterSaveModel / SaveModelToBuffer
  // with format "json", 1.x). kFailedPrecondition, saying what, for a model
  // the native path does not cover: booster other than gbtree, an objective
  // whose prediction is not the raw margin (only reg:squarederror,
  // reg:linear, reg:pseudohubererror), categorical
  // splits, vector leaves, more than one output; kDataLoss when the JSON is
  // not a well-formed model.
  static StatusOr<TreeEnsemble> FromXgboostJson(std::string_view json);

  std::size_t feature_count() const { return feature_count_; }
  std::size_t tree_count() const { return roots_.size(); }

  // True when every value of `row` is finite or NaN (missing). XGBoost
  // decides what an infinite value means, so such rows go to it.
  static bool Covers(const float* values, std::size_t n);

  // The prediction for one row of feature_count() floats.
  float PredictRow(const float* row) const;

 private:
  // 16 bytes. A leaf has left < 0 and holds its value in `value`.
  struct Node {
    int32_t left;
    int32_t right;
    uint32_t feature;  // the split feature; bit 31: missing goes left
    float value;       // split condition, or the leaf value
  };
  static constexpr uint32_t kDefaultLeft = 1u << 31;

  TreeEnsemble() = default;

  std::vector<Node> nodes_;      // every tree's nodes, child indices global
  std::vector<uint32_t> roots_;  // the first node of each tree, in order
  float base_score_ = 0;
  std::size_t feature_count_ = 0;
};

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_TREE_ENSEMBLE_H_
