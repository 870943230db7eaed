#include "engine/history/history_event.h"

#include <algorithm>
#include <array>
#include <utility>

namespace mlflowctl::history {
namespace {

// Every HistoryEventType of the Step Functions API and the HistoryEvent
// member that holds its details, as in botocore's service model
// (stepfunctions/2016-11-23/service-2.json, shapes HistoryEventType and
// HistoryEvent). An empty key means the type carries no details. Sorted by
// type for binary search.
constexpr std::array<std::pair<std::string_view, std::string_view>, 62>
    kDetailsKeys = {{
        {"ActivityFailed", "activityFailedEventDetails"},
        {"ActivityScheduleFailed", "activityScheduleFailedEventDetails"},
        {"ActivityScheduled", "activityScheduledEventDetails"},
        {"ActivityStarted", "activityStartedEventDetails"},
        {"ActivitySucceeded", "activitySucceededEventDetails"},
        {"ActivityTimedOut", "activityTimedOutEventDetails"},
        {"ChoiceStateEntered", "stateEnteredEventDetails"},
        {"ChoiceStateExited", "stateExitedEventDetails"},
        {"EvaluationFailed", "evaluationFailedEventDetails"},
        {"ExecutionAborted", "executionAbortedEventDetails"},
        {"ExecutionFailed", "executionFailedEventDetails"},
        {"ExecutionRedriven", "executionRedrivenEventDetails"},
        {"ExecutionStarted", "executionStartedEventDetails"},
        {"ExecutionSucceeded", "executionSucceededEventDetails"},
        {"ExecutionTimedOut", "executionTimedOutEventDetails"},
        {"FailStateEntered", "stateEnteredEventDetails"},
        {"LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"},
        {"LambdaFunctionScheduleFailed",
         "lambdaFunctionScheduleFailedEventDetails"},
        {"LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails"},
        {"LambdaFunctionStartFailed", "lambdaFunctionStartFailedEventDetails"},
        {"LambdaFunctionStarted", ""},
        {"LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails"},
        {"LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"},
        {"MapIterationAborted", "mapIterationAbortedEventDetails"},
        {"MapIterationFailed", "mapIterationFailedEventDetails"},
        {"MapIterationStarted", "mapIterationStartedEventDetails"},
        {"MapIterationSucceeded", "mapIterationSucceededEventDetails"},
        {"MapRunAborted", ""},
        {"MapRunFailed", "mapRunFailedEventDetails"},
        {"MapRunRedriven", "mapRunRedrivenEventDetails"},
        {"MapRunStarted", "mapRunStartedEventDetails"},
        {"MapRunSucceeded", ""},
        {"MapStateAborted", ""},
        {"MapStateEntered", "stateEnteredEventDetails"},
        {"MapStateExited", "stateExitedEventDetails"},
        {"MapStateFailed", ""},
        {"MapStateStarted", "mapStateStartedEventDetails"},
        {"MapStateSucceeded", ""},
        {"ParallelStateAborted", ""},
        {"ParallelStateEntered", "stateEnteredEventDetails"},
        {"ParallelStateExited", "stateExitedEventDetails"},
        {"ParallelStateFailed", ""},
        {"ParallelStateStarted", ""},
        {"ParallelStateSucceeded", ""},
        {"PassStateEntered", "stateEnteredEventDetails"},
        {"PassStateExited", "stateExitedEventDetails"},
        {"SucceedStateEntered", "stateEnteredEventDetails"},
        {"SucceedStateExited", "stateExitedEventDetails"},
        {"TaskFailed", "taskFailedEventDetails"},
        {"TaskScheduled", "taskScheduledEventDetails"},
        {"TaskStartFailed", "taskStartFailedEventDetails"},
        {"TaskStarted", "taskStartedEventDetails"},
        {"TaskStateAborted", ""},
        {"TaskStateEntered", "stateEnteredEventDetails"},
        {"TaskStateExited", "stateExitedEventDetails"},
        {"TaskSubmitFailed", "taskSubmitFailedEventDetails"},
        {"TaskSubmitted", "taskSubmittedEventDetails"},
        {"TaskSucceeded", "taskSucceededEventDetails"},
        {"TaskTimedOut", "taskTimedOutEventDetails"},
        {"WaitStateAborted", ""},
        {"WaitStateEntered", "stateEnteredEventDetails"},
        {"WaitStateExited", "stateExitedEventDetails"},
    }};

static_assert(std::is_sorted(kDetailsKeys.begin(), kDetailsKeys.end()),
              "kDetailsKeys must stay sorted by type");

const std::pair<std::string_view, std::string_view>* Find(
    std::string_view type) {
  auto it = std::lower_bound(
      kDetailsKeys.begin(), kDetailsKeys.end(), type,
      [](const auto& entry, std::string_view t) { return entry.first < t; });
  if (it == kDetailsKeys.end() || it->first != type) return nullptr;
  return &*it;
}

}  // namespace

Json HistoryEvent::ToApiJson() const {
  Json out = Json::object();
  out["id"] = id;
  out["previousEventId"] = previous_event_id;
  // Epoch seconds with the milliseconds as a fraction, as botocore's
  // Timestamp shape is sent over JSON 1.0. The division is exact enough that
  // the shortest round-trip form printed by nlohmann has at most three
  // decimals.
  out["timestamp"] = static_cast<double>(timestamp_ms) / 1000.0;
  out["type"] = type;
  std::string_view key = DetailsKey(type);
  if (!key.empty() && !details.is_null()) out[std::string(key)] = details;
  return out;
}

std::string_view DetailsKey(std::string_view type) {
  const auto* entry = Find(type);
  return entry == nullptr ? std::string_view() : entry->second;
}

bool IsHistoryEventType(std::string_view type) { return Find(type) != nullptr; }

std::vector<std::string_view> HistoryEventTypes() {
  std::vector<std::string_view> types;
  types.reserve(kDetailsKeys.size());
  for (const auto& entry : kDetailsKeys) types.push_back(entry.first);
  return types;
}

}  // namespace mlflowctl::history
