#include "server/api/step_functions_api.h"

#include <cctype>
#include <iostream>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mlflowctl::api {

// Requests waiting for executions to end, by execution ARN. Shared with the
// done callbacks the engine holds, which may outlive the API.
struct StepFunctionsApi::Waiters {
  std::unordered_map<std::string, std::vector<Waiter>> by_arn;

  void Notify(const history::ExecutionRecord& record) {
    auto it = by_arn.find(record.arn);
    if (it == by_arn.end()) return;
    std::vector<Waiter> waiting = std::move(it->second);
    by_arn.erase(it);
    for (Waiter& w : waiting) w(&record);
  }
};

StepFunctionsApi::StepFunctionsApi(runtime::Engine& engine, history::ExecutionStore& store,
                                   const Clock& clock, ApiOptions options)
    : engine_(engine),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      waiters_(std::make_shared<Waiters>()) {}

StepFunctionsApi::~StepFunctionsApi() = default;

void StepFunctionsApi::Handle(std::string_view action, std::string_view body, ReplyFn reply) {
  auto finish = [&reply](const ApiResult& result) { reply(result.ToReply()); };
  // AWS JSON 1.0: the body is one JSON object; botocore sends "{}" for an
  // empty request, some clients send nothing.
  Json request = Json::object();
  std::string_view trimmed = body;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
    trimmed.remove_prefix(1);
  }
  if (!trimmed.empty()) {
    StatusOr<Json> parsed = ParseJson(body);
    if (!parsed.ok()) {
      return finish(ApiResult::Fail("SerializationException",
                                    "Malformed request body: " + parsed.status().message()));
    }
    if (!parsed->is_object()) {
      return finish(ApiResult::Fail("SerializationException",
                                    "The request body must be a JSON object"));
    }
    request = std::move(*parsed);
  }

  using Sync = ApiResult (StepFunctionsApi::*)(const Json&);
  using Async = void (StepFunctionsApi::*)(const Json&, ReplyFn);
  struct Action {
    std::string_view name;
    Sync sync;
    Async async;
  };
  static const Action kActions[] = {
      {"CreateStateMachine", &StepFunctionsApi::CreateStateMachine, nullptr},
      {"DescribeStateMachine", &StepFunctionsApi::DescribeStateMachine, nullptr},
      {"ListStateMachines", &StepFunctionsApi::ListStateMachines, nullptr},
      {"UpdateStateMachine", &StepFunctionsApi::UpdateStateMachine, nullptr},
      {"DeleteStateMachine", &StepFunctionsApi::DeleteStateMachine, nullptr},
      {"ValidateStateMachineDefinition", &StepFunctionsApi::ValidateStateMachineDefinition,
       nullptr},
      {"StartExecution", nullptr, &StepFunctionsApi::StartExecution},
      {"StartSyncExecution", nullptr, &StepFunctionsApi::StartSyncExecution},
      {"StopExecution", nullptr, &StepFunctionsApi::StopExecution},
      {"RedriveExecution", &StepFunctionsApi::RedriveExecution, nullptr},
      {"DescribeExecution", &StepFunctionsApi::DescribeExecution, nullptr},
      {"DescribeStateMachineForExecution", &StepFunctionsApi::DescribeStateMachineForExecution,
       nullptr},
      {"ListExecutions", &StepFunctionsApi::ListExecutions, nullptr},
      {"GetExecutionHistory", &StepFunctionsApi::GetExecutionHistory, nullptr},
  };
  for (const Action& a : kActions) {
    if (a.name != action) continue;
    if (a.async != nullptr) return (this->*a.async)(request, std::move(reply));
    return finish((this->*a.sync)(request));
  }
  finish(ApiResult::Fail("UnknownOperationException",
                         fmt::format("Unknown operation: AWSStepFunctions.{}", action)));
}

StatusOr<int> StepFunctionsApi::ResumeAll() {
  std::vector<history::ExecutionRecord> running;
  history::ExecutionFilter filter;
  filter.status = history::ExecutionStatus::kRunning;
  filter.limit = 1000;
  while (true) {
    StatusOr<history::ExecutionPage> page = store_.ListExecutions(filter);
    if (!page.ok()) return page.status();
    for (auto& r : page->executions) running.push_back(std::move(r));
    if (!page->next_token) break;
    filter.page_token = page->next_token;
  }
  int resumed = 0;
  for (const history::ExecutionRecord& r : running) {
    if (engine_.IsRunning(r.arn)) continue;
    // The version the execution started on: its history replays against
    // that definition even if the machine was updated since.
    StatusOr<history::StateMachineRecord> machine =
        store_.GetStateMachineVersion(r.state_machine_arn, r.state_machine_version);
    if (!machine.ok()) {
      Log(fmt::format("cannot resume {}: {}", r.arn, machine.status().ToString()));
      continue;
    }
    std::shared_ptr<const asl::StateMachine> parsed = Parsed(*machine);
    if (parsed == nullptr) continue;
    Status s = engine_.ResumeExecution(*machine, parsed, r, DoneNotifier());
    if (!s.ok()) {
      Log(fmt::format("cannot resume {}: {}", r.arn, s.ToString()));
      continue;
    }
    ++resumed;
  }
  return resumed;
}

