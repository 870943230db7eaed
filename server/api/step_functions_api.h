// StepFunctionsApi: the AWS Step Functions API (AWS JSON 1.0, botocore's
// stepfunctions 2016-11-23 model) over the engine and the execution store.
// Handle(action, body, reply) answers one request: the JSON body in, a JSON
// body or an AWS-shaped error ({"__type": ..., "message": ...}, HTTP 400;
// store failures 500/503) out. Most actions reply before Handle returns;
// StartSyncExecution replies when its execution ends and StopExecution when
// the stopped execution has recorded its end.
//
// Threading: every method runs on the engine's io_context thread (the
// engine, the timers and the done callbacks live there); `reply` is called
// on that thread too.
#ifndef MLFLOWCTL_SERVER_API_STEP_FUNCTIONS_API_H_
#define MLFLOWCTL_SERVER_API_STEP_FUNCTIONS_API_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/asl/parser.h"
#include "engine/asl/state_machine.h"
#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_record.h"
#include "engine/history/execution_store.h"
#include "engine/runtime/engine.h"
#include "server/api/api_types.h"

namespace mlflowctl::api {

struct ApiOptions {
  // Where the API reports what it cannot answer to a client (executions
  // that could not be resumed, ...). Default: one line on stderr.
  std::function<void(std::string_view)> log;
  // How long StopExecution waits for the execution to record its end before
  // it answers anyway (a task that cannot be interrupted keeps running).
  std::chrono::milliseconds stop_wait{5000};
  // Called on the engine thread with the final record of every execution
  // the API started, redrove or resumed (execution-event triggers).
  std::function<void(const history::ExecutionRecord&)> on_execution_end;
};

class StepFunctionsApi {
 public:
  // All three must outlive the API. Executions started through the API call
  // back into it when they end; the API outliving them is not required.
  StepFunctionsApi(runtime::Engine& engine, history::ExecutionStore& store, const Clock& clock,
                   ApiOptions options = {});
  ~StepFunctionsApi();
  StepFunctionsApi(const StepFunctionsApi&) = delete;
  StepFunctionsApi& operator=(const StepFunctionsApi&) = delete;

  // `action` is the part of X-Amz-Target after "AWSStepFunctions.".
  void Handle(std::string_view action, std::string_view body, ReplyFn reply);

  // On startup: resumes every execution the store has RUNNING that does not
  // run in this engine (Engine::ResumeExecution). One that cannot be resumed
  // is logged and left as it is. Returns how many were resumed; an error only
  // when the store cannot be read.
  StatusOr<int> ResumeAll();

  // On shutdown: answers every request still waiting for an execution
  // (StartSyncExecution gets ServiceUnavailable; the execution stays RUNNING
  // and resumable) and refuses new StartSyncExecution requests.
  void Shutdown();

  // Requests waiting for an execution to end (for tests and shutdown).
  std::size_t waiting() const;

 private:
  struct Waiters;
  // Called with the execution's final record, or null on Shutdown.
  using Waiter = std::function<void(const history::ExecutionRecord*)>;

  // State machines (state_machine_actions.cc).
  ApiResult CreateStateMachine(const Json& request);
  ApiResult DescribeStateMachine(const Json& request);
  ApiResult ListStateMachines(const Json& request);
  ApiResult UpdateStateMachine(const Json& request);
  ApiResult DeleteStateMachine(const Json& request);
  ApiResult ValidateStateMachineDefinition(const Json& request);

  // Executions (execution_actions.cc).
  void StartExecution(const Json& request, ReplyFn reply);
  void StartSyncExecution(const Json& request, ReplyFn reply);
  void StopExecution(const Json& request, ReplyFn reply);
  ApiResult RedriveExecution(const Json& request);
  ApiResult DescribeExecution(const Json& request);
  ApiResult DescribeStateMachineForExecution(const Json& request);

  // Listings (execution_queries.cc).
  ApiResult ListExecutions(const Json& request);
  ApiResult GetExecutionHistory(const Json& request);

  // Starts an execution for StartExecution (sync = false) or
  // StartSyncExecution; `waiter`, when set, is registered before the start.
  struct Started {
    std::optional<ApiResult> error;
    history::ExecutionRecord record;
  };
  Started Start(const Json& request, bool sync, Waiter waiter);
  // Marks an execution that is RUNNING in the store but not in this engine
  // ABORTED (with an ExecutionAborted event).
  StatusOr<history::ExecutionRecord> AbortInStore(history::ExecutionRecord record,
                                                  const std::string& error,
                                                  const std::string& cause);

  // The store's record or ExecutionDoesNotExist / StateMachineDoesNotExist.
  StatusOr<history::ExecutionRecord> GetExecution(const std::string& arn,
                                                  std::optional<ApiResult>& error);
  StatusOr<history::StateMachineRecord> GetMachine(const std::string& arn,
                                                   std::optional<ApiResult>& error);
  // The parsed definition of a stored machine, cached per definition text;
  // null (and a log line) if it no longer parses.
  std::shared_ptr<const asl::StateMachine> Parsed(const history::StateMachineRecord& machine);
  // Registers a waiter for `arn`; RemoveLastWaiter undoes the last one.
  void AddWaiter(const std::string& arn, Waiter waiter);
  void RemoveLastWaiter(const std::string& arn);
  // The done callback handed to the engine: wakes the waiters.
  runtime::DoneCallback DoneNotifier() const;
  void Log(std::string_view line) const;
  int64_t NowMs() const;

  runtime::Engine& engine_;
  history::ExecutionStore& store_;
  const Clock& clock_;
  ApiOptions options_;
  std::shared_ptr<Waiters> waiters_;
  bool shutting_down_ = false;
  struct CachedMachine {
    std::string definition;
    std::shared_ptr<const asl::StateMachine> parsed;
  };
  std::unordered_map<std::string, CachedMachine> parsed_;
};

// "Invalid State Machine Definition: 'CODE: message at /pointer, ...'", as
// AWS words InvalidDefinition.
std::string InvalidDefinitionMessage(const std::vector<asl::Diagnostic>& diagnostics);

}  // namespace mlflowctl::api

#endif  // MLFLOWCTL_SERVER_API_STEP_FUNCTIONS_API_H_
