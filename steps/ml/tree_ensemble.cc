#include "steps/ml/tree_ensemble.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>

namespace mlflowctl::ml {
namespace {

// JSON whose floating-point numbers are parsed as float (strtof), so every
// split condition and leaf value is the float XGBoost wrote, exactly.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                                       std::uint64_t, float>;

// Objectives whose prediction is the raw margin (no transform).
constexpr std::string_view kIdentityObjectives[] = {"reg:squarederror", "reg:linear",
                                                    "reg:pseudohubererror"};

Status Uncovered(std::string what) {
  return FailedPreconditionError("the native tree evaluator does not cover " + std::move(what));
}

Status Malformed(std::string what) {
  return DataLossError("not an XGBoost JSON model: " + std::move(what));
}

// Follows `keys` from `j`; null when a member is missing.
const FloatJson* Member(const FloatJson& j, std::initializer_list<const char*> keys) {
  const FloatJson* at = &j;
  for (const char* key : keys) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// A parameter XGBoost writes as a string ("5E-1", "0"); numbers accepted too.
// A float is read with strtof, as XGBoost reads its float parameters (not
// rounded from a double).
template <typename T>
bool ParamNumber(const FloatJson* j, T* out) {
  if (j == nullptr) return false;
  if (j->is_number()) {
    *out = j->get<T>();
    return true;
  }
  if (!j->is_string()) return false;
  const std::string& s = j->get_ref<const std::string&>();
  char* end = nullptr;
  if constexpr (std::is_same_v<T, float>) {
    *out = std::strtof(s.c_str(), &end);
  } else {
    *out = std::strtod(s.c_str(), &end);
  }
  return !s.empty() && end == s.c_str() + s.size();
}

const FloatJson* Array(const FloatJson& tree, const char* key, std::size_t size) {
  const FloatJson* a = Member(tree, {key});
  return a != nullptr && a->is_array() && a->size() == size ? a : nullptr;
}

}  // namespace

StatusOr<TreeEnsemble> TreeEnsemble::FromXgboostJson(std::string_view json) {
  FloatJson model = FloatJson::parse(json.begin(), json.end(), nullptr,
                                     /*allow_exceptions=*/false);
  if (model.is_discarded()) return Malformed("the text is not JSON");
  const FloatJson* learner = Member(model, {"learner"});
  if (learner == nullptr) return Malformed("no \"learner\"");

  const FloatJson* booster = Member(*learner, {"gradient_booster", "name"});
  if (booster == nullptr || !booster->is_string()) return Malformed("no booster name");
  if (*booster != "gbtree") {
    return Uncovered(fmt::format("the booster {}", booster->get<std::string>()));
  }
  const FloatJson* objective = Member(*learner, {"objective", "name"});
  if (objective == nullptr || !objective->is_string()) return Malformed("no objective name");
  bool identity = false;
  for (std::string_view o : kIdentityObjectives) identity = identity || *objective == o;
  if (!identity) {
    return Uncovered(fmt::format("the objective {}", objective->get<std::string>()));
  }
  const FloatJson* params = Member(*learner, {"learner_model_param"});
  if (params == nullptr) return Malformed("no learner_model_param");
  double num_class = 0, num_target = 1, num_feature = 0;
  if (!ParamNumber(Member(*params, {"num_feature"}), &num_feature) || num_feature < 1) {
    return Malformed("no num_feature");
  }
  if (ParamNumber(Member(*params, {"num_class"}), &num_class) && num_class > 1) {
    return Uncovered("models with several classes");
  }
  if (ParamNumber(Member(*params, {"num_target"}), &num_target) && num_target > 1) {
    return Uncovered("models with several targets");
  }

  TreeEnsemble e;
  if (!ParamNumber(Member(*params, {"base_score"}), &e.base_score_)) {
    return Malformed("no base_score");
  }
  e.feature_count_ = static_cast<std::size_t>(num_feature);

  const FloatJson* trees = Member(*learner, {"gradient_booster", "model", "trees"});
  const FloatJson* info = Member(*learner, {"gradient_booster", "model", "tree_info"});
  if (trees == nullptr || !trees->is_array()) return Malformed("no trees");
  if (info != nullptr && info->is_array()) {
    for (const FloatJson& group : *info) {
      if (!group.is_number_integer() || group.get<int64_t>() != 0) {
        return Uncovered("trees of several output groups");
      }
    }
  }
  for (std::size_t t = 0; t < trees->size(); ++t) {
    const FloatJson& tree = (*trees)[t];
    const FloatJson* left = Member(tree, {"left_children"});
    if (left == nullptr || !left->is_array() || left->empty()) {
      return Malformed(fmt::format("tree {} has no nodes", t));
    }
    const std::size_t n = left->size();
    const FloatJson* right = Array(tree, "right_children", n);
    const FloatJson* cond = Array(tree, "split_conditions", n);
    const FloatJson* index = Array(tree, "split_indices", n);
    const FloatJson* dleft = Array(tree, "default_left", n);
    if (right == nullptr || cond == nullptr || index == nullptr || dleft == nullptr) {
      return Malformed(fmt::format("tree {}: node arrays of different lengths", t));
    }
    if (const FloatJson* types = Member(tree, {"split_type"}); types != nullptr) {
      for (const FloatJson& type : *types) {
        if (!type.is_number_integer() || type.get<int64_t>() != 0) {
          return Uncovered("categorical splits");
        }
      }
    }
    double leaf_vector = 0;
    if (ParamNumber(Member(tree, {"tree_param", "size_leaf_vector"}), &leaf_vector) &&
        leaf_vector > 0) {
      return Uncovered("vector leaves");
    }
    if (e.nodes_.size() + n > static_cast<std::size_t>(INT32_MAX)) {
      return Uncovered("models of more than 2^31 nodes");
    }
    const auto base = static_cast<int32_t>(e.nodes_.size());
    e.roots_.push_back(static_cast<uint32_t>(base));
    for (std::size_t i = 0; i < n; ++i) {
      const FloatJson& l = (*left)[i];
      const FloatJson& r = (*right)[i];
      const FloatJson& c = (*cond)[i];
      const FloatJson& f = (*index)[i];
      const FloatJson& d = (*dleft)[i];
      if (!l.is_number_integer() || !r.is_number_integer() || !c.is_number() ||
          !f.is_number_integer() || !(d.is_number_integer() || d.is_boolean())) {
        return Malformed(fmt::format("tree {} node {}: a member has the wrong type", t, i));
      }
      const int64_t li = l.get<int64_t>(), ri = r.get<int64_t>(), fi = f.get<int64_t>();
      Node node{};
      node.value = c.get<float>();
      if (li < 0) {  // a leaf (XGBoost keeps its value in split_conditions)
        node.left = node.right = -1;
        node.feature = 0;
      } else {
        if (li >= static_cast<int64_t>(n) || ri < 0 || ri >= static_cast<int64_t>(n)) {
          return Malformed(fmt::format("tree {} node {}: bad child index", t, i));
        }
        if (fi < 0 || fi >= static_cast<int64_t>(e.feature_count_)) {
          return Malformed(fmt::format("tree {} node {}: split feature {} out of range", t, i, fi));
        }
        const bool default_left = d.is_boolean() ? d.get<bool>() : d.get<int64_t>() != 0;
        node.left = base + static_cast<int32_t>(li);
        node.right = base + static_cast<int32_t>(ri);
        node.feature = static_cast<uint32_t>(fi) | (default_left ? kDefaultLeft : 0u);
      }
      e.nodes_.push_back(node);
    }
    // Every node is reached at most once from the root: a tree, so every
    // walk ends at a leaf.
    std::vector<bool> seen(n, false);
    std::vector<int32_t> stack{0};
    while (!stack.empty()) {
      const int32_t at = stack.back();
      stack.pop_back();
      if (seen[static_cast<std::size_t>(at)]) {
        return Malformed(fmt::format("tree {}: node {} is reached twice", t, at));
      }
      seen[static_cast<std::size_t>(at)] = true;
      const Node& node = e.nodes_[static_cast<std::size_t>(base + at)];
      if (node.left >= 0) {
        stack.push_back(node.left - base);
        stack.push_back(node.right - base);
      }
    }
  }
  return e;
}

bool TreeEnsemble::Covers(const float* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isinf(values[i])) return false;
  }
  return true;
}

float TreeEnsemble::PredictRow(const float* row) const {
  const Node* nodes = nodes_.data();
  // XGBoost's CPU predictor: the output starts at base_score and each
  // tree's leaf is added in float, in tree order.
  float sum = base_score_;
  for (uint32_t root : roots_) {
    const Node* node = nodes + root;
    while (node->left >= 0) {
      const float v = row[node->feature & ~kDefaultLeft];
      int32_t next;
      if (std::isnan(v)) {
        next = (node->feature & kDefaultLeft) != 0 ? node->left : node->right;
      } else {
        next = v < node->value ? node->left : node->right;
      }
      node = nodes + next;
    }
    sum += node->value;
  }
  return sum;
}

}  // namespace mlflowctl::ml
