// Error: a workflow error, as ASL names it ({"Error": name, "Cause": cause}).
// It is a value recorded in history and matched by Retry/Catch ErrorEquals;
// infrastructure failures use Status instead.
#ifndef MLFLOWCTL_BASE_ERROR_H_
#define MLFLOWCTL_BASE_ERROR_H_

#include <string>
#include <utility>

namespace mlflowctl {

struct Error {
  std::string name;   // e.g. "States.TaskFailed"
  std::string cause;  // human-readable; may itself be JSON text

  bool operator==(const Error&) const = default;
};

// The error names that the ASL specification reserves.
namespace error_names {
inline constexpr char kAll[] = "States.ALL";
inline constexpr char kHeartbeatTimeout[] = "States.HeartbeatTimeout";
inline constexpr char kTimeout[] = "States.Timeout";
inline constexpr char kTaskFailed[] = "States.TaskFailed";
inline constexpr char kPermissions[] = "States.Permissions";
inline constexpr char kResultPathMatchFailure[] = "States.ResultPathMatchFailure";
inline constexpr char kParameterPathFailure[] = "States.ParameterPathFailure";
inline constexpr char kQueryEvaluationError[] = "States.QueryEvaluationError";
inline constexpr char kBranchFailed[] = "States.BranchFailed";
inline constexpr char kNoChoiceMatched[] = "States.NoChoiceMatched";
inline constexpr char kIntrinsicFailure[] = "States.IntrinsicFailure";
inline constexpr char kExceedToleratedFailureThreshold[] =
    "States.ExceedToleratedFailureThreshold";
inline constexpr char kItemReaderFailed[] = "States.ItemReaderFailed";
inline constexpr char kResultWriterFailed[] = "States.ResultWriterFailed";
inline constexpr char kRuntime[] = "States.Runtime";
inline constexpr char kDataLimitExceeded[] = "States.DataLimitExceeded";

// True for the names above (used to reject unknown "States.*" names in
// ErrorEquals during validation).
bool IsKnownStatesError(const std::string& name);
}  // namespace error_names

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_ERROR_H_
