// Scope: the documents a path or template may read. `$` is the state's
// current data, `$$` the context object, `$name` a workflow variable.
// A Scope only borrows; the documents must outlive it.
#ifndef MLFLOWCTL_PATH_SCOPE_H_
#define MLFLOWCTL_PATH_SCOPE_H_

#include "engine/base/json_util.h"

namespace mlflowctl::path {

struct Scope {
  const Json* input = nullptr;      // "$"
  const Json* context = nullptr;    // "$$"
  const Json* variables = nullptr;  // object of visible variables; may be null
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_SCOPE_H_
