// Interpreter: runs the states of executions as coroutines on the engine's
// io_context, following the ASL specification (input/output processing,
// Retry and Catch, Parallel and Map concurrency), and emits Step Functions'
// history events. Tasks run on a worker pool; waits use the TimerService.
// Only used from the io_context thread, except the worker-pool side of
// RunTask.
#ifndef MLFLOWCTL_RUNTIME_INTERPRETER_H_
#define MLFLOWCTL_RUNTIME_INTERPRETER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "engine/asl/state_machine.h"
#include "engine/base/random.h"
#include "engine/runtime/asio.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/execution.h"
#include "engine/runtime/timer_service.h"

namespace mlflowctl::runtime {

// A state's result: where to go next, or an error to catch.
struct StepOutcome {
  Json output;
  int next = asl::kNoState;
  bool end = false;
  std::optional<Error> error;
};

// The value of a data-processing step or its error.
using Value = std::variant<Json, Error>;

class Interpreter {
 public:
  explicit Interpreter(Engine& engine);
  ~Interpreter();

  StatusOr<history::ExecutionRecord> Start(const StartRequest& request,
                                           DoneCallback on_done);
  Status Stop(const std::string& arn, const std::string& error,
              const std::string& cause);
  // interpreter_resume.cc: Engine::ResumeExecution (redrive false) and
  // Engine::RedriveExecution (redrive true).
  StatusOr<history::ExecutionRecord> Resume(
      const history::StateMachineRecord& machine,
      std::shared_ptr<const asl::StateMachine> parsed,
      const history::ExecutionRecord& execution, DoneCallback on_done, bool redrive);
  std::size_t running() const { return running_.size(); }
  bool IsRunning(const std::string& arn) const { return running_.count(arn) > 0; }
  void RunUntilIdle();

 private:
  // interpreter.cc: the execution and the state loop.
  Awaitable<void> RunExecution(std::shared_ptr<Execution> execution);
  void FinishExecution(Execution& execution, const Outcome& outcome);
  Awaitable<Outcome> RunStates(Frame& frame, Json input);
  Awaitable<StepOutcome> RunState(Frame& frame, const asl::State& state,
                                  const Json& input);
  StepOutcome RunPass(Frame& frame, const asl::State& state, const Json& input);
  StepOutcome RunChoice(Frame& frame, const asl::State& state, const Json& input);
  Awaitable<StepOutcome> RunWait(Frame& frame, const asl::State& state,
                                 const Json& input);
  StepOutcome RunFail(Frame& frame, const asl::State& state, const Json& input);

  // interpreter_resume.cc: replay (replay.h).
  // Gives `frame` its recorded events, if the execution replays any.
  void AttachReplay(Frame& frame) const;
  // The frame's next recorded event, or null when it runs live.
  const history::HistoryEvent* PeekRecorded(const Frame& frame) const;
  // True while the frame has recorded events to replay (cancellation waits
  // until they are used up: it happened later in the recorded run).
  bool Replaying(const Frame& frame) const;
  // True when the recorded run aborted this Map iteration here: it waits
  // for the cancellation that the replay of a sibling's failure brings.
  bool AbortedHere(const Frame& frame) const;
  // frame.cancel is cancelled and the frame no longer replays.
  bool Cancelled(const Frame& frame) const;
  Awaitable<void> AwaitCancel(CancelToken& token);
  // The frame emitted `type` where `recorded` was recorded: stops the
  // execution, which stays RUNNING (Execution::replay_error).
  void ReplayMismatch(Frame& frame, const history::HistoryEvent& recorded,
                      std::string_view emitted);
  // Sync(), stopping the execution when the store fails.
  void SyncOrStop(Execution& execution);

