// Scope: the documents a path or template may read. `$` is the state's
// current data, `$$` the context object, `$name` a workflow variable.
// A Scope only borrows; the documents must outlive it.
#ifndef MLFLOWCTL_PATH_SCOPE_H_
#define MLFLOWCTL_PATH_SCOPE_H_

#include <cstddef>

#include "engine/base/json_util.h"

namespace mlflowctl::path {

// The 256 KiB payload limit of Step Functions.
inline constexpr std::size_t kDefaultMaxMatchBytes = 256 * 1024;

struct Scope {
  const Json* input = nullptr;      // "$"
  const Json* context = nullptr;    // "$$"
  const Json* variables = nullptr;  // object of visible variables; may be null
  // Budget of an indefinite path's matches: the serialised size of the array
  // it returns, and of each list a filter operand compares, must not pass it
  // (States.DataLimitExceeded); 0 means no limit. The runtime sets the
  // engine's payload limit.
  std::size_t max_match_bytes = kDefaultMaxMatchBytes;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_SCOPE_H_
