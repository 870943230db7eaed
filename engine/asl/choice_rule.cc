// ChoiceRule::Evaluate, with the semantics of the ASL specification and
// Step Functions: comparisons against a value of another type are false;
// Timestamp comparisons parse RFC 3339 (a string that is not one compares
// false); a missing Variable is States.Runtime except for IsPresent.
#include "engine/asl/choice_rule.h"

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/clock.h"

namespace mlflowctl::asl {

namespace {

Error InvalidPath(const std::string& path) {
  return Error{error_names::kRuntime,
               fmt::format("Invalid path '{}': The choice state's condition "
                           "path references an invalid value.",
                           path)};
}

// A definite path that selects nothing, or an indefinite one that matches
// no node, is "not present" (an empty value); matches over the scope's limit
// are an error.
path::Selection Select(const path::JsonPath& p, const path::Scope& scope) {
  path::Selection s = p.Evaluate(scope);
  if (s.value && !p.IsReferencePath() && s.value->is_array() && s.value->empty()) {
    s.value.reset();
  }
  return s;
}

// ASL StringMatches: '*' matches any run of characters (none too); "\*" is
// a literal '*' and "\\" a literal backslash. Iterative with one
// backtracking point, linear for patterns without many stars.
bool Matches(std::string_view text, std::string_view pattern) {
  // Tokenise: each token is a literal char or a star.
  struct Tok {
    bool star;
    char c;
  };
  std::vector<Tok> toks;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      toks.push_back({false, pattern[++i]});
    } else if (pattern[i] == '*') {
      toks.push_back({true, '\0'});
    } else {
      toks.push_back({false, pattern[i]});
    }
  }
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < toks.size() && !toks[p].star && toks[p].c == text[t]) {
      ++t;
      ++p;
    } else if (p < toks.size() && toks[p].star) {
      star_p = p++;
      star_t = t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < toks.size() && toks[p].star) ++p;
  return p == toks.size();
}

// Three-way comparison of two JSON numbers: exact for integers, as double
// when either is a float.
std::partial_ordering CompareNumbers(const Json& a, const Json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    return a.get<double>() <=> b.get<double>();
  }
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return a.get<uint64_t>() <=> b.get<uint64_t>();
  }
  if (a.is_number_unsigned()) {  // b is signed
    int64_t bv = b.get<int64_t>();
    return bv < 0 ? std::partial_ordering::greater
                  : a.get<uint64_t>() <=> static_cast<uint64_t>(bv);
  }
  if (b.is_number_unsigned()) {
    int64_t av = a.get<int64_t>();
    return av < 0 ? std::partial_ordering::less
                  : static_cast<uint64_t>(av) <=> b.get<uint64_t>();
  }
  return a.get<int64_t>() <=> b.get<int64_t>();
}

bool Holds(std::partial_ordering o, ChoiceOp op) {
  switch (op) {
    case ChoiceOp::kStringEquals:
    case ChoiceOp::kNumericEquals:
    case ChoiceOp::kTimestampEquals:
      return o == 0;
    case ChoiceOp::kStringLessThan:
    case ChoiceOp::kNumericLessThan:
    case ChoiceOp::kTimestampLessThan:
      return o < 0;
    case ChoiceOp::kStringGreaterThan:
    case ChoiceOp::kNumericGreaterThan:
    case ChoiceOp::kTimestampGreaterThan:
      return o > 0;
    case ChoiceOp::kStringLessThanEquals:
    case ChoiceOp::kNumericLessThanEquals:
    case ChoiceOp::kTimestampLessThanEquals:
      return o <= 0;
    case ChoiceOp::kStringGreaterThanEquals:
    case ChoiceOp::kNumericGreaterThanEquals:
    case ChoiceOp::kTimestampGreaterThanEquals:
      return o >= 0;
    default:
      return false;
  }
}

bool IsTimestampString(const Json& v) {
  return v.is_string() && ParseIso8601(v.get<std::string>()).has_value();
}

