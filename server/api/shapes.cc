#include "server/api/shapes.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace mlflowctl::api {

namespace {

std::string StatusName(history::ExecutionStatus s) {
  return std::string(history::ExecutionStatusName(s));
}

void PutErrorAndCause(const history::ExecutionRecord& r, Json& j) {
  // An execution stopped without an error or cause has neither member.
  if (r.error && !r.error->empty()) j["error"] = *r.error;
  if (r.cause && !r.cause->empty()) j["cause"] = *r.cause;
}

}  // namespace

double EpochSeconds(int64_t epoch_ms) { return static_cast<double>(epoch_ms) / 1000.0; }

Json DescribeExecutionShape(const history::ExecutionRecord& r) {
  Json j{{"executionArn", r.arn},
         {"stateMachineArn", r.state_machine_arn},
         {"name", r.name},
         {"status", StatusName(r.status)},
         {"startDate", EpochSeconds(r.start_ms)},
         {"input", r.input},
         {"inputDetails", {{"included", true}}}};
  if (r.stop_ms) j["stopDate"] = EpochSeconds(*r.stop_ms);
  if (r.output) {
    j["output"] = *r.output;
    j["outputDetails"] = {{"included", true}};
  }
  PutErrorAndCause(r, j);
  // Redrive state as AWS reports it: FAILED, TIMED_OUT and ABORTED
  // executions are REDRIVABLE (AWS also limits this to 14 days after the
  // stop), the others NOT_REDRIVABLE with a reason.
  j["redriveCount"] = r.redrive_count;
  if (r.redrive_ms) j["redriveDate"] = EpochSeconds(*r.redrive_ms);
  switch (r.status) {
    case history::ExecutionStatus::kFailed:
    case history::ExecutionStatus::kTimedOut:
    case history::ExecutionStatus::kAborted:
      j["redriveStatus"] = "REDRIVABLE";
      break;
    default:
      j["redriveStatus"] = "NOT_REDRIVABLE";
      j["redriveStatusReason"] =
          fmt::format("Execution is {} and cannot be redriven", StatusName(r.status));
  }
  return j;
}

Json ExecutionListItemShape(const history::ExecutionRecord& r) {
  Json j{{"executionArn", r.arn},
         {"stateMachineArn", r.state_machine_arn},
         {"name", r.name},
         {"status", StatusName(r.status)},
         {"startDate", EpochSeconds(r.start_ms)}};
  if (r.stop_ms) j["stopDate"] = EpochSeconds(*r.stop_ms);
  j["redriveCount"] = r.redrive_count;
  if (r.redrive_ms) j["redriveDate"] = EpochSeconds(*r.redrive_ms);
  return j;
}

Json SyncExecutionShape(const history::ExecutionRecord& r) {
  // SyncExecutionStatus has SUCCEEDED, FAILED and TIMED_OUT only; an
  // execution stopped while the caller waited is reported as FAILED with
  // the stop's error and cause.
  std::string status = r.status == history::ExecutionStatus::kAborted
                           ? "FAILED"
                           : StatusName(r.status);
  int64_t stop_ms = r.stop_ms.value_or(r.start_ms);
  int64_t billed_ms = std::max<int64_t>(100, (stop_ms - r.start_ms + 99) / 100 * 100);
  Json j{{"executionArn", r.arn},
         {"stateMachineArn", r.state_machine_arn},
         {"name", r.name},
         {"startDate", EpochSeconds(r.start_ms)},
         {"stopDate", EpochSeconds(stop_ms)},
         {"status", status},
         {"input", r.input},
         {"inputDetails", {{"included", true}}},
         {"billingDetails",
          {{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", billed_ms}}}};
  if (r.output) {
    j["output"] = *r.output;
    j["outputDetails"] = {{"included", true}};
  }
  PutErrorAndCause(r, j);
  return j;
}

Json DescribeStateMachineShape(const history::StateMachineRecord& m) {
  return Json{{"stateMachineArn", m.arn},
              {"name", m.name},
              {"status", "ACTIVE"},
              {"definition", m.definition},
              {"roleArn", m.role_arn},
              {"type", m.type},
              {"creationDate", EpochSeconds(m.created_ms)},
              {"loggingConfiguration", {{"level", "OFF"}, {"includeExecutionData", false}}},
              {"tracingConfiguration", {{"enabled", false}}},
              {"revisionId", RevisionId(m)}};
}

Json StateMachineListItemShape(const history::StateMachineRecord& m) {
  return Json{{"stateMachineArn", m.arn},
              {"name", m.name},
              {"type", m.type},
              {"creationDate", EpochSeconds(m.created_ms)}};
}

Json StateMachineForExecutionShape(const history::StateMachineRecord& m) {
  return Json{{"stateMachineArn", m.arn},
              {"name", m.name},
              {"definition", m.definition},
              {"roleArn", m.role_arn},
              {"updateDate", EpochSeconds(m.updated_ms != 0 ? m.updated_ms : m.created_ms)},
              {"loggingConfiguration", {{"level", "OFF"}, {"includeExecutionData", false}}},
              {"tracingConfiguration", {{"enabled", false}}},
              {"revisionId", RevisionId(m)}};
}

std::string RevisionId(const history::StateMachineRecord& m) {
  // AWS's revision ids are opaque; this one names the version.
  return fmt::format("{}-{}", m.created_ms, m.version);
}

}  // namespace mlflowctl::api
