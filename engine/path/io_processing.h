// Input and output processing of a state, as the ASL specification and the
// Step Functions developer guide ("Processing input and output") define it:
//   InputPath -> Parameters (or ItemSelector) -> [task] -> ResultSelector ->
//   ResultPath -> OutputPath.
// Each field is absent (default "$"), JSON null, or a path. Stateless.
#ifndef MLFLOWCTL_PATH_IO_PROCESSING_H_
#define MLFLOWCTL_PATH_IO_PROCESSING_H_

#include <optional>
#include <string>
#include <variant>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/path/json_path.h"
#include "engine/path/scope.h"

namespace mlflowctl::path {

// InputPath / OutputPath / ResultPath value: absent ("$"), null, or a path.
struct OptionalPath {
  enum class Kind { kDefault, kNull, kPath };
  Kind kind = Kind::kDefault;
  std::optional<JsonPath> path;  // set when kind == kPath
};

// InputPath and OutputPath, applied to the data `scope.input` points at:
// default passes it through; null gives {}; a path that selects nothing is
// States.Runtime with AWS's message ("Invalid path '$.x' : No results for
// path: $['x']"); matches over scope.max_match_bytes are
// States.DataLimitExceeded (see JsonPath::Evaluate).
// `field` ("InputPath"/"OutputPath") names the field in messages.
std::variant<Json, Error> ApplySelectPath(const OptionalPath& path, const Scope& scope,
                                          const char* field);

// ResultPath: default/"$" replaces the input with the result; null keeps the
// input and discards the result; a path stores the result inside a copy of
// the input, creating objects on the way. When the input (or a node on the
// way) is not an object, States.ResultPathMatchFailure with AWS's message.
std::variant<Json, Error> ApplyResultPath(const OptionalPath& path,
                                          const Json& state_input,
                                          Json result);

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_IO_PROCESSING_H_