void StepFunctionsApi::Shutdown() {
  shutting_down_ = true;
  auto all = std::move(waiters_->by_arn);
  waiters_->by_arn.clear();
  for (auto& [arn, waiting] : all) {
    for (Waiter& w : waiting) w(nullptr);
  }
}

std::size_t StepFunctionsApi::waiting() const {
  std::size_t n = 0;
  for (const auto& [arn, waiting] : waiters_->by_arn) n += waiting.size();
  return n;
}

StatusOr<history::ExecutionRecord> StepFunctionsApi::GetExecution(
    const std::string& arn, std::optional<ApiResult>& error) {
  StatusOr<history::ExecutionRecord> r = store_.GetExecution(arn);
  if (!r.ok()) {
    error = r.status().code() == StatusCode::kNotFound
                ? ApiResult::Fail("ExecutionDoesNotExist",
                                  fmt::format("Execution Does Not Exist: '{}'", arn))
                : InternalFailure(r.status());
  }
  return r;
}

StatusOr<history::StateMachineRecord> StepFunctionsApi::GetMachine(
    const std::string& arn, std::optional<ApiResult>& error) {
  StatusOr<history::StateMachineRecord> m = store_.GetStateMachine(arn);
  if (!m.ok()) {
    error = m.status().code() == StatusCode::kNotFound
                ? ApiResult::Fail("StateMachineDoesNotExist",
                                  fmt::format("State Machine Does Not Exist: '{}'", arn))
                : InternalFailure(m.status());
  }
  return m;
}

std::shared_ptr<const asl::StateMachine> StepFunctionsApi::Parsed(
    const history::StateMachineRecord& machine) {
  auto it = parsed_.find(machine.arn);
  if (it != parsed_.end() && it->second.definition == machine.definition) {
    return it->second.parsed;
  }
  asl::ParseResult result = asl::Parse(machine.definition);
  if (!result.ok()) {
    Log(fmt::format("state machine {} no longer parses: {}", machine.arn,
                    InvalidDefinitionMessage(result.diagnostics)));
    return nullptr;
  }
  parsed_[machine.arn] = CachedMachine{machine.definition, result.machine};
  return result.machine;
}

void StepFunctionsApi::AddWaiter(const std::string& arn, Waiter waiter) {
  waiters_->by_arn[arn].push_back(std::move(waiter));
}

void StepFunctionsApi::RemoveLastWaiter(const std::string& arn) {
  auto it = waiters_->by_arn.find(arn);
  if (it == waiters_->by_arn.end()) return;
  it->second.pop_back();
  if (it->second.empty()) waiters_->by_arn.erase(it);
}

runtime::DoneCallback StepFunctionsApi::DoneNotifier() const {
  std::weak_ptr<Waiters> weak = waiters_;
  return [weak, on_end = options_.on_execution_end](const history::ExecutionRecord& record) {
    if (auto waiters = weak.lock()) waiters->Notify(record);
    if (on_end) on_end(record);
  };
}

void StepFunctionsApi::Log(std::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << "mlflowctl: " << line << "\n";
  }
}

int64_t StepFunctionsApi::NowMs() const { return ToEpochMillis(clock_.Now()); }

std::string InvalidDefinitionMessage(const std::vector<asl::Diagnostic>& diagnostics) {
  std::vector<std::string> parts;
  for (const asl::Diagnostic& d : diagnostics) {
    // AWS names the position of a JSON syntax error: "at (line 2, column 17)".
    std::string at = d.line > 0 ? fmt::format(" (line {}, column {})", d.line, d.column) : "";
    parts.push_back(fmt::format("{}: {} at {}{}", d.code, d.message,
                                d.pointer.empty() ? "/" : d.pointer, at));
  }
  return fmt::format("Invalid State Machine Definition: '{}'", fmt::join(parts, ", "));
}

}  // namespace mlflowctl::api
