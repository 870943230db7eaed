// Argument checks and error messages shared by every ExecutionStore
// implementation, so that MemoryStore and the SQLite store reject the same
// input with the same Status. Pure functions; thread-safe.
#ifndef MLFLOWCTL_HISTORY_STORE_CHECKS_H_
#define MLFLOWCTL_HISTORY_STORE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/history/execution_record.h"
#include "engine/history/execution_store.h"
#include "engine/history/history_event.h"

namespace mlflowctl::history {

// The page size ListExecutions uses when ExecutionFilter::limit is not
// positive (Step Functions' default maxResults).
inline constexpr int kDefaultListLimit = 100;

// kInvalidArgument unless the record has an ARN and a name.
Status CheckStateMachineRecord(const StateMachineRecord& record);
Status CheckExecutionRecord(const ExecutionRecord& record);

// kFailedPrecondition unless `events` continue an execution whose last event
// id is `last_id` densely (last_id + 1, last_id + 2, ...); kInvalidArgument
// if an event has no type.
Status CheckAppendedEvents(const std::string& execution_arn, int64_t last_id,
                           const std::vector<HistoryEvent>& events);

// ClaimExecution's status rule: kFailedPrecondition unless the execution is
// RUNNING (resume) or FAILED, TIMED_OUT or ABORTED (redrive), worded as the
// API's ExecutionNotRedrivable reasons.
Status CheckClaimable(const ExecutionRecord& record, bool redrive);
// What a redrive changes in the record (ClaimExecution with `redrive`).
void ApplyRedrive(ExecutionRecord& record, int64_t now_ms);

int EffectiveListLimit(const ExecutionFilter& filter);

// kNotFound with the message every store uses.
Status ExecutionNotFound(const std::string& arn);
Status StateMachineNotFound(const std::string& arn);

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_STORE_CHECKS_H_
