// Exit codes of mlflowctl (STYLE.md "Error model": one mapping table).
#ifndef MLFLOWCTL_CLI_EXIT_CODES_H_
#define MLFLOWCTL_CLI_EXIT_CODES_H_

#include "engine/base/status.h"

namespace mlflowctl::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExecutionFailed = 1;  // FAILED, TIMED_OUT, ABORTED
inline constexpr int kExitUsage = 2;            // invalid definition, input or usage
inline constexpr int kExitStore = 4;            // store or I/O error
inline constexpr int kExitInternal = 70;

inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    case StatusCode::kInternal: return kExitInternal;
    default: return kExitStore;
  }
}

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_EXIT_CODES_H_
