// AWS wording of path errors. The runtime prefixes "An error occurred while
// executing the state 'X' (entered at the event id #N). "; the causes here
// are the part after that prefix.
#include "engine/path/internal/errors.h"

#include <string>

#include <fmt/format.h>

namespace mlflowctl::path::internal {

Error PathNotFound(const JsonPath& path, const Scope& scope, std::string_view field) {
  const Json* doc = scope.input;
  if (path.root() == JsonPath::Root::kContext) doc = scope.context;
  std::string shown = doc != nullptr ? DumpJson(*doc) : "null";
  return Error{error_names::kRuntime,
               fmt::format("The JSONPath '{}' specified for the field '{}' could not be "
                           "found in the input '{}'",
                           path.text(), field, shown)};
}

Error MatchesOverLimit(const JsonPath& path, std::size_t limit, bool in_filter) {
  return Error{error_names::kDataLimitExceeded,
               fmt::format("The matches of {}the JSONPath '{}' exceed the maximum number of "
                           "bytes service limit ({}).",
                           in_filter ? "a filter operand in " : "", path.text(), limit)};
}

Error InvalidIntrinsicArguments(std::string_view function) {
  return Error{error_names::kRuntime, fmt::format("Invalid arguments in {}", function)};
}

}  // namespace mlflowctl::path::internal
