// HistoryEvent: one event of an execution's history, with Step Functions'
// types and detail shapes (GetExecutionHistory). Plain value type.
#ifndef MLFLOWCTL_HISTORY_HISTORY_EVENT_H_
#define MLFLOWCTL_HISTORY_HISTORY_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"

namespace mlflowctl::history {

struct HistoryEvent {
  int64_t id = 0;                 // dense, 1..N per execution
  int64_t previous_event_id = 0;  // 0 for the first event
  int64_t timestamp_ms = 0;       // epoch milliseconds
  std::string type;               // "ExecutionStarted", "TaskStateEntered", ...
  Json details;  // the object under the type's details key (may be null)
  // Internal, not part of the API shape: the key of the frame (the top
  // level "", a Parallel branch or a Map iteration) whose states emitted the
  // event, so that resuming can replay each frame's events in order
  // (engine/runtime/replay.h). Branches' events interleave in id order.
  std::string frame;

  // The AWS API shape: {"id","previousEventId","timestamp","type",
  // "<detailsKey>": details}; timestamp as epoch seconds (a JSON number).
  Json ToApiJson() const;

  friend bool operator==(const HistoryEvent&, const HistoryEvent&) = default;
};

// The member that holds a type's details in the API, e.g.
// "ExecutionStarted" -> "executionStartedEventDetails",
// "PassStateEntered" -> "stateEnteredEventDetails",
// "MapIterationStarted" -> "mapIterationStartedEventDetails".
// Empty for types without details (e.g. "ParallelStateStarted").
std::string_view DetailsKey(std::string_view type);

// True if `type` is one of Step Functions' HistoryEventType names.
bool IsHistoryEventType(std::string_view type);

// Every HistoryEventType name, sorted.
std::vector<std::string_view> HistoryEventTypes();

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_HISTORY_EVENT_H_