  // interpreter_io.cc: data processing and events.
  // Appends an event to the frame; in replay takes the frame's next
  // recorded event instead and returns it (null when the event is new).
  const history::HistoryEvent* Emit(Frame& frame, const char* type, Json details);
  void FlushEvents(Execution& execution);
  Status Sync(Execution& execution);
  path::Scope ScopeOf(const Frame& frame, const Json& input) const;
  Value SelectPath(const Frame& frame, const path::OptionalPath& p,
                   const Json& data, const char* field) const;
  // SelectPath without copying `data` for the default path: returns &data or
  // the selected value held in `storage`; nullptr when selection failed,
  // with the Error in `storage`.
  const Json* SelectPathRef(const Frame& frame, const path::OptionalPath& p,
                            const Json& data, const char* field,
                            Value& storage) const;
  Value EvalTemplate(const Frame& frame, const path::PayloadTemplate& t,
                     const Json& input);
  // Evaluates Assign against `input` and stores the variables in the frame.
  std::optional<Error> Assign(Frame& frame,
                              const std::optional<path::PayloadTemplate>& assign,
                              const Json& input, Json* assigned);
  // OutputPath on `data`, then the state's Next/End: how every state that
  // does not fail leaves.
  StepOutcome Leave(const Frame& frame, const asl::State& state, Json data) const;
  // ResultSelector, Assign, ResultPath, OutputPath after a result.
  StepOutcome FinishWithResult(Frame& frame, const asl::State& state,
                               const Json& state_input, Json result);
  std::optional<Error> CheckPayload(const asl::State& state, const Json& value,
                                    const char* what) const;
  // CheckPayload for a value already serialised to `size` bytes.
  std::optional<Error> CheckPayloadSize(const asl::State& state, std::size_t size,
                                        const char* what) const;
  // Sets $$.State (EnteredTime, Name, RetryCount) for entering `state`.
  void EnterStateContext(Frame& frame, const asl::State& state);
  Value ResolveInt(const Frame& frame, const asl::IntOrPath& field,
                   const Json& input, const char* name) const;

  // interpreter_task.cc: Task and the Retry loop shared by Task, Parallel, Map.
  using Attempt = std::function<Awaitable<Value>(Frame&, int attempt)>;
  Awaitable<Value> WithRetry(Frame& frame, const asl::State& state,
                             Attempt attempt);
  Awaitable<StepOutcome> RunTask(Frame& frame, const asl::State& state,
                                 const Json& input);
  Awaitable<Value> InvokeTask(Frame& frame, const asl::State& state,
                              const Json& parameters, int attempt);

  // interpreter_parallel.cc: Parallel and Map.
  Awaitable<StepOutcome> RunParallel(Frame& frame, const asl::State& state,
                                     const Json& input);
  Awaitable<StepOutcome> RunMap(Frame& frame, const asl::State& state,
                                const Json& input);
  // Runs `count` child frames, at most `limit` at once (0 = all); each is
  // prepared by `make`. Stops the others at the first failure unless
  // `tolerated(failures)` is true.
  struct ChildResult {
    std::vector<Outcome> outcomes;
    std::optional<Error> error;
  };
  Awaitable<ChildResult> RunChildren(
      Frame& parent, std::size_t count, std::size_t limit,
      std::function<std::optional<Error>(std::size_t, Frame&, Json&)> make,
      std::function<void(std::size_t, Frame&, const Outcome&)> on_done,
      std::function<bool(std::size_t failures)> tolerated);

  Engine& engine_;
  TimerService timers_;
  // Made by the first task (WorkerPool()), so executions without Task states
  // start no threads.
  std::unique_ptr<asio::thread_pool> pool_;
  asio::thread_pool& WorkerPool();
  std::size_t tasks_in_flight_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Execution>> running_;
  Random random_;
  // FormatIso8601 of the last EnteredTime, reused within the same millisecond.
  int64_t entered_ms_ = -1;
  std::string entered_text_;
};

// "An error occurred while executing the state 'X' (entered at the event id
// #N). <cause>": how AWS words data-processing failures.
Error StateRuntimeError(const asl::State& state, int64_t entered_event_id,
                        const Error& error);

// ErrorEquals matching, ASL "Error names": States.ALL matches every error
// except States.Runtime (never caught) and States.DataLimitExceeded;
// States.TaskFailed matches every error except States.Timeout.
bool ErrorMatches(const std::vector<std::string>& error_equals,
                  const std::string& name);

// An internal error that unwinds a cancelled frame; never caught.
Error CancelledError();
bool IsCancelled(const Error& error);

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_INTERPRETER_H_
