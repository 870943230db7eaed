// The execution actions of StepFunctionsApi: StartExecution,
// StartSyncExecution, StopExecution, RedriveExecution, DescribeExecution and
// DescribeStateMachineForExecution.
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "engine/base/ids.h"
#include "server/api/arn.h"
#include "server/api/request_reader.h"
#include "server/api/shapes.h"
#include "server/api/step_functions_api.h"

namespace mlflowctl::api {

namespace {

// StartExecution's input: SensitiveData has no length in the model; the
// payload quota is 256 KiB, reported as InvalidExecutionInput.
constexpr std::size_t kMaxInputBytes = 256 * 1024;

ApiResult InvalidInput(const std::string& why) {
  return ApiResult::Fail("InvalidExecutionInput",
                         fmt::format("Invalid State Machine Execution Input: '{}'", why));
}

}  // namespace

StepFunctionsApi::Started StepFunctionsApi::Start(const Json& request, bool sync, Waiter waiter) {
  Started out;
  RequestReader in(request);
  std::string machine_arn = in.RequiredString("stateMachineArn", kArnLimits);
  std::optional<std::string> name = in.OptionalString("name");
  std::string input = in.OptionalString("input").value_or("{}");
  // traceHeader is accepted and ignored (no X-Ray here).
  in.OptionalString("traceHeader", {0, 256});
  if (auto e = in.Error()) {
    out.error = ApiResult::Fail(*e);
    return out;
  }
  if (auto e = CheckStateMachineArn(machine_arn)) {
    out.error = ApiResult::Fail(*e);
    return out;
  }
  if (name) {
    if (std::string why = CheckResourceName(*name); !why.empty()) {
      out.error = ApiResult::Fail("InvalidName", fmt::format("Invalid Name: '{}'", *name));
      return out;
    }
  }
  if (input.size() > kMaxInputBytes) {
    out.error = InvalidInput(fmt::format("Input is {} bytes, more than the {} bytes allowed",
                                         input.size(), kMaxInputBytes));
    return out;
  }
  StatusOr<Json> parsed_input = ParseJson(input);
  if (!parsed_input.ok()) {
    out.error = InvalidInput(parsed_input.status().message());
    return out;
  }
  std::optional<ApiResult> error;
  StatusOr<history::StateMachineRecord> machine = GetMachine(machine_arn, error);
  if (error) {
    out.error = std::move(error);
    return out;
  }
  if (shutting_down_ && sync) {
    out.error = ApiResult::Fail("ServiceUnavailable", "The server is shutting down", 503);
    return out;
  }

  const std::string execution_name = name.value_or(NewUuid());
  const std::string execution_arn = ExecutionArn(machine->name, execution_name);
  if (name) {
    StatusOr<history::ExecutionRecord> existing = store_.GetExecution(execution_arn);
    if (existing.ok()) {
      // AWS: StartExecution of a STANDARD machine is idempotent: the same
      // name and input as a RUNNING execution returns that execution; a
      // closed execution or a different input is ExecutionAlreadyExists.
      // (StartSyncExecution, for EXPRESS machines, is never idempotent.)
      if (!sync && existing->status == history::ExecutionStatus::kRunning &&
          existing->input == DumpJson(*parsed_input)) {
        out.record = *existing;
        return out;
      }
      out.error = ApiResult::Fail("ExecutionAlreadyExists",
                                  fmt::format("Execution Already Exists: '{}'", execution_arn));
      return out;
    }
    if (existing.status().code() != StatusCode::kNotFound) {
      out.error = InternalFailure(existing.status());
      return out;
    }
  }
  std::shared_ptr<const asl::StateMachine> parsed = Parsed(*machine);
  if (parsed == nullptr) {
    out.error = ApiResult::Fail("InvalidDefinition",
                                fmt::format("Invalid State Machine Definition: the stored "
                                            "definition of '{}' does not parse",
                                            machine->arn));
    return out;
  }

  // The waiter is registered first: the engine may finish a short execution
  // before StartExecution returns.
  const bool waiter_registered = static_cast<bool>(waiter);
  if (waiter_registered) AddWaiter(execution_arn, std::move(waiter));
  runtime::StartRequest start;
  start.machine = *machine;
  start.parsed = std::move(parsed);
  start.name = execution_name;
  start.input = input;
  StatusOr<history::ExecutionRecord> started = engine_.StartExecution(start, DoneNotifier());
  if (!started.ok()) {
    if (waiter_registered) RemoveLastWaiter(execution_arn);
    switch (started.status().code()) {
      case StatusCode::kAlreadyExists:
        out.error = ApiResult::Fail("ExecutionAlreadyExists",
                                    fmt::format("Execution Already Exists: '{}'", execution_arn));
        break;
      case StatusCode::kInvalidArgument:
        out.error = InvalidInput(started.status().message());
        break;
      default:
        out.error = InternalFailure(started.status());
    }
    return out;
  }
  out.record = *started;
  return out;
}

void StepFunctionsApi::StartExecution(const Json& request, ReplyFn reply) {
  Started s = Start(request, /*sync=*/false, nullptr);
  if (s.error) return reply(s.error->ToReply());
  reply(ApiResult::Ok(Json{{"executionArn", s.record.arn},
                           {"startDate", EpochSeconds(s.record.start_ms)}})
            .ToReply());
}

void StepFunctionsApi::StartSyncExecution(const Json& request, ReplyFn reply) {
  // AWS runs StartSyncExecution for EXPRESS machines only
  // (StateMachineTypeNotSupported otherwise); locally STANDARD machines are
  // accepted too, so a pipeline can be run and awaited in one call.
  auto shared_reply = std::make_shared<ReplyFn>(std::move(reply));
  Waiter waiter = [shared_reply](const history::ExecutionRecord* record) {
    if (record == nullptr) {
      (*shared_reply)(ApiResult::Fail("ServiceUnavailable",
                                      "The server is shutting down; the execution stays RUNNING "
                                      "and resumes when the server starts again",
                                      503)
                          .ToReply());
      return;
    }
    if (record->status == history::ExecutionStatus::kRunning) {
      // The engine could not make the end durable (a store error).
      (*shared_reply)(ApiResult::Fail("InternalFailure", record->cause.value_or("store error"),
                                      500)
                          .ToReply());
      return;
    }
    (*shared_reply)(ApiResult::Ok(SyncExecutionShape(*record)).ToReply());
  };
  Started s = Start(request, /*sync=*/true, std::move(waiter));
  if (s.error) return (*shared_reply)(s.error->ToReply());
  // The reply comes from the waiter when the execution ends.
}

void StepFunctionsApi::StopExecution(const Json& request, ReplyFn reply) {
  RequestReader in(request);
  std::string arn = in.RequiredString("executionArn", kArnLimits);
  std::string error = in.OptionalString("error", {0, 256}).value_or("");
  std::string cause = in.OptionalString("cause", {0, 32768}).value_or("");
  if (auto e = in.Error()) return reply(ApiResult::Fail(*e).ToReply());
  if (auto e = CheckExecutionArn(arn)) return reply(ApiResult::Fail(*e).ToReply());
  std::optional<ApiResult> lookup_error;
  StatusOr<history::ExecutionRecord> r = GetExecution(arn, lookup_error);
  if (lookup_error) return reply(lookup_error->ToReply());

  auto answer = [](int64_t stop_ms) {
    return ApiResult::Ok(Json{{"stopDate", EpochSeconds(stop_ms)}}).ToReply();
  };
  if (r->status != history::ExecutionStatus::kRunning) {
    // Already closed: nothing to stop; the recorded stop date is returned.
    return reply(answer(r->stop_ms.value_or(NowMs())));
  }
  if (!engine_.IsRunning(arn)) {
    // RUNNING in the store but not here (it could not be resumed): claim it
    // (it must not run in another live process) and record the abort
    // directly.
    StatusOr<history::ExecutionRecord> claimed =
        store_.ClaimExecution(arn, /*redrive=*/false, NowMs());
    if (!claimed.ok()) {
      if (claimed.status().code() == StatusCode::kFailedPrecondition) {
        return reply(ApiResult::Fail("ValidationException",
                                     fmt::format("Cannot stop '{}' here: {}", arn,
                                                 claimed.status().message()))
                         .ToReply());
      }
      return reply(InternalFailure(claimed.status()).ToReply());
    }
    StatusOr<history::ExecutionRecord> aborted = AbortInStore(*claimed, error, cause);
    if (!aborted.ok()) return reply(InternalFailure(aborted.status()).ToReply());
    return reply(answer(aborted->stop_ms.value_or(NowMs())));
  }

  // Answer once the ExecutionAborted event is recorded, so a
  // DescribeExecution that follows sees ABORTED; or after stop_wait if the
  // execution cannot be interrupted that fast (a task running on the pool).
  struct Pending {
    ReplyFn reply;
    bool done = false;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  auto pending = std::make_shared<Pending>();
  pending->reply = std::move(reply);
  pending->timer = std::make_unique<boost::asio::steady_timer>(engine_.io());
  const Clock* clock = &clock_;
  auto finish = [pending, answer, clock](std::optional<int64_t> stop_ms) {
    if (pending->done) return;
    pending->done = true;
    pending->timer->cancel();
    pending->reply(answer(stop_ms.value_or(ToEpochMillis(clock->Now()))));
  };
  AddWaiter(arn, [finish](const history::ExecutionRecord* record) {
    finish(record != nullptr ? record->stop_ms : std::nullopt);
  });
  Status s = engine_.StopExecution(arn, error, cause);
  if (!s.ok()) {
    // It ended between the lookup and the stop: report its end.
    StatusOr<history::ExecutionRecord> now = store_.GetExecution(arn);
    finish(now.ok() ? now->stop_ms : std::nullopt);
    return;
  }
  if (pending->done) return;
  pending->timer->expires_after(options_.stop_wait);
  pending->timer->async_wait([finish](const boost::system::error_code& ec) {
    if (!ec) finish(std::nullopt);
  });
}

StatusOr<history::ExecutionRecord> StepFunctionsApi::AbortInStore(history::ExecutionRecord record,
                                                                  const std::string& error,
                                                                  const std::string& cause) {
  history::HistoryQuery last;
  last.reverse = true;
  last.limit = 1;
  StatusOr<std::vector<history::HistoryEvent>> events = store_.GetHistory(record.arn, last);
  if (!events.ok()) return events.status();
  int64_t last_id = events->empty() ? 0 : events->front().id;
  const int64_t now = NowMs();
  history::HistoryEvent aborted;
  aborted.id = last_id + 1;
  aborted.previous_event_id = last_id;
  aborted.timestamp_ms = now;
  aborted.type = "ExecutionAborted";
  aborted.details = Json::object();
  if (!error.empty()) aborted.details["error"] = error;
  if (!cause.empty()) aborted.details["cause"] = cause;
  Status s = store_.AppendEvents(record.arn, {aborted});
  if (!s.ok()) return s;
  record.status = history::ExecutionStatus::kAborted;
  record.stop_ms = now;
  record.error = error;
  record.cause = cause;
  s = store_.UpdateExecution(record);
  if (s.ok()) s = store_.Sync();
  if (!s.ok()) return s;
  return record;
}

ApiResult StepFunctionsApi::RedriveExecution(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("executionArn", kArnLimits);
  in.OptionalString("clientToken", {1, 64});
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckExecutionArn(arn)) return ApiResult::Fail(*e);
  std::optional<ApiResult> error;
  StatusOr<history::ExecutionRecord> r = GetExecution(arn, error);
  if (error) return *error;
  auto not_redrivable = [&arn](const std::string& why) {
    return ApiResult::Fail("ExecutionNotRedrivable",
                           fmt::format("Execution Not Redrivable: '{}': {}", arn, why));
  };
  if (r->status == history::ExecutionStatus::kRunning ||
      r->status == history::ExecutionStatus::kSucceeded) {
    // AWS redrives FAILED, TIMED_OUT and ABORTED executions only.
    return not_redrivable(fmt::format("the execution is {}",
                                      history::ExecutionStatusName(r->status)));
  }
  // Redrive replays the history against the version the execution ran.
  StatusOr<history::StateMachineRecord> machine =
      store_.GetStateMachineVersion(r->state_machine_arn, r->state_machine_version);
  if (!machine.ok()) {
    if (machine.status().code() == StatusCode::kNotFound) {
      return not_redrivable("its state machine was deleted");
    }
    return InternalFailure(machine.status());
  }
  std::shared_ptr<const asl::StateMachine> parsed = Parsed(*machine);
  if (parsed == nullptr) return not_redrivable("its state machine's definition does not parse");
  StatusOr<history::ExecutionRecord> redriven =
      engine_.RedriveExecution(*machine, parsed, *r, DoneNotifier());
  if (!redriven.ok()) {
    if (redriven.status().code() == StatusCode::kFailedPrecondition) {
      return not_redrivable(redriven.status().message());
    }
    return InternalFailure(redriven.status());
  }
  return ApiResult::Ok(Json{{"redriveDate", EpochSeconds(redriven->redrive_ms.value_or(NowMs()))}});
}

ApiResult StepFunctionsApi::DescribeExecution(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("executionArn", kArnLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckExecutionArn(arn)) return ApiResult::Fail(*e);
  std::optional<ApiResult> error;
  StatusOr<history::ExecutionRecord> r = GetExecution(arn, error);
  if (error) return *error;
  return ApiResult::Ok(DescribeExecutionShape(*r));
}

ApiResult StepFunctionsApi::DescribeStateMachineForExecution(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("executionArn", kArnLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckExecutionArn(arn)) return ApiResult::Fail(*e);
  std::optional<ApiResult> error;
  StatusOr<history::ExecutionRecord> r = GetExecution(arn, error);
  if (error) return *error;
  // The definition of the version the execution ran, as AWS returns it.
  StatusOr<history::StateMachineRecord> m = GetMachine(r->state_machine_arn, error);
  if (error) return *error;
  StatusOr<history::StateMachineRecord> ran =
      store_.GetStateMachineVersion(r->state_machine_arn, r->state_machine_version);
  if (!ran.ok() && ran.status().code() != StatusCode::kNotFound) {
    return InternalFailure(ran.status());
  }
  return ApiResult::Ok(StateMachineForExecutionShape(ran.ok() ? *ran : *m));
}

}  // namespace mlflowctl::api
