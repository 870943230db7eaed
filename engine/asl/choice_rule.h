// ChoiceRule: one compiled Choice rule (a comparison, or And/Or/Not of
// rules). Immutable; thread-safe. Evaluation follows the ASL specification:
// a comparison whose Variable is missing is a States.Runtime error, except
// IsPresent; a comparison against a value of another type is false.
#ifndef MLFLOWCTL_ASL_CHOICE_RULE_H_
#define MLFLOWCTL_ASL_CHOICE_RULE_H_

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/path/json_path.h"
#include "engine/path/payload_template.h"
#include "engine/path/scope.h"

namespace mlflowctl::asl {

enum class ChoiceOp {
  kAnd, kOr, kNot,
  kStringEquals, kStringLessThan, kStringGreaterThan, kStringLessThanEquals,
  kStringGreaterThanEquals, kStringMatches,
  kNumericEquals, kNumericLessThan, kNumericGreaterThan, kNumericLessThanEquals,
  kNumericGreaterThanEquals,
  kBooleanEquals,
  kTimestampEquals, kTimestampLessThan, kTimestampGreaterThan,
  kTimestampLessThanEquals, kTimestampGreaterThanEquals,
  kIsNull, kIsPresent, kIsNumeric, kIsString, kIsBoolean, kIsTimestamp,
};

struct ChoiceRule {
  ChoiceOp op = ChoiceOp::kAnd;
  std::optional<path::JsonPath> variable;  // comparisons
  Json operand;                            // literal operand
  std::optional<path::JsonPath> operand_path;  // for "...Path" operators
  std::vector<ChoiceRule> children;        // And/Or (n), Not (1)
  // Top-level rules only.
  std::string next_name;
  int next = -1;
  std::optional<path::PayloadTemplate> assign;
  std::string pointer;  // JSON pointer of the rule in the definition

  // true/false, or States.Runtime when Variable (or an operand path) selects
  // nothing and the operator is not IsPresent, or States.DataLimitExceeded
  // when its matches pass scope.max_match_bytes (JsonPath::Evaluate).
  std::variant<bool, Error> Evaluate(const path::Scope& scope) const;
};

}  // namespace mlflowctl::asl

#endif  // MLFLOWCTL_ASL_CHOICE_RULE_H_
