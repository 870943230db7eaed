#include "engine/triggers/trigger.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/history/execution_record.h"
#include "engine/schedule/schedule.h"

namespace mlflowctl::triggers {

std::string_view MachineName(std::string_view machine) {
  constexpr std::string_view kMarker = ":stateMachine:";
  std::size_t at = machine.rfind(kMarker);
  if (at == std::string_view::npos) return machine;
  return machine.substr(at + kMarker.size());
}

namespace {

StatusOr<std::string> StringMember(const Json& spec, const char* key,
                                   std::string fallback) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return fallback;
  if (!it->is_string()) {
    return InvalidArgumentError(fmt::format("trigger spec: '{}' must be a string", key));
  }
  return it->get<std::string>();
}

}  // namespace

std::string_view TriggerKindName(TriggerKind kind) {
  switch (kind) {
    case TriggerKind::kSchedule: return "schedule";
    case TriggerKind::kWatch: return "watch";
    case TriggerKind::kExecutionEvent: return "execution-event";
  }
  return "schedule";
}

std::optional<TriggerKind> ParseTriggerKind(std::string_view name) {
  for (TriggerKind k : {TriggerKind::kSchedule, TriggerKind::kWatch,
                        TriggerKind::kExecutionEvent}) {
    if (TriggerKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view MissedPolicyName(MissedPolicy policy) {
  switch (policy) {
    case MissedPolicy::kLatest: return "latest";
    case MissedPolicy::kNone: return "none";
    case MissedPolicy::kAll: return "all";
  }
  return "latest";
}

std::optional<MissedPolicy> ParseMissedPolicy(std::string_view name) {
  for (MissedPolicy p : {MissedPolicy::kLatest, MissedPolicy::kNone, MissedPolicy::kAll}) {
    if (MissedPolicyName(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view EventShapeName(EventShape shape) {
  return shape == EventShape::kS3 ? "s3" : "eventbridge";
}

std::optional<EventShape> ParseEventShape(std::string_view name) {
  if (name == "eventbridge") return EventShape::kEventBridge;
  if (name == "s3") return EventShape::kS3;
  return std::nullopt;
}

Status ValidateTrigger(const Trigger& t) {
  if (std::string why = CheckResourceName(t.name); !why.empty()) {
    return InvalidArgumentError(fmt::format("trigger name '{}': {}", t.name, why));
  }
  if (t.machine.empty()) return InvalidArgumentError("a trigger needs a state machine (--machine)");
  if (std::string why = CheckResourceName(MachineName(t.machine)); !why.empty()) {
    return InvalidArgumentError(fmt::format("state machine '{}': {}", t.machine, why));
  }
  std::optional<Json> input;
  if (t.input.has_value()) {
    StatusOr<Json> parsed = ParseJson(*t.input, "input");
    if (!parsed.ok()) return parsed.status();
    input = *std::move(parsed);
  }
  switch (t.kind) {
    case TriggerKind::kSchedule: {
      StatusOr<schedule::Schedule> s = schedule::Schedule::Parse(t.schedule_expression, t.time_zone);
      if (!s.ok()) return s.status();
      break;
    }
    case TriggerKind::kWatch:
      if (t.watch_dir.empty()) return InvalidArgumentError("a watch trigger needs a folder (--watch)");
      if (!std::filesystem::path(t.watch_dir).is_absolute()) {
        return InvalidArgumentError(
            fmt::format("watch folder '{}' must be an absolute path", t.watch_dir));
      }
      break;
    case TriggerKind::kExecutionEvent:
      if (t.source_machine.empty()) {
        return InvalidArgumentError("an execution-event trigger needs a source machine (--on-execution)");
      }
      if (MachineName(t.source_machine) == MachineName(t.machine)) {
        return InvalidArgumentError(fmt::format(
            "trigger '{}' would start '{}' whenever '{}' ends: an endless chain", t.name,
            MachineName(t.machine), MachineName(t.source_machine)));
      }
      for (const std::string& s : t.statuses) {
        std::optional<history::ExecutionStatus> status = history::ParseExecutionStatus(s);
        if (!status || *status == history::ExecutionStatus::kRunning ||
            *status == history::ExecutionStatus::kPendingRedrive) {
          return InvalidArgumentError(fmt::format(
              "status '{}': expected SUCCEEDED, FAILED, TIMED_OUT or ABORTED", s));
        }
      }
      break;
  }
  if (t.kind != TriggerKind::kSchedule && input.has_value() && !input->is_object()) {
    return InvalidArgumentError(fmt::format(
        "input of a {} trigger must be a JSON object (its members are added to the event)",
        TriggerKindName(t.kind)));
  }
  return Status::Ok();
}

std::vector<std::string> EffectiveStatuses(const Trigger& trigger) {
  if (trigger.statuses.empty()) return {"SUCCEEDED"};
  return trigger.statuses;
}

Json TriggerSpecJson(const Trigger& t) {
  switch (t.kind) {
    case TriggerKind::kSchedule:
      return Json{{"expression", t.schedule_expression},
                  {"time_zone", t.time_zone},
                  {"missed", MissedPolicyName(t.missed)}};
    case TriggerKind::kWatch:
      return Json{{"dir", t.watch_dir},       {"prefix", t.prefix},
                  {"suffix", t.suffix},       {"bucket", t.bucket},
                  {"event_shape", EventShapeName(t.event_shape)}};
    case TriggerKind::kExecutionEvent:
      return Json{{"source_machine", t.source_machine}, {"statuses", t.statuses}};
  }
  return Json::object();
}

Status TriggerSpecFromJson(const Json& spec, Trigger& t) {
  if (!spec.is_object()) return InvalidArgumentError("trigger spec: not a JSON object");
  switch (t.kind) {
    case TriggerKind::kSchedule: {
      StatusOr<std::string> expression = StringMember(spec, "expression", "");
      StatusOr<std::string> zone = StringMember(spec, "time_zone", "UTC");
      StatusOr<std::string> missed = StringMember(spec, "missed", "latest");
      for (const auto* s : {&expression, &zone, &missed}) {
        if (!s->ok()) return s->status();
      }
      std::optional<MissedPolicy> policy = ParseMissedPolicy(*missed);
      if (!policy) return InvalidArgumentError(fmt::format("trigger spec: missed '{}'", *missed));
      t.schedule_expression = *expression;
      t.time_zone = *zone;
      t.missed = *policy;
      return Status::Ok();
    }
    case TriggerKind::kWatch: {
      StatusOr<std::string> dir = StringMember(spec, "dir", "");
      StatusOr<std::string> prefix = StringMember(spec, "prefix", "");
      StatusOr<std::string> suffix = StringMember(spec, "suffix", "");
      StatusOr<std::string> bucket = StringMember(spec, "bucket", "");
      StatusOr<std::string> shape = StringMember(spec, "event_shape", "eventbridge");
      for (const auto* s : {&dir, &prefix, &suffix, &bucket, &shape}) {
        if (!s->ok()) return s->status();
      }
      std::optional<EventShape> parsed = ParseEventShape(*shape);
      if (!parsed) return InvalidArgumentError(fmt::format("trigger spec: event_shape '{}'", *shape));
      t.watch_dir = *dir;
      t.prefix = *prefix;
      t.suffix = *suffix;
      t.bucket = *bucket;
      t.event_shape = *parsed;
      return Status::Ok();
    }
    case TriggerKind::kExecutionEvent: {
      StatusOr<std::string> source = StringMember(spec, "source_machine", "");
      if (!source.ok()) return source.status();
      t.source_machine = *source;
      t.statuses.clear();
      auto it = spec.find("statuses");
      if (it != spec.end() && !it->is_null()) {
        if (!it->is_array()) return InvalidArgumentError("trigger spec: 'statuses' must be an array");
        for (const Json& s : *it) {
          if (!s.is_string()) return InvalidArgumentError("trigger spec: a status is not a string");
          t.statuses.push_back(s.get<std::string>());
        }
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Json TriggerToJson(const Trigger& t) {
  Json j{{"Name", t.name},
         {"Id", t.id},
         {"StateMachine", t.machine},
         {"Kind", TriggerKindName(t.kind)},
         {"State", t.enabled ? "ENABLED" : "DISABLED"},
         {"CreationDate", static_cast<double>(t.created_ms) / 1000.0}};
  if (t.input.has_value()) j["Input"] = *t.input;
  switch (t.kind) {
    case TriggerKind::kSchedule:
      j["ScheduleExpression"] = t.schedule_expression;
      j["ScheduleExpressionTimezone"] = t.time_zone;
      j["MissedSlots"] = MissedPolicyName(t.missed);
      break;
    case TriggerKind::kWatch:
      j["WatchDirectory"] = t.watch_dir;
      j["Bucket"] = t.bucket.empty()
                        ? std::filesystem::path(t.watch_dir).filename().string()
                        : t.bucket;
      j["Prefix"] = t.prefix;
      j["Suffix"] = t.suffix;
      j["EventShape"] = EventShapeName(t.event_shape);
      break;
    case TriggerKind::kExecutionEvent:
      j["SourceStateMachine"] = t.source_machine;
      j["Statuses"] = EffectiveStatuses(t);
      break;
  }
  return j;
}

Json FiringToJson(const Firing& f) {
  Json j{{"Key", f.key}, {"FireDate", static_cast<double>(f.fired_ms) / 1000.0}};
  if (f.slot_ms) j["SlotDate"] = static_cast<double>(*f.slot_ms) / 1000.0;
  if (f.execution_arn) j["ExecutionArn"] = *f.execution_arn;
  if (f.error) j["Error"] = *f.error;
  return j;
}

std::string FormatIsoSeconds(int64_t epoch_ms) {
  // Whole seconds, rounding down also before 1970.
  int64_t ms = epoch_ms - ((epoch_ms % 1000) + 1000) % 1000;
  std::string text = FormatIso8601(FromEpochMillis(ms));  // ...:00.000Z
  std::size_t dot = text.rfind('.');
  if (dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

std::string SlotKey(int64_t slot_ms) { return FormatIsoSeconds(slot_ms); }

}  // namespace mlflowctl::triggers
