#include "engine/path/value_expr.h"

#include <utility>

#include "engine/path/internal/errors.h"

namespace mlflowctl::path {

StatusOr<ValueExpr> ValueExpr::Parse(std::string_view text) {
  ValueExpr expr;
  expr.text_ = std::string(text);
  if (Intrinsic::LooksLikeCall(text)) {
    auto intrinsic = Intrinsic::Parse(text);
    if (!intrinsic.ok()) return intrinsic.status();
    expr.intrinsic_ = std::move(*intrinsic);
  } else {
    auto path = JsonPath::Parse(text);
    if (!path.ok()) return path.status();
    expr.path_ = std::move(*path);
  }
  return expr;
}

std::variant<Json, Error> ValueExpr::Evaluate(const Scope& scope, Random& random,
                                              std::string_view field) const {
  if (intrinsic_) return intrinsic_->Evaluate(scope, random, field);
  if (!path_) return Error{error_names::kRuntime, "empty expression"};
  Selection selected = path_->Evaluate(scope);
  if (selected.error) return std::move(*selected.error);
  if (!selected.value) return internal::PathNotFound(*path_, scope, field);
  return std::move(*selected.value);
}

}  // namespace mlflowctl::path
