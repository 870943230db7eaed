#include "engine/history/execution_record.h"

#include <array>
#include <utility>

namespace mlflowctl::history {
namespace {

// ExecutionStatus values of the Step Functions API (DescribeExecution).
constexpr std::array<std::pair<ExecutionStatus, std::string_view>, 6>
    kStatusNames = {{
        {ExecutionStatus::kRunning, "RUNNING"},
        {ExecutionStatus::kSucceeded, "SUCCEEDED"},
        {ExecutionStatus::kFailed, "FAILED"},
        {ExecutionStatus::kTimedOut, "TIMED_OUT"},
        {ExecutionStatus::kAborted, "ABORTED"},
        {ExecutionStatus::kPendingRedrive, "PENDING_REDRIVE"},
    }};

}  // namespace

std::string_view ExecutionStatusName(ExecutionStatus s) {
  for (const auto& [status, name] : kStatusNames) {
    if (status == s) return name;
  }
  return "UNKNOWN";
}

std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view name) {
  for (const auto& [status, status_name] : kStatusNames) {
    if (status_name == name) return status;
  }
  return std::nullopt;
}

}  // namespace mlflowctl::history
