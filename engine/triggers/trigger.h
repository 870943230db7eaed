// Trigger and Firing: what starts executions without a client asking: a
// schedule (EventBridge Scheduler expressions, engine/schedule), a watched
// folder (a new file -> an S3 "Object Created" event), or another
// execution's status change (the Step Functions "Execution Status Change"
// event). Plain value types, plus their JSON shapes for the CLI and the
// store, and the checks a trigger passes before it is stored. Thread-safe
// (no shared state).
#ifndef MLFLOWCTL_TRIGGERS_TRIGGER_H_
#define MLFLOWCTL_TRIGGERS_TRIGGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status.h"
#include "engine/base/status_or.h"

namespace mlflowctl::triggers {

enum class TriggerKind { kSchedule, kWatch, kExecutionEvent };
// "schedule", "watch", "execution-event".
std::string_view TriggerKindName(TriggerKind kind);
std::optional<TriggerKind> ParseTriggerKind(std::string_view name);

// What a schedule does with slots that passed while nothing could fire them
// (the serve process was stopped, or its loop stalled past the misfire
// grace; see TriggerRunner):
//   kLatest  fire once, for the latest missed slot (the default);
//   kNone    skip them; the next firing is the next slot;
//   kAll     fire each of them, oldest first, at most the most recent
//            TriggerRunnerOptions::max_catch_up of them.
enum class MissedPolicy { kLatest, kNone, kAll };
// "latest", "none", "all".
std::string_view MissedPolicyName(MissedPolicy policy);
std::optional<MissedPolicy> ParseMissedPolicy(std::string_view name);

// The input a watch trigger builds for a file (mlops-formats.md §e):
//   kEventBridge  the EventBridge "Object Created" event (the default);
//   kS3           the classic S3 notification {"Records": [...]}.
enum class EventShape { kEventBridge, kS3 };
// "eventbridge", "s3".
std::string_view EventShapeName(EventShape shape);
std::optional<EventShape> ParseEventShape(std::string_view name);

struct Trigger {
  std::string id;    // a UUID; set by the store when empty
  std::string name;  // unique; Step Functions name rules
  // The machine to start: a state machine name or ARN.
  std::string machine;
  TriggerKind kind = TriggerKind::kSchedule;

  // kSchedule: rate(...), cron(...) or at(...) in `time_zone` (IANA).
  // A rate counts from created_ms (EventBridge: "starts counting at rule
  // creation").
  std::string schedule_expression;
  std::string time_zone = "UTC";
  MissedPolicy missed = MissedPolicy::kLatest;

  // kWatch: the folder (absolute), watched recursively. Only files whose
  // relative path (with '/') starts with `prefix` and ends with `suffix`.
  // The event's bucket name is `bucket`, or the folder's base name when
  // empty.
  std::string watch_dir;
  std::string prefix;
  std::string suffix;
  std::string bucket;
  EventShape event_shape = EventShape::kEventBridge;

  // kExecutionEvent: executions of `source_machine` (name or ARN) that end
  // with one of `statuses` ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED";
  // default SUCCEEDED).
  std::string source_machine;
  std::vector<std::string> statuses;

  // JSON text. kSchedule: the execution's input (default {}), with
  // "<aws.scheduler.scheduled-time>" and "<aws.scheduler.schedule-arn>"
  // replaced in its strings as EventBridge Scheduler does. kWatch and
  // kExecutionEvent: the event is the input; when set, this must be an
  // object whose members are added to the event's top level (on a name
  // clash this object's member wins).
  std::optional<std::string> input;

  bool enabled = true;
  int64_t created_ms = 0;  // set by the store when 0

  friend bool operator==(const Trigger&, const Trigger&) = default;
};

// One firing: a schedule slot, a file or an execution event that a trigger
// claimed. `key` identifies what was fired and is unique per trigger:
//   schedule          the slot, "2026-11-24T12:00:00Z";
//   watch             "<relative path>|<size>|<mtime ns>", so a rewritten
//                     file fires again;
//   execution-event   "<execution ARN>|<status>|<redrive count>".
// execution_arn is set once the execution started; error when it could not
// be started; neither while the start is in progress (or if the process
// died in between: at most once).
struct Firing {
  std::string trigger_id;
  std::string trigger_name;
  std::string key;
  std::optional<int64_t> slot_ms;  // schedule only
  int64_t fired_ms = 0;
  std::optional<std::string> execution_arn;
  std::optional<std::string> error;

  friend bool operator==(const Firing&, const Firing&) = default;
};

// Checks a trigger before it is stored: kInvalidArgument naming what is
// wrong (the name, a missing machine, an invalid schedule expression or
// zone with Schedule::Parse's message, a relative or empty watch folder, an
// unknown status, an input that is not JSON or, for watch and
// execution-event triggers, not an object, an execution-event trigger that
// would start its own source machine).
Status ValidateTrigger(const Trigger& trigger);

// A trigger's machine (or source machine) as a name, whether it is given as
// a name or as a state machine ARN.
std::string_view MachineName(std::string_view machine);

// The statuses an execution-event trigger matches: `statuses`, or
// {"SUCCEEDED"} when empty.
std::vector<std::string> EffectiveStatuses(const Trigger& trigger);

// The kind-specific members as a JSON object (kept in the store's `spec`
// column), and back. SpecFromJson fills those members of `trigger`;
// kInvalidArgument for a member of the wrong type or value.
Json TriggerSpecJson(const Trigger& trigger);
Status TriggerSpecFromJson(const Json& spec, Trigger& trigger);

// The shape `triggers list --json` prints, EventBridge Scheduler's words
// where they exist: {"Name", "Id", "StateMachine", "Kind", "State"
// ("ENABLED"|"DISABLED"), "CreationDate" (epoch seconds), "Input"?, and per
// kind "ScheduleExpression", "ScheduleExpressionTimezone", "MissedSlots" |
// "WatchDirectory", "Bucket", "Prefix", "Suffix", "EventShape" |
// "SourceStateMachine", "Statuses"}.
Json TriggerToJson(const Trigger& trigger);
// {"Key", "SlotDate"? (epoch seconds), "FireDate" (epoch seconds),
//  "ExecutionArn"?, "Error"?}
Json FiringToJson(const Firing& firing);

// "2026-11-24T12:00:00Z": UTC to the second, as EventBridge events give
// their "time".
std::string FormatIsoSeconds(int64_t epoch_ms);
// The key of a schedule firing: FormatIsoSeconds(slot_ms).
std::string SlotKey(int64_t slot_ms);

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_TRIGGER_H_
