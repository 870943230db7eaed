// InputPath / OutputPath / ResultPath, with the messages AWS gives:
//  - InputPath/OutputPath selecting nothing: States.Runtime
//    "Invalid path '$.x' : No results for path: $['x']" (Jayway's
//    PathNotFoundException text; LocalStack reproduces the same wording in
//    asl/component/common/path/input_path.py after comparing with AWS).
//  - ResultPath that cannot be applied (input, or a node on the way, is not
//    an object): States.ResultPathMatchFailure
//    "Unable to apply ReferencePath $.x to input <input JSON>" (as reported
//    in aws/aws-cdk#29473, where the input was a JSON string).
#include "engine/path/io_processing.h"

#include <utility>

#include <fmt/format.h>

namespace mlflowctl::path {

std::variant<Json, Error> ApplySelectPath(const OptionalPath& path, const Scope& scope,
                                          const char* field) {
  (void)field;  // AWS's message does not name the field.
  const Json& data = *scope.input;
  switch (path.kind) {
    case OptionalPath::Kind::kDefault:
      return data;
    case OptionalPath::Kind::kNull:
      return Json::object();
    case OptionalPath::Kind::kPath:
      break;
  }
  if (!path.path) return data;
  Selection selected = path.path->Evaluate(scope);
  if (selected.error) return std::move(*selected.error);
  std::optional<Json>& value = selected.value;
  if (!value) {
    return Error{error_names::kRuntime,
                 fmt::format("Invalid path '{}' : No results for path: {}", path.path->text(),
                             path.path->NormalizedText())};
  }
  return std::move(*value);
}

std::variant<Json, Error> ApplyResultPath(const OptionalPath& path, const Json& state_input,
                                          Json result) {
  switch (path.kind) {
    case OptionalPath::Kind::kDefault:
      return result;
    case OptionalPath::Kind::kNull:
      return state_input;
    case OptionalPath::Kind::kPath:
      break;
  }
  if (!path.path) return result;
  Json output = state_input;
  if (!path.path->Set(output, std::move(result))) {
    return Error{error_names::kResultPathMatchFailure,
                 fmt::format("Unable to apply ReferencePath {} to input {}", path.path->text(),
                             DumpJson(state_input))};
  }
  return output;
}

}  // namespace mlflowctl::path
