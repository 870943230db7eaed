// AWS error values raised by path evaluation, built in one place so their
// wording stays identical everywhere. Pure functions; thread-safe.
#ifndef MLFLOWCTL_PATH_INTERNAL_ERRORS_H_
#define MLFLOWCTL_PATH_INTERNAL_ERRORS_H_

#include <cstddef>
#include <string_view>

#include "engine/base/error.h"
#include "engine/path/json_path.h"
#include "engine/path/scope.h"

namespace mlflowctl::path::internal {

// States.Runtime "The JSONPath '$.x' specified for the field 'y.$' could not
// be found in the input '{...}'" (the runtime prefixes the state name).
Error PathNotFound(const JsonPath& path, const Scope& scope, std::string_view field);

// States.DataLimitExceeded "The matches of the JSONPath '$..*' exceed the
// maximum number of bytes service limit (262144)." (`in_filter`: the list of
// a filter operand in it did).
Error MatchesOverLimit(const JsonPath& path, std::size_t limit, bool in_filter);

// States.Runtime "Invalid arguments in States.X".
Error InvalidIntrinsicArguments(std::string_view function);

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_ERRORS_H_
