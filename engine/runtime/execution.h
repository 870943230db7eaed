// Execution and Frame: the mutable state of one running execution (its
// record, next event id, context object, cancellation) and of one sequence
// of states inside it (the top level, a Parallel branch or a Map iteration).
// Only used from the engine's io_context thread.
#ifndef MLFLOWCTL_RUNTIME_EXECUTION_H_
#define MLFLOWCTL_RUNTIME_EXECUTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/asl/state_machine.h"
#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/history/execution_record.h"
#include "engine/history/history_event.h"
#include "engine/runtime/cancel_token.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/replay.h"

namespace mlflowctl::runtime {

// Why an execution was cancelled from outside the interpreter.
enum class StopReason { kNone, kAborted, kTimedOut };

struct Execution {
  history::ExecutionRecord record;
  std::shared_ptr<const asl::StateMachine> machine;
  Json input;
  Json context;  // $$ with Execution and StateMachine filled in
  int64_t next_event_id = 1;
  std::vector<history::HistoryEvent> pending;  // not yet given to the store
  CancelToken cancel;
  StopReason stop_reason = StopReason::kNone;
  Error stop_error;
  DoneCallback on_done;
  uint64_t task_sequence = 0;
  // Resumed or redriven: the recorded events still to replay (replay.h);
  // null for an execution that started in this engine.
  std::unique_ptr<ReplayLog> replay;
  // Set when a frame emitted an event other than the recorded one: the
  // execution stops without recording an end and stays RUNNING.
  std::string replay_error;
};

// One sequence of states. `context` is this frame's copy of $$ (State.*
// and Map.* differ per frame); `variables` the variables visible in it.
struct Frame {
  Execution* execution = nullptr;
  const asl::StateMachine* machine = nullptr;
  CancelToken* cancel = nullptr;
  Json context;
  Json variables = Json::object();
  // A child frame that has not started yet: RunStates copies `context` and
  // `variables` from this frame when the child starts, so children waiting
  // to run hold no copy of $$. The parent does not change either while its
  // children run.
  const Frame* inherit_from = nullptr;
  int64_t last_event_id = 0;     // previousEventId of the next event
  int64_t entered_event_id = 0;  // id of the current state's Entered event
  // Replay (replay.h): this frame's key, its recorded events (null when
  // none) and how many of them were used.
  std::string key;
  const std::vector<history::HistoryEvent>* recorded = nullptr;
  std::size_t replayed = 0;
  // The last event's timestamp and whether it was a recorded one; the
  // current state's entry time (epoch ms) and whether it was recorded.
  int64_t last_event_ms = 0;
  bool last_replayed = false;
  int64_t entered_ms = 0;
  bool entered_replayed = false;
};

// The outcome of running states: the final output or an error.
struct Outcome {
  Json output;
  std::optional<Error> error;
  bool failed() const { return error.has_value(); }
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_EXECUTION_H_
