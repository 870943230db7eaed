// ParseChoiceRule: one Choice rule, a comparison (Variable + exactly one
// operator, literal or "...Path") or a boolean combination (And, Or, Not).
// ASL: only top-level rules have Next (and Assign); nested rules have none.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <string_view>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"
#include "engine/base/clock.h"

namespace mlflowctl::asl::internal {

namespace {

constexpr int kMaxRuleDepth = 100;

enum class Operand { kString, kNumber, kBoolean, kTimestamp, kNone };

struct OpInfo {
  std::string_view name;
  ChoiceOp op;
  Operand operand;
};

constexpr std::array<OpInfo, 26> kOps = {{
    {"And", ChoiceOp::kAnd, Operand::kNone},
    {"Or", ChoiceOp::kOr, Operand::kNone},
    {"Not", ChoiceOp::kNot, Operand::kNone},
    {"StringEquals", ChoiceOp::kStringEquals, Operand::kString},
    {"StringLessThan", ChoiceOp::kStringLessThan, Operand::kString},
    {"StringGreaterThan", ChoiceOp::kStringGreaterThan, Operand::kString},
    {"StringLessThanEquals", ChoiceOp::kStringLessThanEquals, Operand::kString},
    {"StringGreaterThanEquals", ChoiceOp::kStringGreaterThanEquals,
     Operand::kString},
    {"StringMatches", ChoiceOp::kStringMatches, Operand::kString},
    {"NumericEquals", ChoiceOp::kNumericEquals, Operand::kNumber},
    {"NumericLessThan", ChoiceOp::kNumericLessThan, Operand::kNumber},
    {"NumericGreaterThan", ChoiceOp::kNumericGreaterThan, Operand::kNumber},
    {"NumericLessThanEquals", ChoiceOp::kNumericLessThanEquals,
     Operand::kNumber},
    {"NumericGreaterThanEquals", ChoiceOp::kNumericGreaterThanEquals,
     Operand::kNumber},
    {"BooleanEquals", ChoiceOp::kBooleanEquals, Operand::kBoolean},
    {"TimestampEquals", ChoiceOp::kTimestampEquals, Operand::kTimestamp},
    {"TimestampLessThan", ChoiceOp::kTimestampLessThan, Operand::kTimestamp},
    {"TimestampGreaterThan", ChoiceOp::kTimestampGreaterThan,
     Operand::kTimestamp},
    {"TimestampLessThanEquals", ChoiceOp::kTimestampLessThanEquals,
     Operand::kTimestamp},
    {"TimestampGreaterThanEquals", ChoiceOp::kTimestampGreaterThanEquals,
     Operand::kTimestamp},
    {"IsNull", ChoiceOp::kIsNull, Operand::kBoolean},
    {"IsPresent", ChoiceOp::kIsPresent, Operand::kBoolean},
    {"IsNumeric", ChoiceOp::kIsNumeric, Operand::kBoolean},
    {"IsString", ChoiceOp::kIsString, Operand::kBoolean},
    {"IsBoolean", ChoiceOp::kIsBoolean, Operand::kBoolean},
    {"IsTimestamp", ChoiceOp::kIsTimestamp, Operand::kBoolean},
}};

bool IsTypeTest(ChoiceOp op) {
  return op == ChoiceOp::kIsNull || op == ChoiceOp::kIsPresent ||
         op == ChoiceOp::kIsNumeric || op == ChoiceOp::kIsString ||
         op == ChoiceOp::kIsBoolean || op == ChoiceOp::kIsTimestamp;
}

// The operator that `key` names, with `is_path` set for "...Path" forms
// (which exist for the String, Numeric, Boolean and Timestamp comparisons).
const OpInfo* FindOp(std::string_view key, bool& is_path) {
  is_path = false;
  for (const OpInfo& info : kOps) {
    if (key == info.name) return &info;
  }
  if (key.size() > 4 && key.substr(key.size() - 4) == "Path") {
    std::string_view base = key.substr(0, key.size() - 4);
    for (const OpInfo& info : kOps) {
      if (base == info.name && info.operand != Operand::kNone &&
          !IsTypeTest(info.op)) {
        is_path = true;
        return &info;
      }
    }
  }
  return nullptr;
}

const char* OperandWord(Operand o) {
  switch (o) {
    case Operand::kString:
      return "a string";
    case Operand::kNumber:
      return "a number";
    case Operand::kBoolean:
      return "true or false";
    case Operand::kTimestamp:
      return "an RFC 3339 timestamp string";
    case Operand::kNone:
      return "rules";
  }
  return "a value";
}

bool OperandOk(Operand o, const Json& v) {
  switch (o) {
    case Operand::kString:
      return v.is_string();
    case Operand::kNumber:
      return v.is_number();
    case Operand::kBoolean:
      return v.is_boolean();
    case Operand::kTimestamp:
      return v.is_string() && ParseIso8601(v.get<std::string>()).has_value();
    case Operand::kNone:
      return false;
  }
  return false;
}

void ParseBoolean(const OpInfo& info, const Json& value,
                  const std::string& where, BuildContext& ctx,
                  ChoiceRule& rule) {
  if (info.op == ChoiceOp::kNot) {
    if (!value.is_object()) {
      ctx.Report(kSchema, where,
                 fmt::format("'Not' must hold one rule object, not {}.",
                             TypeName(value)));
      return;
    }
    ++ctx.rule_depth;
    rule.children.push_back(ParseChoiceRule(value, where, false, ctx));
    --ctx.rule_depth;
    return;
  }
  if (!value.is_array() || value.empty()) {
    ctx.Report(
        kSchema, where,
        fmt::format("'{}' must hold a non-empty array of rules; got {}.",
                    info.name,
                    value.is_array() ? "an empty array" : TypeName(value)));
    return;
  }
  ++ctx.rule_depth;
  for (size_t i = 0; i < value.size(); ++i) {
    rule.children.push_back(ParseChoiceRule(
        value[i], AppendPointer(where, std::to_string(i)), false, ctx));
  }
  --ctx.rule_depth;
}

// The operator of a rule (the first one, when there are several), after
// reporting a rule with none or more than one, and fields that do not belong.
struct RuleOperator {
  const OpInfo* info = nullptr;
  bool is_path = false;
  std::string key;
};

RuleOperator FindRuleOperator(const Json& def, const std::string& pointer,
                              bool top_level, BuildContext& ctx) {
  RuleOperator found;
  std::vector<std::string> ops_found;
  for (const auto& [key, value] : def.items()) {
    bool is_path = false;
    const OpInfo* info = FindOp(key, is_path);
    if (info != nullptr) {
      ops_found.push_back(key);
      if (found.info == nullptr) found = RuleOperator{info, is_path, key};
      continue;
    }
    if (key == "Variable" || key == "Comment" ||
        (top_level && (key == "Next" || key == "Assign"))) {
      continue;
    }
    std::string why;
    if (key == "Next" || key == "Assign") {
      why = fmt::format(
          "'{}' is only allowed on top-level Choice rules, not "
          "inside And, Or or Not",
          key);
    } else if (key == "Condition") {
      why =
          "'Condition' belongs to JSONata mode, which this engine does not "
          "support yet";
    } else {
      why = fmt::format(
          "'{}' is not a Choice rule field or comparison "
          "operator; check its spelling",
          key);
    }
    ctx.Report(kSchema, AppendPointer(pointer, key), why + ".");
  }
  if (ops_found.empty()) {
    ctx.Report(kSchema, pointer,
               "This Choice rule has no comparison operator; add one such as "
               "\"StringEquals\", or combine rules with And, Or or Not.");
  } else if (ops_found.size() > 1) {
    ctx.Report(kSchema, pointer,
               fmt::format("A Choice rule has exactly one comparison operator; "
                           "this one has {}: {}.",
                           ops_found.size(), fmt::join(ops_found, ", ")));
  }
  return found;
}

}  // namespace

ChoiceRule ParseChoiceRule(const Json& def, const std::string& pointer,
                           bool top_level, BuildContext& ctx) {
  ChoiceRule rule;
  rule.pointer = pointer;
  // Evaluation recurses through nested rules; keep the nesting sane.
  if (ctx.rule_depth >= kMaxRuleDepth) {
    ctx.Report(kTooDeeplyNested, pointer,
               fmt::format("Choice rules are nested more than {} levels deep "
                           "here; flatten the And/Or/Not nesting.",
                           kMaxRuleDepth));
    return rule;
  }
  if (!def.is_object()) {
    ctx.Report(
        kSchema, pointer,
        fmt::format("A Choice rule must be an object, not {}.", TypeName(def)));
    return rule;
  }

  RuleOperator found = FindRuleOperator(def, pointer, top_level, ctx);
  const OpInfo* op = found.info;
  bool op_is_path = found.is_path;
  const std::string& op_key = found.key;

  if (top_level) {
    if (!def.contains("Next")) {
      ctx.Report(kSchema, pointer,
                 "A top-level Choice rule needs 'Next', the state to go to "
                 "when it matches.");
    } else if (auto next = ReadString(def, "Next", pointer, ctx)) {
      rule.next_name = *next;
    }
    rule.assign = ReadAssign(def, pointer, ctx);
  }
  (void)ReadString(def, "Comment", pointer, ctx);
  if (op == nullptr) return rule;
  rule.op = op->op;
  std::string where = AppendPointer(pointer, op_key);
  const Json& value = def.at(op_key);

  if (op->operand == Operand::kNone) {
    if (def.contains("Variable")) {
      ctx.Report(kSchema, AppendPointer(pointer, "Variable"),
                 fmt::format("A '{}' rule takes no 'Variable'; put it in the "
                             "nested rules.",
                             op->name));
    }
    ParseBoolean(*op, value, where, ctx, rule);
    return rule;
  }

  if (!def.contains("Variable")) {
    ctx.Report(
        kSchema, pointer,
        fmt::format("A '{}' rule needs 'Variable', the path of the value "
                    "to compare.",
                    op_key));
  } else {
    rule.variable = ReadPath(def, "Variable", pointer, false, ctx);
  }
  if (op_is_path) {
    rule.operand_path = ReadPath(def, op_key.c_str(), pointer, true, ctx);
  } else if (OperandOk(op->operand, value)) {
    rule.operand = value;
  } else {
    ctx.Report(
        kSchema, where,
        fmt::format("'{}' compares with {}; got {}.", op_key,
                    OperandWord(op->operand),
                    value.is_string() ? "\"" + value.get<std::string>() + "\""
                                      : value.dump()));
  }
  return rule;
}

}  // namespace mlflowctl::asl::internal
