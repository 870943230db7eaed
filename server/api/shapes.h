// Response shapes of the Step Functions API built from the store's records,
// member for member as botocore's service model (stepfunctions
// 2016-11-23) has them. Timestamps are epoch seconds as JSON numbers with
// the milliseconds as a fraction (botocore's Timestamp over JSON 1.0). Pure
// functions; thread-safe.
#ifndef MLFLOWCTL_SERVER_API_SHAPES_H_
#define MLFLOWCTL_SERVER_API_SHAPES_H_

#include <cstdint>

#include "engine/base/json_util.h"
#include "engine/history/execution_record.h"

namespace mlflowctl::api {

double EpochSeconds(int64_t epoch_ms);

// DescribeExecution's output.
Json DescribeExecutionShape(const history::ExecutionRecord& r);
// ExecutionListItem (ListExecutions).
Json ExecutionListItemShape(const history::ExecutionRecord& r);
// StartSyncExecution's output (billingDetails as AWS bills Express
// executions: duration rounded up to 100 ms, memory in 64 MB steps).
Json SyncExecutionShape(const history::ExecutionRecord& r);

// DescribeStateMachine's output (status ACTIVE).
Json DescribeStateMachineShape(const history::StateMachineRecord& m);
// StateMachineListItem (ListStateMachines).
Json StateMachineListItemShape(const history::StateMachineRecord& m);
// DescribeStateMachineForExecution's output.
Json StateMachineForExecutionShape(const history::StateMachineRecord& m);

// A revisionId for a machine version (UpdateStateMachine, Describe*): stable
// for one version of one machine.
std::string RevisionId(const history::StateMachineRecord& m);

}  // namespace mlflowctl::api

#endif  // MLFLOWCTL_SERVER_API_SHAPES_H_
