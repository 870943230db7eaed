// Parser from JSONPath text to the private AST (internal/path_ast.h).
// Jayway JsonPath syntax as Step Functions accepts it; functions such as
// ".length()" are rejected. Stateless and thread-safe.
#ifndef MLFLOWCTL_PATH_INTERNAL_PATH_PARSER_H_
#define MLFLOWCTL_PATH_INTERNAL_PATH_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status_or.h"
#include "engine/path/internal/path_ast.h"

namespace mlflowctl::path::internal {

struct ParsedPath {
  enum class Root { kInput, kContext, kVariable };
  Root root = Root::kInput;
  std::string variable;
  std::vector<Segment> segments;
};

// kInvalidArgument "invalid JSONPath '<text>': <what> at <column>".
StatusOr<ParsedPath> ParsePathText(std::string_view text);

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_PATH_PARSER_H_
