// Interpreter: Task states and the Retry loop shared by Task, Parallel, Map.
#include <chrono>
#include <exception>

#include <fmt/format.h>

#include "engine/runtime/interpreter.h"
#include "engine/runtime/retry_backoff.h"
#include "engine/runtime/signal.h"

namespace mlflowctl::runtime {

namespace {

// Splits a Resource as Step Functions reports it in task events:
// "arn:aws:states:::lambda:invoke" -> ("lambda", "invoke"),
// "arn:aws:states:::aws-sdk:ssm:putParameter" -> ("aws-sdk:ssm", "putParameter"),
// "arn:aws:lambda:us-east-1:1:function:f" -> ("lambda", the ARN),
// "mlflowctl:command" -> ("mlflowctl", "command").
std::pair<std::string, std::string> SplitResource(const std::string& resource) {
  const std::string states_prefix = "arn:aws:states:::";
  if (resource.rfind(states_prefix, 0) == 0) {
    std::string rest = resource.substr(states_prefix.size());
    auto last = rest.rfind(':');
    if (last == std::string::npos) return {rest, rest};
    return {rest.substr(0, last), rest.substr(last + 1)};
  }
  if (resource.rfind("arn:aws:", 0) == 0) {
    std::string rest = resource.substr(8);
    return {rest.substr(0, rest.find(':')), resource};
  }
  auto colon = resource.find(':');
  if (colon == std::string::npos) return {resource, resource};
  return {resource.substr(0, colon), resource.substr(colon + 1)};
}

}  // namespace

Awaitable<Value> Interpreter::WithRetry(Frame& frame, const asl::State& state,
                                        Attempt attempt) {
  std::vector<int> retries(state.retry.size(), 0);
  int total = 0;
  while (true) {
    frame.context["State"]["RetryCount"] = total;
    Value v = co_await attempt(frame, total);
    if (!std::holds_alternative<Error>(v)) co_return v;
    const Error& error = std::get<Error>(v);
    if (IsCancelled(error) || Cancelled(frame)) co_return CancelledError();
    // ASL Retry: retriers are tried in order; the first match is used, and
    // when its MaxAttempts are used up the error goes on to Catch.
    std::size_t i = 0;
    for (; i < state.retry.size(); ++i) {
      if (ErrorMatches(state.retry[i].error_equals, error.name)) break;
    }
    if (i == state.retry.size() || retries[i] >= state.retry[i].max_attempts) co_return v;
    double delay = RetryDelaySeconds(state.retry[i], retries[i], random_);
    ++retries[i];
    ++total;
    // Replay: the next attempt is recorded, so its interval was over.
    if (Replaying(frame)) continue;
    if (AbortedHere(frame)) {
      co_await AwaitCancel(*frame.cancel);
      co_return CancelledError();
    }
    // The interval counts from the failure, also when that was recorded.
    TimePoint from = frame.last_replayed ? FromEpochMillis(frame.last_event_ms)
                                         : engine_.clock().Now();
    TimePoint deadline = from + std::chrono::duration_cast<TimePoint::duration>(
                                    std::chrono::duration<double>(delay));
    bool reached = co_await timers_.SleepUntil(deadline, *frame.cancel);
    if (!reached) co_return CancelledError();
  }
}

Awaitable<StepOutcome> Interpreter::RunTask(Frame& frame, const asl::State& state,
                                            const Json& input) {
  StepOutcome out;
  Value effective = SelectPath(frame, state.input_path, input, "InputPath");
  if (auto* e = std::get_if<Error>(&effective)) {
    out.error = StateRuntimeError(state, frame.entered_event_id, *e);
    co_return out;
  }
  Json data = std::get<Json>(std::move(effective));
  Value result = co_await WithRetry(
      frame, state, [&](Frame& f, int attempt) -> Awaitable<Value> {
        // Parameters are evaluated per attempt: $$.State.RetryCount changes.
        Json parameters = data;
        if (state.parameters) {
          Value p = EvalTemplate(f, *state.parameters, data);
          if (auto* e = std::get_if<Error>(&p)) {
            co_return StateRuntimeError(state, f.entered_event_id, *e);
          }
          parameters = std::get<Json>(std::move(p));
        }
        co_return co_await InvokeTask(f, state, parameters, attempt);
      });
  if (auto* e = std::get_if<Error>(&result)) {
    out.error = *e;
    co_return out;
  }
  co_return FinishWithResult(frame, state, input, std::get<Json>(std::move(result)));
}

Awaitable<Value> Interpreter::InvokeTask(Frame& frame, const asl::State& state,
                                         const Json& parameters, int attempt) {
  Execution& execution = *frame.execution;
  auto [resource_type, resource] = SplitResource(state.resource);

  Value timeout = ResolveInt(frame, state.timeout_seconds, parameters, "TimeoutSecondsPath");
  if (auto* e = std::get_if<Error>(&timeout)) {
    co_return StateRuntimeError(state, frame.entered_event_id, *e);
  }
  Value heartbeat =
      ResolveInt(frame, state.heartbeat_seconds, parameters, "HeartbeatSecondsPath");
  if (auto* e = std::get_if<Error>(&heartbeat)) {
    co_return StateRuntimeError(state, frame.entered_event_id, *e);
  }
  const Json& timeout_j = std::get<Json>(timeout);
  const Json& heartbeat_j = std::get<Json>(heartbeat);

  Json scheduled{{"resourceType", resource_type},
                 {"resource", resource},
                 {"region", "us-east-1"},
                 {"parameters", DumpJson(parameters)}};
  if (!timeout_j.is_null()) scheduled["timeoutInSeconds"] = timeout_j;
  if (!heartbeat_j.is_null()) scheduled["heartbeatInSeconds"] = heartbeat_j;
  const history::HistoryEvent* scheduled_rec =
      Emit(frame, "TaskScheduled", std::move(scheduled));

  TaskHandler* handler = engine_.resources().Find(state.resource);
  if (handler == nullptr) {
    Error error{error_names::kRuntime,
                fmt::format("The resource '{}' is not known. Known resources: {}",
                            state.resource,
                            fmt::join(engine_.resources().Names(), ", "))};
    co_return StateRuntimeError(state, frame.entered_event_id, error);
  }
  const history::HistoryEvent* next = PeekRecorded(frame);
  if (next == nullptr || next->type != "TaskStarted") {
    if (AbortedHere(frame)) {
      co_await AwaitCancel(*frame.cancel);
      co_return CancelledError();
    }
    // The side effect starts only once its scheduling is durable.
    if (Status s = Sync(execution); !s.ok()) {
      co_return Error{"mlflowctl.StoreError", s.ToString()};
    }
  }
  const history::HistoryEvent* started_rec = Emit(
      frame, "TaskStarted", Json{{"resourceType", resource_type}, {"resource", resource}});
  const Json* input = &parameters;
  Json recorded_parameters;
  if (started_rec != nullptr) {
    // Replay: a recorded result stands for the invocation.
    next = PeekRecorded(frame);
    if (next != nullptr && next->type == "TaskSucceeded") {
      Emit(frame, "TaskSucceeded", Json());
      StatusOr<Json> output =
          ParseJson(next->details.value("output", std::string("null")), "recorded output");
      if (!output.ok()) co_return Error{error_names::kRuntime, output.status().ToString()};
      co_return std::move(*output);
    }
    if (next != nullptr && (next->type == "TaskFailed" || next->type == "TaskTimedOut")) {
      Error error{next->details.value("error", std::string()),
                  next->details.value("cause", std::string())};
      Emit(frame, next->type.c_str(), Json());
      co_return error;
    }
    if (AbortedHere(frame)) {
      co_await AwaitCancel(*frame.cancel);
      co_return CancelledError();
    }
    if (next != nullptr) {
      ReplayMismatch(frame, *next, "a result of the task");
      co_return CancelledError();
    }
  }
  if (scheduled_rec != nullptr) {
    // The task was running when the process ended: it runs again (at least
    // once), with the parameters it was scheduled with.
    StatusOr<Json> p = ParseJson(
        scheduled_rec->details.value("parameters", std::string("null")), "recorded parameters");
    if (p.ok()) {
      recorded_parameters = std::move(*p);
      input = &recorded_parameters;
    }
  }
  if (Cancelled(frame)) co_return CancelledError();

  struct Shared {
    explicit Shared(asio::io_context& io) : done(io) {}
    std::atomic<bool> cancelled{false};
    std::optional<StepResult> result;
    bool timed_out = false;
    bool heartbeat = false;
    Signal done;
  };
  auto shared = std::make_shared<Shared>(engine_.io());
  TaskRequest request;
  request.resource = state.resource;
  request.input = *input;
  request.execution_arn = execution.record.arn;
  request.state_name = state.name;
  request.task_token = fmt::format("{}#{}#{}", execution.record.arn,
                                   frame.entered_event_id, attempt);
  request.attempt = attempt;
  if (!timeout_j.is_null()) request.timeout_seconds = timeout_j.get<int64_t>();
  request.cancelled = &shared->cancelled;

  ++tasks_in_flight_;
  asio::post(WorkerPool(), [this, handler, request = std::move(request), shared]() mutable {
    StepResult r;
    try {
      r = handler->Invoke(request);
    } catch (const std::exception& e) {
      r = Error{error_names::kTaskFailed, e.what()};
    } catch (...) {
      r = Error{error_names::kTaskFailed, "unknown exception in task handler"};
    }
    asio::post(engine_.io(), [this, shared, r = std::move(r)]() mutable {
      --tasks_in_flight_;
      if (!shared->result) shared->result = std::move(r);
      shared->done.Notify();
    });
  });

  // Timeouts: TimeoutSeconds and HeartbeatSeconds (handlers here send no
  // heartbeats, so a heartbeat interval bounds the whole task too).
  auto watchdog = std::make_shared<CancelToken>();
  auto arm = [&](int64_t seconds, bool is_heartbeat) {
    TimePoint deadline = engine_.clock().Now() + std::chrono::seconds(seconds);
    asio::co_spawn(engine_.io(),
                   SleepThen(timers_, deadline, watchdog,
                             [shared, is_heartbeat] {
                               if (shared->result) return;
                               shared->timed_out = true;
                               shared->heartbeat = is_heartbeat;
                               shared->cancelled = true;
                               shared->done.Notify();
                             }),
                   asio::detached);
  };
  if (!timeout_j.is_null()) arm(timeout_j.get<int64_t>(), false);
  if (!heartbeat_j.is_null()) arm(heartbeat_j.get<int64_t>(), true);
  int reg = frame.cancel->Register([shared] {
    shared->cancelled = true;
    shared->done.Notify();
  });

  co_await shared->done.Wait();
  frame.cancel->Unregister(reg);
  watchdog->Cancel();

  if (frame.cancel->cancelled()) co_return CancelledError();
  if (shared->timed_out) {
    Error error{shared->heartbeat ? error_names::kHeartbeatTimeout : error_names::kTimeout,
                ""};
    Emit(frame, "TaskTimedOut",
         Json{{"resourceType", resource_type}, {"resource", resource},
              {"error", error.name}, {"cause", error.cause}});
    SyncOrStop(execution);  // results are durable promptly
    co_return error;
  }
  StepResult& r = *shared->result;
  if (auto* e = std::get_if<Error>(&r)) {
    Emit(frame, "TaskFailed",
         Json{{"resourceType", resource_type}, {"resource", resource},
              {"error", e->name}, {"cause", e->cause}});
    SyncOrStop(execution);
    co_return *e;
  }
  Json& output = std::get<Json>(r);
  Emit(frame, "TaskSucceeded",
       Json{{"resourceType", resource_type}, {"resource", resource},
            {"output", DumpJson(output)}, {"outputDetails", {{"truncated", false}}}});
  // A succeeded task is not run again once its result is durable; syncing
  // here keeps the window in which a crash loses it small.
  SyncOrStop(execution);
  co_return std::move(output);
}

}  // namespace mlflowctl::runtime
