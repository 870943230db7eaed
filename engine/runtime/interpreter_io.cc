// Interpreter: history events and the data processing shared by all states.
#include <fmt/format.h>

#include "engine/runtime/interpreter.h"

namespace mlflowctl::runtime {

namespace {
// Events buffered per execution before they go to the store (which commits
// in groups of its own); Sync() flushes earlier where durability matters.
constexpr std::size_t kFlushEvery = 1024;
}  // namespace

const history::HistoryEvent* Interpreter::Emit(Frame& frame, const char* type,
                                               Json details) {
  Execution& e = *frame.execution;
  if (frame.recorded != nullptr) {
    if (const history::HistoryEvent* rec = PeekRecorded(frame)) {
      if (rec->type != type) {
        ReplayMismatch(frame, *rec, type);
        return nullptr;
      }
      ++frame.replayed;
      frame.last_event_id = rec->id;
      frame.last_event_ms = rec->timestamp_ms;
      frame.last_replayed = true;
      return rec;
    }
  }
  // After a mismatch nothing more is recorded (the execution unwinds).
  if (!e.replay_error.empty()) return nullptr;
  history::HistoryEvent event;
  event.id = e.next_event_id++;
  event.previous_event_id = frame.last_event_id;
  event.timestamp_ms = ToEpochMillis(engine_.clock().Now());
  event.type = type;
  event.details = std::move(details);
  event.frame = frame.key;
  frame.last_event_id = event.id;
  frame.last_event_ms = event.timestamp_ms;
  frame.last_replayed = false;
  if (engine_.options().on_event) engine_.options().on_event(e.record.arn, event);
  e.pending.push_back(std::move(event));
  if (e.pending.size() >= kFlushEvery) FlushEvents(e);
  return nullptr;
}

void Interpreter::FlushEvents(Execution& execution) {
  if (execution.pending.empty()) return;
  Status s = engine_.store().AppendEvents(execution.record.arn, execution.pending);
  execution.pending.clear();
  if (!s.ok() && execution.stop_reason == StopReason::kNone) {
    // History could not be recorded: stop the execution rather than run on
    // without a record of it.
    execution.stop_reason = StopReason::kAborted;
    execution.stop_error = Error{"mlflowctl.StoreError", s.ToString()};
    execution.cancel.Cancel();
  }
}

Status Interpreter::Sync(Execution& execution) {
  FlushEvents(execution);
  return engine_.store().Sync();
}

void Interpreter::SyncOrStop(Execution& execution) {
  Status s = Sync(execution);
  if (!s.ok() && execution.stop_reason == StopReason::kNone) {
    execution.stop_reason = StopReason::kAborted;
    execution.stop_error = Error{"mlflowctl.StoreError", s.ToString()};
    execution.cancel.Cancel();
  }
}

path::Scope Interpreter::ScopeOf(const Frame& frame, const Json& input) const {
  return path::Scope{&input, &frame.context, &frame.variables,
                     engine_.options().max_payload_bytes};
}

Value Interpreter::SelectPath(const Frame& frame, const path::OptionalPath& p,
                              const Json& data, const char* field) const {
  if (p.kind == path::OptionalPath::Kind::kDefault) return data;
  return path::ApplySelectPath(p, ScopeOf(frame, data), field);
}

const Json* Interpreter::SelectPathRef(const Frame& frame, const path::OptionalPath& p,
                                       const Json& data, const char* field,
                                       Value& storage) const {
  if (p.kind == path::OptionalPath::Kind::kDefault) return &data;
  storage = path::ApplySelectPath(p, ScopeOf(frame, data), field);
  return std::get_if<Json>(&storage);
}

void Interpreter::EnterStateContext(Frame& frame, const asl::State& state) {
  int64_t ms = ToEpochMillis(engine_.clock().Now());
  if (ms != entered_ms_ || entered_text_.empty()) {
    entered_text_ = FormatIso8601(FromEpochMillis(ms));
    entered_ms_ = ms;
  }
  Json& st = frame.context["State"];
  // Assigning into the existing strings keeps their buffers.
  Json& entered = st["EnteredTime"];
  if (entered.is_string()) {
    entered.get_ref<std::string&>() = entered_text_;
  } else {
    entered = entered_text_;
  }
  Json& name = st["Name"];
  if (name.is_string()) {
    name.get_ref<std::string&>() = state.name;
  } else {
    name = state.name;
  }
  st["RetryCount"] = 0;
}

Value Interpreter::EvalTemplate(const Frame& frame, const path::PayloadTemplate& t,
                                const Json& input) {
  return t.Evaluate(ScopeOf(frame, input), random_);
}

std::optional<Error> Interpreter::Assign(
    Frame& frame, const std::optional<path::PayloadTemplate>& assign,
    const Json& input, Json* assigned) {
  if (!assign) return std::nullopt;
  // All values are evaluated against the variables as they were before the
  // state, then stored together ("Passing data between states with
  // variables": assignments in one Assign do not see each other).
  Value v = EvalTemplate(frame, *assign, input);
  if (auto* e = std::get_if<Error>(&v)) return *e;
  Json& values = std::get<Json>(v);
  if (!values.is_object()) return std::nullopt;
  for (auto it = values.begin(); it != values.end(); ++it) {
    frame.variables[it.key()] = it.value();
  }
  if (assigned) *assigned = std::move(values);
  return std::nullopt;
}

std::optional<Error> Interpreter::CheckPayload(const asl::State& state,
                                               const Json& value,
                                               const char* what) const {
  if (engine_.options().max_payload_bytes == 0) return std::nullopt;
  return CheckPayloadSize(state, JsonSize(value), what);
}

std::optional<Error> Interpreter::CheckPayloadSize(const asl::State& state,
                                                   std::size_t size,
                                                   const char* what) const {
  std::size_t limit = engine_.options().max_payload_bytes;
  if (limit == 0 || size <= limit) return std::nullopt;
  return Error{error_names::kDataLimitExceeded,
               fmt::format("The state/task '{}' {} has a size of {} bytes, which "
                           "exceeds the maximum number of bytes service limit ({}).",
                           state.name, what, size, limit)};
}

StepOutcome Interpreter::FinishWithResult(Frame& frame, const asl::State& state,
                                          const Json& state_input, Json result) {
  StepOutcome out;
  auto fail = [&](const Error& e) {
    out.error = StateRuntimeError(state, frame.entered_event_id, e);
    return out;
  };
  if (auto e = CheckPayload(state, result, "result")) {
    out.error = *e;
    return out;
  }
  if (state.result_selector) {
    Value v = EvalTemplate(frame, *state.result_selector, result);
    if (auto* e = std::get_if<Error>(&v)) return fail(*e);
    result = std::get<Json>(std::move(v));
  }
  if (state.assign) {
    Json assigned;
    if (auto e = Assign(frame, state.assign, result, &assigned)) return fail(*e);
  }
  Value merged = path::ApplyResultPath(state.result_path, state_input, std::move(result));
  if (auto* e = std::get_if<Error>(&merged)) return fail(*e);
  return Leave(frame, state, std::get<Json>(std::move(merged)));
}

StepOutcome Interpreter::Leave(const Frame& frame, const asl::State& state,
                               Json data) const {
  StepOutcome out;
  if (state.output_path.kind == path::OptionalPath::Kind::kDefault) {
    out.output = std::move(data);
  } else {
    Value o = SelectPath(frame, state.output_path, data, "OutputPath");
    if (auto* e = std::get_if<Error>(&o)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      return out;
    }
    out.output = std::get<Json>(std::move(o));
  }
  out.next = state.next;
  out.end = state.end || state.type == asl::StateType::kSucceed;
  return out;
}

Value Interpreter::ResolveInt(const Frame& frame, const asl::IntOrPath& field,
                              const Json& input, const char* name) const {
  if (field.value) return Json(*field.value);
  if (!field.path) return Json();
  path::Selection selected = field.path->Evaluate(ScopeOf(frame, input));
  if (selected.error) return *selected.error;
  const std::optional<Json>& v = selected.value;
  if (!v || !v->is_number_integer() || v->get<int64_t>() < 0) {
    return Error{error_names::kRuntime,
                 fmt::format("The value of {} '{}' must be a non-negative integer, "
                             "got {}",
                             name, field.path->text(), v ? DumpJson(*v) : "nothing")};
  }
  return *v;
}

}  // namespace mlflowctl::runtime