// A comparison of `value` with `operand` (both present).
bool Compare(ChoiceOp op, const Json& value, const Json& operand) {
  switch (op) {
    case ChoiceOp::kStringEquals:
    case ChoiceOp::kStringLessThan:
    case ChoiceOp::kStringGreaterThan:
    case ChoiceOp::kStringLessThanEquals:
    case ChoiceOp::kStringGreaterThanEquals: {
      if (!value.is_string() || !operand.is_string()) return false;
      // Byte-wise (UTF-8 code unit) order, as std::string compares.
      return Holds(value.get_ref<const std::string&>().compare(
                       operand.get_ref<const std::string&>()) <=> 0,
                   op);
    }
    case ChoiceOp::kStringMatches:
      return value.is_string() && operand.is_string() &&
             Matches(value.get_ref<const std::string&>(),
                     operand.get_ref<const std::string&>());
    case ChoiceOp::kNumericEquals:
    case ChoiceOp::kNumericLessThan:
    case ChoiceOp::kNumericGreaterThan:
    case ChoiceOp::kNumericLessThanEquals:
    case ChoiceOp::kNumericGreaterThanEquals:
      if (!value.is_number() || !operand.is_number()) return false;
      return Holds(CompareNumbers(value, operand), op);
    case ChoiceOp::kBooleanEquals:
      return value.is_boolean() && operand.is_boolean() && value == operand;
    case ChoiceOp::kTimestampEquals:
    case ChoiceOp::kTimestampLessThan:
    case ChoiceOp::kTimestampGreaterThan:
    case ChoiceOp::kTimestampLessThanEquals:
    case ChoiceOp::kTimestampGreaterThanEquals: {
      if (!value.is_string() || !operand.is_string()) return false;
      std::optional<TimePoint> a = ParseIso8601(value.get<std::string>());
      std::optional<TimePoint> b = ParseIso8601(operand.get<std::string>());
      if (!a || !b) return false;
      return Holds(*a <=> *b, op);
    }
    case ChoiceOp::kIsNull:
      return value.is_null() == operand.get<bool>();
    case ChoiceOp::kIsNumeric:
      return value.is_number() == operand.get<bool>();
    case ChoiceOp::kIsString:
      return value.is_string() == operand.get<bool>();
    case ChoiceOp::kIsBoolean:
      return value.is_boolean() == operand.get<bool>();
    case ChoiceOp::kIsTimestamp:
      return IsTimestampString(value) == operand.get<bool>();
    case ChoiceOp::kIsPresent:
      return operand.get<bool>();
    default:
      return false;
  }
}

}  // namespace

std::variant<bool, Error> ChoiceRule::Evaluate(const path::Scope& scope) const {
  switch (op) {
    case ChoiceOp::kAnd:
      for (const ChoiceRule& child : children) {
        std::variant<bool, Error> r = child.Evaluate(scope);
        if (std::holds_alternative<Error>(r) || !std::get<bool>(r)) return r;
      }
      return true;
    case ChoiceOp::kOr:
      for (const ChoiceRule& child : children) {
        std::variant<bool, Error> r = child.Evaluate(scope);
        if (std::holds_alternative<Error>(r) || std::get<bool>(r)) return r;
      }
      return false;
    case ChoiceOp::kNot: {
      if (children.empty()) return false;
      std::variant<bool, Error> r = children.front().Evaluate(scope);
      if (std::holds_alternative<Error>(r)) return r;
      return !std::get<bool>(r);
    }
    default:
      break;
  }
  if (!variable) return false;  // only for rules built outside Parse()
  // The IsXxx operands are checked to be booleans by the parser; guard all
  // the same, as a rule may be built by hand.
  bool type_test = op == ChoiceOp::kIsNull || op == ChoiceOp::kIsPresent ||
                   op == ChoiceOp::kIsNumeric || op == ChoiceOp::kIsString ||
                   op == ChoiceOp::kIsBoolean || op == ChoiceOp::kIsTimestamp;
  if (type_test && !operand.is_boolean()) return false;

  path::Selection selected = Select(*variable, scope);
  if (selected.error) return std::move(*selected.error);
  const std::optional<Json>& value = selected.value;
  if (op == ChoiceOp::kIsPresent) {
    return value.has_value() == operand.get<bool>();
  }
  if (!value) return InvalidPath(variable->text());
  if (operand_path) {
    path::Selection other = Select(*operand_path, scope);
    if (other.error) return std::move(*other.error);
    if (!other.value) return InvalidPath(operand_path->text());
    return Compare(op, *value, *other.value);
  }
  return Compare(op, *value, operand);
}

}  // namespace mlflowctl::asl
