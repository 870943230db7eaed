// JsonPath evaluation with Jayway JsonPath semantics, which Step Functions
// uses in JSONPath mode:
//  - a definite path yields its single node, or nothing;
//  - an indefinite path (wildcard, slice, union, filter, deep scan) yields
//    the list of matches in document order, possibly empty;
//  - a filter applied to an array tests each element; applied to an object
//    it tests the object itself (Jayway's behaviour);
//  - comparisons between values of different types are false.
// Matches are copied only after their size is checked against
// Scope::max_match_bytes (see match_budget.h); a definite path never copies
// more than its one node.
#include "engine/path/json_path.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "engine/path/internal/errors.h"
#include "engine/path/internal/match_budget.h"
#include "engine/path/internal/path_ast.h"
#include "engine/path/internal/path_parser.h"

namespace mlflowctl::path {

using internal::FilterExpr;
using internal::Segment;

struct JsonPath::Impl {
  std::string text;
  Root root = Root::kInput;
  std::string variable;
  std::vector<Segment> segments;
  bool definite = true;
  bool simple_names = true;
};

namespace {

using Nodes = std::vector<const Json*>;

struct EvalContext {
  const Json* root = nullptr;       // "$" inside filters
  std::size_t max_match_bytes = 0;  // Scope::max_match_bytes; 0: no limit
  // Set once a list passes the limit; evaluation then stops and fails.
  bool over_limit = false;
  bool over_limit_in_filter = false;
};

bool ApplySegments(const std::vector<Segment>& segments, Nodes nodes, EvalContext& ctx,
                   Nodes* out);

int64_t NormalizeIndex(int64_t index, size_t size) {
  return index < 0 ? index + static_cast<int64_t>(size) : index;
}

bool Matches(const FilterExpr& expr, const Json& current, EvalContext& ctx);

void ApplyOne(const Segment& seg, const Json* node, EvalContext& ctx, Nodes* out) {
  switch (seg.kind) {
    case Segment::Kind::kName:
    case Segment::Kind::kNames:
      if (!node->is_object()) return;
      for (const std::string& name : seg.names) {
        auto it = node->find(name);
        if (it != node->end()) out->push_back(&*it);
      }
      return;
    case Segment::Kind::kIndex:
    case Segment::Kind::kIndexes:
      if (!node->is_array()) return;
      for (int64_t raw : seg.indexes) {
        int64_t i = NormalizeIndex(raw, node->size());
        if (i >= 0 && i < static_cast<int64_t>(node->size())) {
          out->push_back(&(*node)[static_cast<size_t>(i)]);
        }
      }
      return;
    case Segment::Kind::kWildcard:
      if (node->is_array() || node->is_object()) {
        for (const Json& child : *node) out->push_back(&child);
      }
      return;
    case Segment::Kind::kSlice: {
      if (!node->is_array()) return;
      int64_t size = static_cast<int64_t>(node->size());
      int64_t start = seg.slice_start ? NormalizeIndex(*seg.slice_start, node->size()) : 0;
      int64_t end = seg.slice_end ? NormalizeIndex(*seg.slice_end, node->size()) : size;
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      for (int64_t i = start; i < end; i += seg.slice_step) {
        out->push_back(&(*node)[static_cast<size_t>(i)]);
      }
      return;
    }
    case Segment::Kind::kFilter:
      if (node->is_array()) {
        for (const Json& child : *node) {
          bool matched = Matches(*seg.filter, child, ctx);
          if (ctx.over_limit) break;
          if (matched) out->push_back(&child);
        }
      } else if (node->is_object() && Matches(*seg.filter, *node, ctx)) {
        out->push_back(node);
      }
      if (ctx.over_limit) ctx.over_limit_in_filter = true;
      return;
  }
}

// Pre-order walk: the node itself, then its descendants.
void CollectDescendants(const Json* node, Nodes* out) {
  out->push_back(node);
  if (node->is_array() || node->is_object()) {
    for (const Json& child : *node) CollectDescendants(&child, out);
  }
}

// Node lists are held to one node per byte of the limit. A last list that
// long would make an array of twice the limit (each node takes a byte and a
// comma), so this only stops earlier what CopyMatches would refuse. A list on
// the way gets that long, on a document no larger than the limit, only by
// repeating nodes: unions ("[0,0,0]") and nested deep scans ("$..*..*")
// would otherwise multiply it before anything is copied.
bool WithinLimit(const Nodes& nodes, EvalContext& ctx) {
  if (ctx.max_match_bytes != 0 && nodes.size() > ctx.max_match_bytes) ctx.over_limit = true;
  return !ctx.over_limit;
}

bool ApplySegments(const std::vector<Segment>& segments, Nodes nodes, EvalContext& ctx,
                   Nodes* out) {
  for (const Segment& seg : segments) {
    Nodes next;
    for (const Json* node : nodes) {
      if (seg.deep) {
        Nodes all;
        CollectDescendants(node, &all);
        for (const Json* n : all) {
          ApplyOne(seg, n, ctx, &next);
          if (!WithinLimit(next, ctx)) return false;
        }
      } else {
        ApplyOne(seg, node, ctx, &next);
        if (!WithinLimit(next, ctx)) return false;
      }
    }
    nodes = std::move(next);
  }
  *out = std::move(nodes);
  return true;
}

// The JSON array of `nodes`, or nullopt (setting ctx.over_limit) when it
// would pass the limit; sizes are measured before anything is copied.
std::optional<Json> CopyMatches(const Nodes& nodes, EvalContext& ctx) {
  internal::MatchBudget budget(ctx.max_match_bytes);
  for (const Json* n : nodes) {
    if (!budget.Add(*n)) {
      ctx.over_limit = true;
      return std::nullopt;
    }
  }
  Json list = Json::array();
  for (const Json* n : nodes) list.push_back(*n);
  return list;
}

// Value of a filter operand: the literal, the single node of a definite path,
// the list of matches of an indefinite one, or nullopt when nothing matched
// (or the list passed the limit, setting ctx.over_limit).
std::optional<Json> OperandValue(const FilterExpr::Operand& operand, const Json& current,
                                 EvalContext& ctx) {
  if (!operand.is_path) return operand.literal;
  const Json* start = operand.path.from_root ? ctx.root : &current;
  if (start == nullptr) return std::nullopt;
  Nodes found;
  if (!ApplySegments(operand.path.segments, {start}, ctx, &found)) return std::nullopt;
  if (internal::IsDefinite(operand.path.segments)) {
    if (found.empty()) return std::nullopt;
    return *found.front();
  }
  return CopyMatches(found, ctx);
}

// Whether OperandValue would have a value, without copying: an indefinite
// path always has one (its list, maybe empty).
bool OperandExists(const FilterExpr::Operand& operand, const Json& current,
                   EvalContext& ctx) {
  if (!operand.is_path) return true;
  const Json* start = operand.path.from_root ? ctx.root : &current;
  if (start == nullptr) return false;
  Nodes found;
  if (!ApplySegments(operand.path.segments, {start}, ctx, &found)) return false;
  return !internal::IsDefinite(operand.path.segments) || !found.empty();
}

bool Compare(FilterExpr::Op op, const Json& a, const Json& b) {
  using Op = FilterExpr::Op;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>();
    double y = b.get<double>();
    switch (op) {
      case Op::kEq: return x == y;
      case Op::kNe: return x != y;
      case Op::kLt: return x < y;
      case Op::kLe: return x <= y;
      case Op::kGt: return x > y;
      case Op::kGe: return x >= y;
    }
  }
  if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    switch (op) {
      case Op::kEq: return x == y;
      case Op::kNe: return x != y;
      case Op::kLt: return x < y;
      case Op::kLe: return x <= y;
      case Op::kGt: return x > y;
      case Op::kGe: return x >= y;
    }
  }
  if (op == Op::kEq) return a == b;
  if (op == Op::kNe) return a != b;
  return false;
}

