#include "engine/base/error.h"

#include <array>
#include <string_view>

namespace mlflowctl::error_names {

bool IsKnownStatesError(const std::string& name) {
  static constexpr std::array<std::string_view, 16> kNames = {
      kAll,          kHeartbeatTimeout,       kTimeout,
      kTaskFailed,   kPermissions,            kResultPathMatchFailure,
      kParameterPathFailure, kQueryEvaluationError, kBranchFailed,
      kNoChoiceMatched, kIntrinsicFailure, kExceedToleratedFailureThreshold,
      kItemReaderFailed, kResultWriterFailed, kRuntime, kDataLimitExceeded};
  for (std::string_view n : kNames) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace mlflowctl::error_names
