// Interpreter: resuming an execution from its durable history and
// redriving a failed one (replay.h describes the replay).
#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/base/status_macros.h"
#include "engine/history/store_checks.h"
#include "engine/runtime/interpreter.h"
#include "engine/runtime/signal.h"

namespace mlflowctl::runtime {

namespace {

constexpr char kAbortedIteration[] = "MapIterationAborted";

// The record an end event stands for (a run that recorded its end but not
// the record's update).
void ApplyTerminal(const history::HistoryEvent& end, history::ExecutionRecord& rec) {
  rec.stop_ms = end.timestamp_ms;
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (!end.details.is_object() || !end.details.contains(key)) return std::nullopt;
    const Json& v = end.details[key];
    return v.is_string() ? v.get<std::string>() : DumpJson(v);
  };
  if (end.type == "ExecutionSucceeded") {
    rec.status = history::ExecutionStatus::kSucceeded;
    rec.output = text("output");
    return;
  }
  rec.status = end.type == "ExecutionFailed"     ? history::ExecutionStatus::kFailed
               : end.type == "ExecutionTimedOut" ? history::ExecutionStatus::kTimedOut
                                                 : history::ExecutionStatus::kAborted;
  rec.error = text("error");
  rec.cause = text("cause");
}

}  // namespace

StatusOr<history::ExecutionRecord> Interpreter::Resume(
    const history::StateMachineRecord& machine,
    std::shared_ptr<const asl::StateMachine> parsed,
    const history::ExecutionRecord& given, DoneCallback on_done, bool redrive) {
  if (running_.count(given.arn) != 0) {
    return AlreadyExistsError(
        fmt::format("execution '{}' already runs in this engine", given.arn));
  }
  if (parsed == nullptr) {
    return InvalidArgumentError(fmt::format(
        "execution '{}': no parsed definition to resume with", given.arn));
  }
  MLF_RETURN_IF_ERROR(history::CheckClaimable(given, redrive));
  history::ExecutionStore& store = engine_.store();
  // The claim re-checks the durable status and takes ownership (one process
  // per execution).
  MLF_ASSIGN_OR_RETURN(
      history::ExecutionRecord rec,
      store.ClaimExecution(given.arn, redrive, ToEpochMillis(engine_.clock().Now())));
  MLF_ASSIGN_OR_RETURN(std::vector<history::HistoryEvent> events,
                       store.GetHistory(rec.arn, history::HistoryQuery{}));
  const bool started = !events.empty();
  int64_t redriven = 0;
  for (const history::HistoryEvent& e : events) redriven += e.type == "ExecutionRedriven";
  // A redrive whose claim is durable but whose ExecutionRedriven event is
  // not (the process ended in between) is completed now.
  const bool add_redriven = redrive || rec.redrive_count > redriven;
  MLF_ASSIGN_OR_RETURN(ReplayLog log, BuildReplayLog(std::move(events), add_redriven));
  if (log.terminal && !add_redriven) {
    // The end was recorded but the record not updated: finish the record.
    ApplyTerminal(*log.terminal, rec);
    MLF_RETURN_IF_ERROR(store.UpdateExecution(rec));
    MLF_RETURN_IF_ERROR(store.Sync());
    if (on_done) asio::post(engine_.io(), [on_done, rec] { on_done(rec); });
    return rec;
  }
  StatusOr<Json> input = ParseJson(rec.input, "recorded execution input");
  if (!input.ok()) return DataLossError(input.status().message());

  auto execution = std::make_shared<Execution>();
  execution->record = rec;
  execution->machine = std::move(parsed);
  execution->input = std::move(*input);
  execution->on_done = std::move(on_done);
  Json exec_context{{"Id", rec.arn},
                    {"Input", execution->input},
                    {"Name", rec.name},
                    {"RoleArn", machine.role_arn},
                    {"StartTime", FormatIso8601(FromEpochMillis(rec.start_ms))},
                    {"RedriveCount", rec.redrive_count}};
  if (rec.redrive_ms) exec_context["RedriveTime"] = FormatIso8601(FromEpochMillis(*rec.redrive_ms));
  execution->context = Json{{"Execution", std::move(exec_context)},
                            {"StateMachine", {{"Id", machine.arn}, {"Name", machine.name}}},
                            {"State", Json::object()}};
  execution->next_event_id = log.last_id + 1;
  execution->replay = std::make_unique<ReplayLog>(std::move(log));

  Frame root;
  root.execution = execution.get();
  root.last_event_id = execution->next_event_id - 1;
  if (!started) {
    // Created, but its first event never became durable.
    Emit(root, "ExecutionStarted",
         Json{{"input", rec.input},
              {"inputDetails", {{"truncated", false}}},
              {"roleArn", machine.role_arn}});
  }
  if (add_redriven) {
    Emit(root, "ExecutionRedriven", Json{{"redriveCount", rec.redrive_count}});
  }
  MLF_RETURN_IF_ERROR(Sync(*execution));
  running_[rec.arn] = execution;
  asio::co_spawn(engine_.io(), RunExecution(execution), asio::detached);
  return rec;
}

void Interpreter::AttachReplay(Frame& frame) const {
  ReplayLog* log = frame.execution->replay.get();
  if (log == nullptr) return;
  auto it = log->frames.find(frame.key);
  if (it != log->frames.end() && !it->second.empty()) frame.recorded = &it->second;
}

const history::HistoryEvent* Interpreter::PeekRecorded(const Frame& frame) const {
  if (frame.recorded == nullptr || frame.replayed >= frame.recorded->size() ||
      !frame.execution->replay_error.empty()) {
    return nullptr;
  }
  return &(*frame.recorded)[frame.replayed];
}

bool Interpreter::Replaying(const Frame& frame) const {
  const history::HistoryEvent* next = PeekRecorded(frame);
  return next != nullptr && next->type != kAbortedIteration;
}

bool Interpreter::AbortedHere(const Frame& frame) const {
  const history::HistoryEvent* next = PeekRecorded(frame);
  return next != nullptr && next->type == kAbortedIteration;
}

bool Interpreter::Cancelled(const Frame& frame) const {
  return frame.cancel->cancelled() && !Replaying(frame);
}

Awaitable<void> Interpreter::AwaitCancel(CancelToken& token) {
  if (token.cancelled()) co_return;
  Signal cancelled(engine_.io());
  int reg = token.Register([&cancelled] { cancelled.Notify(); });
  co_await cancelled.Wait();
  token.Unregister(reg);
}

void Interpreter::ReplayMismatch(Frame& frame, const history::HistoryEvent& recorded,
                                 std::string_view emitted) {
  Execution& e = *frame.execution;
  if (e.replay_error.empty()) {
    e.replay_error = fmt::format(
        "cannot resume '{}': its recorded event {} is {} but the execution now "
        "emits {} there (frame '{}'); was the definition changed?",
        e.record.arn, recorded.id, recorded.type, emitted, frame.key);
  }
  e.cancel.Cancel();
}

}  // namespace mlflowctl::runtime