bool Matches(const FilterExpr& expr, const Json& current, EvalContext& ctx) {
  switch (expr.kind) {
    case FilterExpr::Kind::kOr:
      for (const auto& c : expr.children) {
        bool matched = Matches(*c, current, ctx);
        if (matched || ctx.over_limit) return matched;
      }
      return false;
    case FilterExpr::Kind::kAnd:
      for (const auto& c : expr.children) {
        bool matched = Matches(*c, current, ctx);
        if (!matched || ctx.over_limit) return false;
      }
      return true;
    case FilterExpr::Kind::kNot: {
      bool matched = Matches(*expr.children[0], current, ctx);
      return !ctx.over_limit && !matched;
    }
    case FilterExpr::Kind::kExists:
      return OperandExists(expr.lhs, current, ctx);
    case FilterExpr::Kind::kCompare: {
      std::optional<Json> a = OperandValue(expr.lhs, current, ctx);
      if (ctx.over_limit) return false;
      std::optional<Json> b = OperandValue(expr.rhs, current, ctx);
      if (!a || !b) return false;
      return Compare(expr.op, *a, *b);
    }
  }
  return false;
}

const Json* RootDocument(const JsonPath::Root root, const std::string& variable,
                         const Scope& scope) {
  switch (root) {
    case JsonPath::Root::kInput:
      return scope.input;
    case JsonPath::Root::kContext:
      return scope.context;
    case JsonPath::Root::kVariable: {
      if (scope.variables == nullptr || !scope.variables->is_object()) return nullptr;
      auto it = scope.variables->find(variable);
      return it == scope.variables->end() ? nullptr : &*it;
    }
  }
  return nullptr;
}

}  // namespace

