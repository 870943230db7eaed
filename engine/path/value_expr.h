// ValueExpr: the value of a ".$" key or of a *Path field that accepts either
// a JSONPath or an intrinsic function call (Fail ErrorPath/CausePath).
// Immutable; thread-safe.
#ifndef MLFLOWCTL_PATH_VALUE_EXPR_H_
#define MLFLOWCTL_PATH_VALUE_EXPR_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/base/random.h"
#include "engine/base/status_or.h"
#include "engine/path/intrinsics.h"
#include "engine/path/json_path.h"
#include "engine/path/scope.h"

namespace mlflowctl::path {

class ValueExpr {
 public:
  // An intrinsic call if Intrinsic::LooksLikeCall(text), else a JSONPath.
  static StatusOr<ValueExpr> Parse(std::string_view text);

  const std::string& text() const { return text_; }

  // `field` names the key in error messages ("foo.$", "ErrorPath"). A path
  // that selects nothing is States.Runtime with AWS's message; a failing
  // intrinsic is States.Runtime "Invalid arguments in States.X" (AWS's
  // behaviour; see intrinsic_functions.cc); matches over
  // scope.max_match_bytes are States.DataLimitExceeded. Never throws.
  std::variant<Json, Error> Evaluate(const Scope& scope, Random& random,
                                     std::string_view field) const;

 private:
  std::string text_;
  std::optional<JsonPath> path_;
  std::optional<Intrinsic> intrinsic_;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_VALUE_EXPR_H_
