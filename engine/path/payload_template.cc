// Payload templates (ASL "Payload Template"): a field whose name ends in
// ".$" is replaced by a field without the suffix whose value is the result
// of its path or intrinsic; other values are copied; objects nested in
// objects and arrays are processed the same way. Two fields that are equal
// after removing ".$" are a definition error. A definite path that selects
// nothing fails the execution with States.Runtime (AWS no longer raises
// States.ParameterPathFailure for it; see aws-solutions-library-samples/
// accelerated-intelligent-document-processing-on-aws#918 and floci#3302).
#include "engine/path/payload_template.h"

#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "engine/path/value_expr.h"

namespace mlflowctl::path {

struct PayloadTemplate::Node {
  enum class Kind { kLiteral, kObject, kArray, kExpr };
  Kind kind = Kind::kLiteral;
  Json literal;                                      // kLiteral
  std::vector<std::pair<std::string, Node>> fields;  // kObject (output names)
  std::vector<Node> items;                           // kArray
  std::optional<ValueExpr> expr;                     // kExpr
  std::string field;                                 // kExpr: "name.$"
  // Declared here and defaulted below: clang (with libstdc++) rejects the
  // implicit one, which it instantiates while Node is still incomplete.
  Node();
};

PayloadTemplate::Node::Node() = default;

namespace {

constexpr std::string_view kSuffix = ".$";

std::string EscapePointerToken(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

bool HasSuffix(const std::string& key) {
  return key.size() > kSuffix.size() &&
         key.compare(key.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

bool IsLiteral(const PayloadTemplate::Node& node) {
  return node.kind == PayloadTemplate::Node::Kind::kLiteral;
}

PayloadTemplate::Node CompileNode(const Json& value, const std::string& pointer,
                                  std::vector<TemplateProblem>* problems) {
  using Node = PayloadTemplate::Node;
  Node node;
  if (value.is_object()) {
    node.kind = Node::Kind::kObject;
    std::set<std::string> plain_keys;
    for (const auto& [key, child] : value.items()) {
      if (!HasSuffix(key)) plain_keys.insert(key);
    }
    for (const auto& [key, child] : value.items()) {
      std::string child_pointer = pointer + "/" + EscapePointerToken(key);
      if (!HasSuffix(key)) {
        node.fields.emplace_back(key, CompileNode(child, child_pointer, problems));
        continue;
      }
      std::string name = key.substr(0, key.size() - kSuffix.size());
      if (plain_keys.count(name) != 0) {
        problems->push_back({child_pointer, "DuplicateKey",
                             fmt::format("field '{}' collides with field '{}'", key, name)});
        continue;
      }
      if (!child.is_string()) {
        problems->push_back({child_pointer, "ExpectedString",
                             fmt::format("the value of field '{}' must be a path or an "
                                         "intrinsic function call string", key)});
        continue;
      }
      const std::string& text = child.get_ref<const std::string&>();
      auto expr = ValueExpr::Parse(text);
      if (!expr.ok()) {
        problems->push_back({child_pointer,
                             Intrinsic::LooksLikeCall(text) ? "InvalidIntrinsic" : "InvalidJsonPath",
                             expr.status().message()});
        continue;
      }
      Node leaf;
      leaf.kind = Node::Kind::kExpr;
      leaf.expr = std::move(*expr);
      leaf.field = key;
      node.fields.emplace_back(std::move(name), std::move(leaf));
    }
  } else if (value.is_array()) {
    node.kind = Node::Kind::kArray;
    for (size_t i = 0; i < value.size(); ++i) {
      node.items.push_back(CompileNode(value[i], pointer + "/" + std::to_string(i), problems));
    }
  } else {
    node.literal = value;
    return node;
  }
  // A subtree without expressions is kept as one literal value.
  bool all_literal = true;
  for (const auto& field : node.fields) all_literal = all_literal && IsLiteral(field.second);
  for (const auto& item : node.items) all_literal = all_literal && IsLiteral(item);
  if (all_literal && node.fields.size() + node.items.size() == value.size()) {
    Node lit;
    lit.literal = value;
    return lit;
  }
  return node;
}

std::variant<Json, Error> EvaluateNode(const PayloadTemplate::Node& node, const Scope& scope,
                                       Random& random) {
  using Node = PayloadTemplate::Node;
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kExpr:
      return node.expr->Evaluate(scope, random, node.field);
    case Node::Kind::kObject: {
      Json out = Json::object();
      for (const auto& [name, child] : node.fields) {
        auto value = EvaluateNode(child, scope, random);
        if (auto* error = std::get_if<Error>(&value)) return std::move(*error);
        out[name] = std::move(std::get<Json>(value));
      }
      return out;
    }
    case Node::Kind::kArray: {
      Json out = Json::array();
      for (const Node& item : node.items) {
        auto value = EvaluateNode(item, scope, random);
        if (auto* error = std::get_if<Error>(&value)) return std::move(*error);
        out.push_back(std::move(std::get<Json>(value)));
      }
      return out;
    }
  }
  return Json();
}

}  // namespace

PayloadTemplate PayloadTemplate::Compile(const Json& tmpl, std::vector<TemplateProblem>* problems) {
  std::vector<TemplateProblem> local;
  std::vector<TemplateProblem>* sink = problems != nullptr ? problems : &local;
  PayloadTemplate out;
  try {
    out.root_ = std::make_shared<const Node>(CompileNode(tmpl, "", sink));
  } catch (const std::exception& e) {
    sink->push_back({"", "InvalidTemplate", e.what()});
  }
  return out;
}

std::variant<Json, Error> PayloadTemplate::Evaluate(const Scope& scope, Random& random) const {
  if (root_ == nullptr) return Json::object();
  try {
    return EvaluateNode(*root_, scope, random);
  } catch (const std::exception& e) {
    return Error{error_names::kRuntime, e.what()};
  }
}

PayloadTemplate::PayloadTemplate() = default;
PayloadTemplate::PayloadTemplate(PayloadTemplate&&) noexcept = default;
PayloadTemplate& PayloadTemplate::operator=(PayloadTemplate&&) noexcept = default;
PayloadTemplate::PayloadTemplate(const PayloadTemplate&) = default;
PayloadTemplate& PayloadTemplate::operator=(const PayloadTemplate&) = default;
PayloadTemplate::~PayloadTemplate() = default;

}  // namespace mlflowctl::path