StatusOr<JsonPath> JsonPath::Parse(std::string_view text) {
  auto parsed = internal::ParsePathText(text);
  if (!parsed.ok()) return parsed.status();
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  switch (parsed->root) {
    case internal::ParsedPath::Root::kInput: impl->root = Root::kInput; break;
    case internal::ParsedPath::Root::kContext: impl->root = Root::kContext; break;
    case internal::ParsedPath::Root::kVariable: impl->root = Root::kVariable; break;
  }
  impl->variable = std::move(parsed->variable);
  impl->segments = std::move(parsed->segments);
  impl->definite = internal::IsDefinite(impl->segments);
  impl->simple_names = impl->definite &&
                       std::all_of(impl->segments.begin(), impl->segments.end(),
                                   [](const Segment& s) { return s.kind == Segment::Kind::kName; });
  return JsonPath(std::move(impl));
}

const std::string& JsonPath::text() const { return impl_->text; }
JsonPath::Root JsonPath::root() const { return impl_->root; }
const std::string& JsonPath::variable() const { return impl_->variable; }
bool JsonPath::IsReferencePath() const { return impl_->definite; }
bool JsonPath::IsSimpleNamePath() const { return impl_->simple_names; }

std::string JsonPath::NormalizedText() const {
  // Jayway prints definite paths as "$['a']['b'][0]"; other paths as written.
  if (!impl_->definite || impl_->root != Root::kInput) return impl_->text;
  std::string out = "$";
  for (const Segment& s : impl_->segments) {
    if (s.kind == Segment::Kind::kName) {
      out += "['" + s.names[0] + "']";
    } else {
      out += "[" + std::to_string(s.indexes[0]) + "]";
    }
  }
  return out;
}

Selection JsonPath::Evaluate(const Scope& scope) const {
  try {
    const Json* start = RootDocument(impl_->root, impl_->variable, scope);
    if (start == nullptr) {
      if (impl_->definite) return {};
      return {Json::array(), std::nullopt};
    }
    EvalContext ctx{scope.input, scope.max_match_bytes};
    Nodes found;
    std::optional<Json> value;
    if (ApplySegments(impl_->segments, {start}, ctx, &found)) {
      if (impl_->definite) {
        if (found.empty()) return {};
        return {*found.front(), std::nullopt};
      }
      value = CopyMatches(found, ctx);
    }
    if (ctx.over_limit) {
      return {std::nullopt, internal::MatchesOverLimit(*this, scope.max_match_bytes,
                                                       ctx.over_limit_in_filter)};
    }
    return {std::move(value), std::nullopt};
  } catch (const Json::exception&) {
    return {};
  }
}

bool JsonPath::Set(Json& doc, Json value) const {
  if (impl_->root != Root::kInput || !impl_->definite) return false;
  try {
    Json* node = &doc;
    for (const Segment& s : impl_->segments) {
      if (s.kind == Segment::Kind::kName) {
        if (!node->is_object()) return false;
        node = &(*node)[s.names[0]];  // creates null, replaced below or descended
        if (node->is_null() && &s != &impl_->segments.back()) *node = Json::object();
      } else {
        if (!node->is_array()) return false;
        int64_t i = NormalizeIndex(s.indexes[0], node->size());
        if (i < 0 || i >= static_cast<int64_t>(node->size())) return false;
        node = &(*node)[static_cast<size_t>(i)];
      }
    }
    *node = std::move(value);
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

JsonPath::JsonPath(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;
JsonPath::JsonPath(const JsonPath&) = default;
JsonPath& JsonPath::operator=(const JsonPath&) = default;
JsonPath::~JsonPath() = default;

}  // namespace mlflowctl::path
