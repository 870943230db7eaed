// Private AST of a compiled JSONPath (segments and filter expressions),
// shared by json_path.cc and its helpers. Immutable after parsing, so it
// may be shared between threads.
#ifndef MLFLOWCTL_PATH_INTERNAL_PATH_AST_H_
#define MLFLOWCTL_PATH_INTERNAL_PATH_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/json_util.h"

namespace mlflowctl::path::internal {

struct FilterExpr;

struct Segment {
  enum class Kind { kName, kIndex, kWildcard, kSlice, kNames, kIndexes, kFilter };
  Kind kind = Kind::kName;
  bool deep = false;  // preceded by ".." (deep scan)
  std::vector<std::string> names;   // kName (one), kNames
  std::vector<int64_t> indexes;     // kIndex (one), kIndexes
  std::optional<int64_t> slice_start, slice_end;
  int64_t slice_step = 1;
  std::shared_ptr<const FilterExpr> filter;  // kFilter
};

// A path inside a filter: "@..." (relative to the current node) or "$...".
struct RelativePath {
  bool from_root = false;
  std::vector<Segment> segments;
};

struct FilterExpr {
  enum class Kind { kOr, kAnd, kNot, kCompare, kExists };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  struct Operand {
    bool is_path = false;
    RelativePath path;
    Json literal;
  };
  Kind kind = Kind::kExists;
  std::vector<std::shared_ptr<const FilterExpr>> children;  // kOr/kAnd/kNot
  Op op = Op::kEq;
  Operand lhs, rhs;  // kCompare uses both; kExists uses lhs
};

// True if no segment can select more than one node.
bool IsDefinite(const std::vector<Segment>& segments);

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_PATH_AST_H_
