// Engine: runs executions of state machines on one io_context. It owns the
// interpreter, the timers and the worker pool for tasks, and records every
// execution and history event through the ExecutionStore.
//
// Threading: StartExecution/StopExecution and all callbacks run on the
// io_context's thread; the caller drives the io_context (Run, or
// RunUntilIdle in virtual time). Task handlers run on the worker pool.
#ifndef MLFLOWCTL_RUNTIME_ENGINE_H_
#define MLFLOWCTL_RUNTIME_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/asl/state_machine.h"
#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "engine/base/random.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_record.h"
#include "engine/history/execution_store.h"
#include "engine/runtime/asio.h"
#include "engine/runtime/resource_registry.h"

namespace mlflowctl::runtime {

struct EngineOptions {
  // Payload limit of inputs, outputs and task results (AWS: 256 KiB).
  std::size_t max_payload_bytes = 256 * 1024;
  // 0 = unlimited (AWS Standard: 25,000 events).
  int64_t max_history_events = 0;
  int worker_threads = 4;
  // Virtual time (tests): the clock must then be a FakeClock.
  FakeClock* fake_clock = nullptr;
  uint64_t random_seed = 0;  // 0 = from entropy
  // Called with each state entered/exited, for progress display.
  std::function<void(const std::string& execution_arn,
                     const history::HistoryEvent& event)>
      on_event;
};

struct StartRequest {
  history::StateMachineRecord machine;
  std::shared_ptr<const asl::StateMachine> parsed;
  std::string name;  // generated (a UUID) when empty
  std::string input = "{}";
};

using DoneCallback = std::function<void(const history::ExecutionRecord&)>;

class Interpreter;

class Engine {
 public:
  Engine(asio::io_context& io, history::ExecutionStore& store,
         const ResourceRegistry& resources, const Clock& clock,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates the name and input, records the execution (durable on return)
  // and schedules it. kInvalidArgument for a bad name or input (with what is
  // wrong), kAlreadyExists for a name already used on this machine.
  // `on_done` runs once the execution has finished and its end is durable.
  StatusOr<history::ExecutionRecord> StartExecution(const StartRequest& request,
                                                    DoneCallback on_done);

  // Stops a running execution: it ends ABORTED with this error and cause.
  // kNotFound if it is not running in this engine.
  Status StopExecution(const std::string& execution_arn, const std::string& error,
                       const std::string& cause);

  // Continues an execution left RUNNING by a process that ended (killed or
  // shut down) from its durable history: a state whose result is recorded
  // is not run again, and new events continue the ids after the last
  // recorded one. kFailedPrecondition when the execution is not RUNNING or
  // another live process owns it (ExecutionStore::ClaimExecution),
  // kAlreadyExists when it already runs in this engine. `parsed` must be the
  // definition version the execution ran with; when its recorded history
  // does not fit (the definition changed), `on_done` gets the record still
  // RUNNING with error "mlflowctl.ReplayMismatch" and a cause saying where.
  // How replay works: engine/runtime/replay.h.
  Status ResumeExecution(const history::StateMachineRecord& machine,
                         std::shared_ptr<const asl::StateMachine> parsed,
                         const history::ExecutionRecord& execution,
                         DoneCallback on_done);

  // RedriveExecution as AWS documents it: restarts a FAILED, TIMED_OUT or
  // ABORTED execution from the states that did not succeed (succeeded ones
  // are not run again), with an ExecutionRedriven event and redriveCount + 1.
  // Inline Map and Parallel run again only the iterations and branches that
  // failed or were aborted; Retry counts continue; TimeoutSeconds counts
  // from the redrive. Returns the record as it now is (RUNNING).
  // kFailedPrecondition (the API's ExecutionNotRedrivable) otherwise, also
  // when another process redrives it at the same time.
  StatusOr<history::ExecutionRecord> RedriveExecution(
      const history::StateMachineRecord& machine,
      std::shared_ptr<const asl::StateMachine> parsed,
      const history::ExecutionRecord& execution, DoneCallback on_done);

  // True when the execution runs in this engine.
  bool IsRunning(const std::string& execution_arn) const;

  // Number of executions running in this engine.
  std::size_t running() const;

  // Runs the io_context until every execution has finished. In virtual time
  // it advances the clock whenever nothing else can progress.
  void RunUntilIdle();

  // For the interpreter.
  asio::io_context& io() { return io_; }
  history::ExecutionStore& store() { return store_; }
  const ResourceRegistry& resources() const { return resources_; }
  const Clock& clock() const { return clock_; }
  const EngineOptions& options() const { return options_; }

 private:
  friend class Interpreter;
  asio::io_context& io_;
  history::ExecutionStore& store_;
  const ResourceRegistry& resources_;
  const Clock& clock_;
  EngineOptions options_;
  std::unique_ptr<Interpreter> interpreter_;
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_ENGINE_H_
