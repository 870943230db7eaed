#include "engine/history/store_checks.h"

#include <fmt/format.h>

namespace mlflowctl::history {

Status CheckStateMachineRecord(const StateMachineRecord& record) {
  if (record.arn.empty()) return InvalidArgumentError("state machine has no ARN");
  if (record.name.empty()) {
    return InvalidArgumentError(
        fmt::format("state machine '{}' has no name", record.arn));
  }
  return Status::Ok();
}

Status CheckExecutionRecord(const ExecutionRecord& record) {
  if (record.arn.empty()) return InvalidArgumentError("execution has no ARN");
  if (record.name.empty()) {
    return InvalidArgumentError(
        fmt::format("execution '{}' has no name", record.arn));
  }
  return Status::Ok();
}

Status CheckAppendedEvents(const std::string& execution_arn, int64_t last_id,
                           const std::vector<HistoryEvent>& events) {
  int64_t expected = last_id + 1;
  for (const HistoryEvent& event : events) {
    if (event.id != expected) {
      return FailedPreconditionError(fmt::format(
          "execution '{}': event id {} does not follow event id {} "
          "(ids must be dense and in order)",
          execution_arn, event.id, expected - 1));
    }
    if (event.type.empty()) {
      return InvalidArgumentError(fmt::format(
          "execution '{}': event {} has no type", execution_arn, event.id));
    }
    ++expected;
  }
  return Status::Ok();
}

Status CheckClaimable(const ExecutionRecord& record, bool redrive) {
  const std::string_view status = ExecutionStatusName(record.status);
  if (!redrive) {
    if (record.status == ExecutionStatus::kRunning) return Status::Ok();
    return FailedPreconditionError(fmt::format(
        "execution '{}' is {}, not RUNNING; only RUNNING executions resume",
        record.arn, status));
  }
  switch (record.status) {
    case ExecutionStatus::kFailed:
    case ExecutionStatus::kTimedOut:
    case ExecutionStatus::kAborted:
      return Status::Ok();
    default:
      return FailedPreconditionError(fmt::format(
          "execution '{}' is {} and cannot be redriven (only FAILED, "
          "TIMED_OUT and ABORTED executions can)",
          record.arn, status));
  }
}

void ApplyRedrive(ExecutionRecord& record, int64_t now_ms) {
  record.status = ExecutionStatus::kRunning;
  record.output.reset();
  record.error.reset();
  record.cause.reset();
  record.stop_ms.reset();
  record.redrive_count += 1;
  record.redrive_ms = now_ms;
}

int EffectiveListLimit(const ExecutionFilter& filter) {
  return filter.limit > 0 ? filter.limit : kDefaultListLimit;
}

Status ExecutionNotFound(const std::string& arn) {
  return NotFoundError(fmt::format("execution '{}' does not exist", arn));
}

Status StateMachineNotFound(const std::string& arn) {
  return NotFoundError(fmt::format("state machine '{}' does not exist", arn));
}

}  // namespace mlflowctl::history
