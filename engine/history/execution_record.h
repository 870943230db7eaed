// ExecutionRecord and StateMachineRecord: what the store keeps about an
// execution and a state machine (DescribeExecution / DescribeStateMachine).
// Plain value types.
#ifndef MLFLOWCTL_HISTORY_EXECUTION_RECORD_H_
#define MLFLOWCTL_HISTORY_EXECUTION_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlflowctl::history {

enum class ExecutionStatus {
  kRunning, kSucceeded, kFailed, kTimedOut, kAborted, kPendingRedrive,
};
// "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE".
std::string_view ExecutionStatusName(ExecutionStatus s);
std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view name);

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string definition;  // the JSON text as given
  std::string type = "STANDARD";
  std::string role_arn;
  int64_t version = 1;  // incremented on each update
  int64_t created_ms = 0;
  int64_t updated_ms = 0;

  friend bool operator==(const StateMachineRecord&,
                         const StateMachineRecord&) = default;
};

struct ExecutionRecord {
  std::string arn;
  std::string name;
  std::string state_machine_arn;
  std::string state_machine_name;
  int64_t state_machine_version = 1;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string input;   // JSON text
  std::optional<std::string> output;  // JSON text, when SUCCEEDED
  std::optional<std::string> error;
  std::optional<std::string> cause;
  int64_t start_ms = 0;
  std::optional<int64_t> stop_ms;
  // RedriveExecution: how often the execution was redriven, and when last.
  int64_t redrive_count = 0;
  std::optional<int64_t> redrive_ms;

  friend bool operator==(const ExecutionRecord&,
                         const ExecutionRecord&) = default;
};

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_EXECUTION_RECORD_H_
