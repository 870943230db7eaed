#include "engine/runtime/engine.h"

#include "engine/runtime/interpreter.h"

namespace mlflowctl::runtime {

Engine::Engine(asio::io_context& io, history::ExecutionStore& store,
               const ResourceRegistry& resources, const Clock& clock,
               EngineOptions options)
    : io_(io),
      store_(store),
      resources_(resources),
      clock_(clock),
      options_(std::move(options)),
      interpreter_(std::make_unique<Interpreter>(*this)) {}

Engine::~Engine() = default;

StatusOr<history::ExecutionRecord> Engine::StartExecution(const StartRequest& request,
                                                          DoneCallback on_done) {
  return interpreter_->Start(request, std::move(on_done));
}

Status Engine::StopExecution(const std::string& execution_arn, const std::string& error,
                             const std::string& cause) {
  return interpreter_->Stop(execution_arn, error, cause);
}

Status Engine::ResumeExecution(const history::StateMachineRecord& machine,
                               std::shared_ptr<const asl::StateMachine> parsed,
                               const history::ExecutionRecord& execution,
                               DoneCallback on_done) {
  return interpreter_
      ->Resume(machine, std::move(parsed), execution, std::move(on_done), false)
      .status();
}

StatusOr<history::ExecutionRecord> Engine::RedriveExecution(
    const history::StateMachineRecord& machine,
    std::shared_ptr<const asl::StateMachine> parsed,
    const history::ExecutionRecord& execution, DoneCallback on_done) {
  return interpreter_->Resume(machine, std::move(parsed), execution, std::move(on_done),
                              true);
}

bool Engine::IsRunning(const std::string& execution_arn) const {
  return interpreter_->IsRunning(execution_arn);
}

std::size_t Engine::running() const { return interpreter_->running(); }

void Engine::RunUntilIdle() { interpreter_->RunUntilIdle(); }

void Interpreter::RunUntilIdle() {
  asio::io_context& io = engine_.io();
  if (!timers_.virtual_time()) {
    io.restart();
    io.run();
    return;
  }
  // Virtual time: run what is ready; when only sleepers remain, jump the
  // clock to the earliest one; while tasks run on the pool, block for them.
  auto guard = asio::make_work_guard(io);
  while (true) {
    io.restart();
    if (io.poll() > 0) continue;
    if (tasks_in_flight_ > 0) {
      io.run_one();
      continue;
    }
    if (timers_.FireNext()) continue;
    break;
  }
}

}  // namespace mlflowctl::runtime
