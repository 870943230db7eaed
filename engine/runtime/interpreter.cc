#include "engine/runtime/interpreter.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "engine/base/ids.h"

namespace mlflowctl::runtime {

namespace {

const char* EnteredEvent(asl::StateType t) {
  switch (t) {
    case asl::StateType::kPass: return "PassStateEntered";
    case asl::StateType::kTask: return "TaskStateEntered";
    case asl::StateType::kChoice: return "ChoiceStateEntered";
    case asl::StateType::kWait: return "WaitStateEntered";
    case asl::StateType::kSucceed: return "SucceedStateEntered";
    case asl::StateType::kFail: return "FailStateEntered";
    case asl::StateType::kParallel: return "ParallelStateEntered";
    case asl::StateType::kMap: return "MapStateEntered";
  }
  return "";
}

const char* ExitedEvent(asl::StateType t) {
  switch (t) {
    case asl::StateType::kPass: return "PassStateExited";
    case asl::StateType::kTask: return "TaskStateExited";
    case asl::StateType::kChoice: return "ChoiceStateExited";
    case asl::StateType::kWait: return "WaitStateExited";
    case asl::StateType::kSucceed: return "SucceedStateExited";
    case asl::StateType::kFail: return "FailStateExited";
    case asl::StateType::kParallel: return "ParallelStateExited";
    case asl::StateType::kMap: return "MapStateExited";
  }
  return "";
}

// The details of a StateEntered ("input") or StateExited ("output") event:
// {"name", "input"|"output": the data's JSON text, "inputDetails"|
// "outputDetails": {"truncated": false}}. Built member by member: nlohmann's
// initializer-list constructor copies every element once more.
Json StateEventDetails(const std::string& name, const char* data_key, std::string data_text) {
  Json truncated(Json::value_t::object);
  truncated.emplace("truncated", false);
  Json details(Json::value_t::object);
  details.emplace("name", name);
  details.emplace(data_key, std::move(data_text));
  details.emplace(std::string(data_key) + "Details", std::move(truncated));
  return details;
}

constexpr char kCancelled[] = "mlflowctl.Cancelled";

}  // namespace

Error CancelledError() { return Error{kCancelled, "the execution was stopped"}; }
bool IsCancelled(const Error& error) { return error.name == kCancelled; }

Error StateRuntimeError(const asl::State& state, int64_t entered_event_id,
                        const Error& error) {
  return Error{error.name,
               fmt::format("An error occurred while executing the state '{}' "
                           "(entered at the event id #{}). {}",
                           state.name, entered_event_id, error.cause)};
}

bool ErrorMatches(const std::vector<std::string>& error_equals,
                  const std::string& name) {
  if (name == error_names::kRuntime || name == kCancelled) return false;
  for (const std::string& e : error_equals) {
    if (e == name) return true;
    if (e == error_names::kAll && name != error_names::kDataLimitExceeded) return true;
    if (e == error_names::kTaskFailed && name != error_names::kTimeout &&
        name != error_names::kDataLimitExceeded) {
      return true;
    }
  }
  return false;
}

Interpreter::Interpreter(Engine& engine)
    : engine_(engine),
      timers_(engine.io(), engine.clock(), engine.options().fake_clock),
      random_(engine.options().random_seed != 0 ? Random(engine.options().random_seed)
                                                : Random::FromEntropy()) {}

Interpreter::~Interpreter() {
  for (auto& [arn, execution] : running_) execution->cancel.Cancel();
  if (pool_) pool_->join();
}

asio::thread_pool& Interpreter::WorkerPool() {
  if (!pool_) {
    pool_ = std::make_unique<asio::thread_pool>(
        static_cast<std::size_t>(std::max(1, engine_.options().worker_threads)));
  }
  return *pool_;
}

StatusOr<history::ExecutionRecord> Interpreter::Start(const StartRequest& request,
                                                      DoneCallback on_done) {
  std::string name = request.name.empty() ? NewUuid() : request.name;
  if (std::string why = CheckResourceName(name); !why.empty()) {
    return InvalidArgumentError(fmt::format("invalid execution name '{}': {}", name, why));
  }
  if (request.input.size() > engine_.options().max_payload_bytes) {
    return InvalidArgumentError(fmt::format(
        "execution input is {} bytes; the limit is {} bytes", request.input.size(),
        engine_.options().max_payload_bytes));
  }
  StatusOr<Json> input = ParseJson(request.input, "execution input");
  if (!input.ok()) return input.status();

  auto execution = std::make_shared<Execution>();
  history::ExecutionRecord& rec = execution->record;
  rec.arn = ExecutionArn(request.machine.name, name);
  rec.name = name;
  rec.state_machine_arn = request.machine.arn;
  rec.state_machine_name = request.machine.name;
  rec.state_machine_version = request.machine.version;
  rec.status = history::ExecutionStatus::kRunning;
  rec.input = DumpJson(*input);
  TimePoint start = engine_.clock().Now();
  rec.start_ms = ToEpochMillis(start);
  Status created = engine_.store().CreateExecution(rec);
  if (!created.ok()) {
    if (created.code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError(fmt::format("execution '{}' already exists", rec.arn));
    }
    return created;
  }
  execution->machine = request.parsed;
  execution->input = std::move(*input);
  execution->on_done = std::move(on_done);
  execution->context = Json{
      {"Execution",
       {{"Id", rec.arn},
        {"Input", execution->input},
        {"Name", name},
        {"RoleArn", request.machine.role_arn},
        {"StartTime", FormatIso8601(start)},
        {"RedriveCount", 0}}},
      {"StateMachine", {{"Id", request.machine.arn}, {"Name", request.machine.name}}},
      {"State", Json::object()}};

  Frame root;
  root.execution = execution.get();
  Emit(root, "ExecutionStarted",
       Json{{"input", rec.input},
            {"inputDetails", {{"truncated", false}}},
            {"roleArn", request.machine.role_arn}});
  execution->next_event_id = root.last_event_id + 1;
  running_[rec.arn] = execution;
  asio::co_spawn(engine_.io(), RunExecution(execution), asio::detached);
  return rec;
}

Status Interpreter::Stop(const std::string& arn, const std::string& error,
                         const std::string& cause) {
  auto it = running_.find(arn);
  if (it == running_.end()) {
    return NotFoundError(fmt::format("execution '{}' is not running", arn));
  }
  Execution& e = *it->second;
  if (e.stop_reason == StopReason::kNone) {
    e.stop_reason = StopReason::kAborted;
    e.stop_error = Error{error, cause};
  }
  e.cancel.Cancel();
  return Status::Ok();
}

Awaitable<void> Interpreter::RunExecution(std::shared_ptr<Execution> execution) {
  Frame root;
  root.execution = execution.get();
  root.machine = execution->machine.get();
  root.cancel = &execution->cancel;
  root.context = execution->context;
  root.last_event_id = 1;
  AttachReplay(root);

  // Top-level TimeoutSeconds: a watchdog that stops the execution. A resumed
  // execution counts from its start, a redriven one from its redrive.
  auto watchdog = std::make_shared<CancelToken>();
  if (auto t = root.machine->timeout_seconds()) {
    const history::ExecutionRecord& rec = execution->record;
    TimePoint from = engine_.clock().Now();
    if (execution->replay != nullptr) {
      from = FromEpochMillis(rec.redrive_count > 0 && rec.redrive_ms ? *rec.redrive_ms
                                                                       : rec.start_ms);
    }
    TimePoint deadline = from + std::chrono::seconds(*t);
    asio::co_spawn(engine_.io(),
                   SleepThen(timers_, deadline, watchdog,
                             [execution] {
                               if (execution->stop_reason == StopReason::kNone) {
                                 execution->stop_reason = StopReason::kTimedOut;
                                 execution->stop_error = Error{
                                     error_names::kTimeout, "The execution timed out."};
                               }
                               execution->cancel.Cancel();
                             }),
                   asio::detached);
  }

  Outcome outcome = co_await RunStates(root, execution->input);
  watchdog->Cancel();
  FinishExecution(*execution, outcome);
}

void Interpreter::FinishExecution(Execution& execution, const Outcome& outcome) {
  execution.replay.reset();
  Frame root;
  root.execution = &execution;
  root.last_event_id = execution.next_event_id - 1;
  history::ExecutionRecord& rec = execution.record;
  if (!execution.replay_error.empty()) {
    // The recorded history does not fit the definition: record no end; the
    // execution stays RUNNING for a later resume (or a stop).
    FlushEvents(execution);
    (void)engine_.store().Sync();
    rec.error = "mlflowctl.ReplayMismatch";
    rec.cause = execution.replay_error;
    auto keep = running_[rec.arn];
    running_.erase(rec.arn);
    if (execution.on_done) execution.on_done(rec);
    return;
  }
  rec.stop_ms = ToEpochMillis(engine_.clock().Now());
  if (execution.stop_reason != StopReason::kNone) {
    const Error& e = execution.stop_error;
    bool timed_out = execution.stop_reason == StopReason::kTimedOut;
    rec.status = timed_out ? history::ExecutionStatus::kTimedOut
                           : history::ExecutionStatus::kAborted;
    rec.error = e.name;
    rec.cause = e.cause;
    Json details = Json::object();
    if (!e.name.empty()) details["error"] = e.name;
    if (!e.cause.empty()) details["cause"] = e.cause;
    Emit(root, timed_out ? "ExecutionTimedOut" : "ExecutionAborted", std::move(details));
  } else if (outcome.failed()) {
    rec.status = history::ExecutionStatus::kFailed;
    rec.error = outcome.error->name;
    rec.cause = outcome.error->cause;
    Emit(root, "ExecutionFailed",
         Json{{"error", outcome.error->name}, {"cause", outcome.error->cause}});
  } else {
    rec.status = history::ExecutionStatus::kSucceeded;
    rec.output = DumpJson(outcome.output);
    Emit(root, "ExecutionSucceeded",
         Json{{"output", *rec.output}, {"outputDetails", {{"truncated", false}}}});
  }
  const bool stopped_before_flush = execution.stop_reason != StopReason::kNone;
  FlushEvents(execution);
  std::string store_error;
  if (!stopped_before_flush && execution.stop_reason != StopReason::kNone) {
    // The last events could not be recorded (e.g. the disk is full): record
    // no end either, or the store would hold an end without its history.
    store_error = execution.stop_error.cause;
  } else {
    Status s = engine_.store().UpdateExecution(rec);
    if (s.ok()) s = engine_.store().Sync();
    if (!s.ok()) store_error = s.ToString();
  }
  if (!store_error.empty()) {
    // The end could not be made durable; the execution stays RUNNING in the
    // store and is resumed later. Report the store error to the caller.
    rec.status = history::ExecutionStatus::kRunning;
    rec.error = "mlflowctl.StoreError";
    rec.cause = store_error;
  }
  auto keep = running_[rec.arn];  // keep alive through the callback
  running_.erase(rec.arn);
  if (execution.on_done) execution.on_done(rec);
}

Awaitable<Outcome> Interpreter::RunStates(Frame& frame, Json input) {
  const asl::StateMachine& machine = *frame.machine;
  int index = machine.start_at();
  Json data = std::move(input);
  const int64_t max_events = engine_.options().max_history_events;
  if (frame.inherit_from != nullptr) {
    frame.context = frame.inherit_from->context;
    frame.variables = frame.inherit_from->variables;
    frame.inherit_from = nullptr;
  }
  // DumpJson(data) when already known: a state's output text is the next
  // state's input text.
  std::optional<std::string> data_text;
  while (true) {
    if (AbortedHere(frame)) {
      co_await AwaitCancel(*frame.cancel);
      co_return Outcome{{}, CancelledError()};
    }
    if (Cancelled(frame)) co_return Outcome{{}, CancelledError()};
    if (max_events > 0 && frame.execution->next_event_id > max_events) {
      co_return Outcome{{}, Error{error_names::kRuntime,
                                  fmt::format("The execution reached the maximum "
                                              "number of history events ({}).",
                                              max_events)}};
    }
    const asl::State& state = machine.state(index);
    EnterStateContext(frame, state);
    // One serialisation serves the payload limit and the event.
    std::string input_text = data_text ? std::move(*data_text) : DumpJson(data);
    data_text.reset();
    if (auto e = CheckPayloadSize(state, input_text.size(), "input")) {
      co_return Outcome{{}, *e};
    }
    const history::HistoryEvent* entered =
        Emit(frame, EnteredEvent(state.type),
             StateEventDetails(state.name, "input", std::move(input_text)));
    frame.entered_event_id = frame.last_event_id;
    frame.entered_ms = frame.last_event_ms;
    frame.entered_replayed = entered != nullptr;
    if (entered != nullptr) {
      // $$.State.EnteredTime as recorded.
      frame.context["State"]["EnteredTime"] =
          FormatIso8601(FromEpochMillis(entered->timestamp_ms));
    }

    StepOutcome step = co_await RunState(frame, state, data);
    if (step.error && !IsCancelled(*step.error) && !Cancelled(frame)) {
      // ASL Catch: catchers are tried in order; the first match wins.
      const asl::Catcher* catcher = nullptr;
      for (const asl::Catcher& c : state.catch_) {
        if (ErrorMatches(c.error_equals, step.error->name)) {
          catcher = &c;
          break;
        }
      }
      if (catcher != nullptr) {
        Json error_output{{"Error", step.error->name}, {"Cause", step.error->cause}};
        Json assigned;
        if (auto e = Assign(frame, catcher->assign, error_output, &assigned)) {
          co_return Outcome{{}, StateRuntimeError(state, frame.entered_event_id, *e)};
        }
        Value merged = path::ApplyResultPath(catcher->result_path, data, error_output);
        if (auto* e = std::get_if<Error>(&merged)) {
          co_return Outcome{{}, StateRuntimeError(state, frame.entered_event_id, *e)};
        }
        step = StepOutcome{std::get<Json>(std::move(merged)), catcher->next, false, {}};
      }
    }
    if (step.error) co_return Outcome{{}, *step.error};
    std::string output_text = DumpJson(step.output);
    if (auto e = CheckPayloadSize(state, output_text.size(), "output")) {
      co_return Outcome{{}, *e};
    }

    if (state.type != asl::StateType::kFail) {
      // Replay: the recorded output stands, so values that differ from run
      // to run (States.UUID, times) stay as they were.
      const history::HistoryEvent* next = PeekRecorded(frame);
      bool recorded_output = false;
      if (next != nullptr && next->type == ExitedEvent(state.type)) {
        auto it = next->details.find("output");
        if (it != next->details.end() && it->is_string()) {
          StatusOr<Json> recorded = ParseJson(it->get<std::string>(), "recorded output");
          if (recorded.ok()) {
            step.output = std::move(*recorded);
            output_text = it->get<std::string>();
            recorded_output = true;
          }
        }
      }
      if (!recorded_output && !step.end && step.next != asl::kNoState) data_text = output_text;
      Emit(frame, ExitedEvent(state.type),
           StateEventDetails(state.name, "output", std::move(output_text)));
    }
    if (step.end || step.next == asl::kNoState) co_return Outcome{std::move(step.output), {}};
    data = std::move(step.output);
    index = step.next;
  }
}

Awaitable<StepOutcome> Interpreter::RunState(Frame& frame, const asl::State& state,
                                             const Json& input) {
  switch (state.type) {
    case asl::StateType::kPass: co_return RunPass(frame, state, input);
    case asl::StateType::kChoice: co_return RunChoice(frame, state, input);
    case asl::StateType::kWait: co_return co_await RunWait(frame, state, input);
    case asl::StateType::kFail: co_return RunFail(frame, state, input);
    case asl::StateType::kTask: co_return co_await RunTask(frame, state, input);
    case asl::StateType::kParallel: co_return co_await RunParallel(frame, state, input);
    case asl::StateType::kMap: co_return co_await RunMap(frame, state, input);
    case asl::StateType::kSucceed: {
      Value v = SelectPath(frame, state.input_path, input, "InputPath");
      if (auto* e = std::get_if<Error>(&v)) {
        StepOutcome out;
        out.error = StateRuntimeError(state, frame.entered_event_id, *e);
        co_return out;
      }
      co_return Leave(frame, state, std::get<Json>(std::move(v)));
    }
  }
  co_return StepOutcome{};
}

StepOutcome Interpreter::RunPass(Frame& frame, const asl::State& state,
                                 const Json& input) {
  StepOutcome out;
  Value selected;
  const Json* effective =
      SelectPathRef(frame, state.input_path, input, "InputPath", selected);
  if (effective == nullptr) {
    out.error = StateRuntimeError(state, frame.entered_event_id,
                                  std::get<Error>(selected));
    return out;
  }
  Json result;
  if (state.result) {
    result = *state.result;
  } else if (state.parameters) {
    Value p = EvalTemplate(frame, *state.parameters, *effective);
    if (auto* e = std::get_if<Error>(&p)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      return out;
    }
    result = std::get<Json>(std::move(p));
  } else {
    result = *effective;
  }
  if (state.assign) {
    Json assigned;
    if (auto e = Assign(frame, state.assign, *effective, &assigned)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      return out;
    }
  }
  Value merged = path::ApplyResultPath(state.result_path, input, std::move(result));
  if (auto* e = std::get_if<Error>(&merged)) {
    out.error = StateRuntimeError(state, frame.entered_event_id, *e);
    return out;
  }
  return Leave(frame, state, std::get<Json>(std::move(merged)));
}

StepOutcome Interpreter::RunChoice(Frame& frame, const asl::State& state,
                                   const Json& input) {
  StepOutcome out;
  Value selected;
  const Json* effective =
      SelectPathRef(frame, state.input_path, input, "InputPath", selected);
  if (effective == nullptr) {
    out.error = StateRuntimeError(state, frame.entered_event_id,
                                  std::get<Error>(selected));
    return out;
  }
  const Json& data = *effective;
  path::Scope scope = ScopeOf(frame, data);
  const asl::ChoiceRule* matched = nullptr;
  for (const asl::ChoiceRule& rule : state.choices) {
    std::variant<bool, Error> r = rule.Evaluate(scope);
    if (auto* e = std::get_if<Error>(&r)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      return out;
    }
    if (std::get<bool>(r)) {
      matched = &rule;
      break;
    }
  }
  if (matched == nullptr && state.default_next == asl::kNoState) {
    out.error = Error{error_names::kNoChoiceMatched,
                      fmt::format("No Matches! for state '{}'", state.name)};
    return out;
  }
  Json assigned;
  // Both the state's and the matched rule's Assign see the same variables.
  if (auto e = Assign(frame, matched != nullptr ? matched->assign : state.assign,
                      data, &assigned)) {
    out.error = StateRuntimeError(state, frame.entered_event_id, *e);
    return out;
  }
  out = Leave(frame, state, effective == &input ? Json(data)
                                               : std::get<Json>(std::move(selected)));
  out.next = matched != nullptr ? matched->next : state.default_next;
  return out;
}

Awaitable<StepOutcome> Interpreter::RunWait(Frame& frame, const asl::State& state,
                                            const Json& input) {
  StepOutcome out;
  auto fail = [&](const Error& e) {
    out.error = StateRuntimeError(state, frame.entered_event_id, e);
  };
  Value effective = SelectPath(frame, state.input_path, input, "InputPath");
  if (auto* e = std::get_if<Error>(&effective)) {
    fail(*e);
    co_return out;
  }
  const Json& data = std::get<Json>(effective);
  // A replayed Wait counts from its recorded entry, so a resumed Wait does
  // not start its whole duration again.
  TimePoint now = frame.entered_replayed ? FromEpochMillis(frame.entered_ms)
                                         : engine_.clock().Now();
  TimePoint deadline = now;
  path::Scope scope = ScopeOf(frame, data);
  if (state.wait_seconds) {
    deadline = now + std::chrono::duration_cast<TimePoint::duration>(
                         std::chrono::duration<double>(*state.wait_seconds));
  } else if (state.wait_seconds_path) {
    path::Selection selected = state.wait_seconds_path->Evaluate(scope);
    if (selected.error) {
      fail(*selected.error);
      co_return out;
    }
    const std::optional<Json>& v = selected.value;
    if (!v || !v->is_number() || v->get<double>() < 0) {
      fail(Error{error_names::kRuntime,
                 fmt::format("The SecondsPath parameter does not reference a valid "
                             "non-negative integer value: '{}'",
                             state.wait_seconds_path->text())});
      co_return out;
    }
    deadline = now + std::chrono::duration_cast<TimePoint::duration>(
                         std::chrono::duration<double>(v->get<double>()));
  } else {
    std::optional<std::string> text = state.wait_timestamp;
    if (state.wait_timestamp_path) {
      path::Selection selected = state.wait_timestamp_path->Evaluate(scope);
      if (selected.error) {
        fail(*selected.error);
        co_return out;
      }
      const std::optional<Json>& v = selected.value;
      if (v && v->is_string()) text = v->get<std::string>();
    }
    std::optional<TimePoint> t;
    if (text) t = ParseIso8601(*text);
    if (!t) {
      fail(Error{error_names::kRuntime,
                 fmt::format("The TimestampPath parameter does not reference a valid "
                             "ISO-8601 extended offset date-time format string: '{}'",
                             state.wait_timestamp_path ? state.wait_timestamp_path->text()
                                                       : text.value_or(""))});
      co_return out;
    }
    deadline = *t;
  }
  if (!Replaying(frame)) {  // else its exit is recorded: the wait was over
    if (AbortedHere(frame)) {
      co_await AwaitCancel(*frame.cancel);
      out.error = CancelledError();
      co_return out;
    }
    // A timer is a side effect: its start is durable before it sleeps.
    if (deadline > engine_.clock().Now()) SyncOrStop(*frame.execution);
    // (gcc 12 miscompiles co_await inside an if condition: keep it apart.)
    bool reached = co_await timers_.SleepUntil(deadline, *frame.cancel);
    if (!reached) {
      out.error = CancelledError();
      co_return out;
    }
  }
  if (state.assign) {
    Json assigned;
    if (auto e = Assign(frame, state.assign, data, &assigned)) {
      fail(*e);
      co_return out;
    }
  }
  co_return Leave(frame, state, data);
}

StepOutcome Interpreter::RunFail(Frame& frame, const asl::State& state,
                                 const Json& input) {
  StepOutcome out;
  Error error{state.error.value_or(""), state.cause.value_or("")};
  path::Scope scope = ScopeOf(frame, input);
  auto eval = [&](const path::ValueExpr& expr, const char* field,
                  std::string& target) -> bool {
    std::variant<Json, Error> v = expr.Evaluate(scope, random_, field);
    if (auto* e = std::get_if<Error>(&v)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      return false;
    }
    const Json& j = std::get<Json>(v);
    if (!j.is_string()) {
      out.error = StateRuntimeError(
          state, frame.entered_event_id,
          Error{error_names::kRuntime,
                fmt::format("The {} '{}' did not resolve to a string value.", field,
                            expr.text())});
      return false;
    }
    target = j.get<std::string>();
    return true;
  };
  if (state.error_path && !eval(*state.error_path, "ErrorPath", error.name)) return out;
  if (state.cause_path && !eval(*state.cause_path, "CausePath", error.cause)) return out;
  out.error = std::move(error);
  return out;
}

}  // namespace mlflowctl::runtime
