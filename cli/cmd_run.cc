// mlflowctl run FILE: validates a definition, records it as a state machine,
// runs one execution to completion in the foreground and reports it.
#include <unistd.h>

#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/definition_loader.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "cli/services.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/runtime/engine.h"
#include "steps/mock_step.h"

namespace mlflowctl::cli {

namespace {

struct RunOptions {
  std::string file;
  std::string input;
  std::string input_file;
  std::string name;
  std::string machine_name;
  std::string mocks_file;
  std::string role_arn;
  bool json = false;
  bool quiet = false;
  bool virtual_time = false;
  int64_t max_history_events = 0;
};

int Run(const RunOptions& o) {
  LoadedDefinition loaded = LoadDefinition(o.file);
  if (!loaded.read_error.ok()) return Fail(loaded.read_error);
  if (!loaded.result.ok()) {
    PrintDiagnostics(o.file, loaded.result);
    return kExitUsage;
  }

  std::string input_text = "{}";
  if (!o.input.empty() && !o.input_file.empty()) {
    return Fail(InvalidArgumentError("give --input or --input-file, not both"));
  }
  if (!o.input_file.empty()) {
    StatusOr<std::string> t = ReadFile(o.input_file);
    if (!t.ok()) return Fail(t.status());
    input_text = std::move(*t);
  } else if (!o.input.empty()) {
    input_text = o.input;
  }
  const std::string input_source = o.input_file.empty() ? "--input" : o.input_file;
  StatusOr<Json> input = ParseJson(input_text, input_source);
  if (!input.ok()) return Fail(input.status());
  // Checked here too, so the message names where the input came from.
  const std::size_t limit = runtime::EngineOptions().max_payload_bytes;
  if (const std::size_t size = DumpJson(*input).size(); size > limit) {
    return Fail(InvalidArgumentError(fmt::format(
        "{}: States.DataLimitExceeded: the execution input is {} bytes; the limit is {} bytes",
        input_source, size, limit)));
  }

  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  std::optional<FakeClock> fake;
  if (o.virtual_time) fake.emplace(1704067200000);  // 2024-01-01T00:00:00Z
  const Clock& clock = fake ? static_cast<const Clock&>(*fake) : *SystemClock::Default();
  // The record stores share the execution store's connection; endpoints
  // deployed by this execution are served in-process (mlflowctl:invoke).
  Services services(**store, clock, HomeDir());
  const runtime::ResourceRegistry& builtins = services.builtins;
  runtime::ResourceRegistry mocked;
  const runtime::ResourceRegistry* resources = &builtins;
  if (!o.mocks_file.empty()) {
    StatusOr<Json> mocks = ParseJsonFile(o.mocks_file);
    if (!mocks.ok()) return Fail(mocks.status());
    if (Status s = steps::MockStep::Check(*mocks); !s.ok()) {
      return Fail(s.WithContext(o.mocks_file));
    }
    mocked.RegisterPrefix("", std::make_shared<steps::MockStep>(std::move(*mocks), &builtins));
    resources = &mocked;
  }

  history::StateMachineRecord machine;
  machine.name = o.machine_name.empty() ? MachineNameFromPath(o.file) : o.machine_name;
  if (std::string why = CheckResourceName(machine.name); !why.empty()) {
    return Fail(InvalidArgumentError(
        fmt::format("invalid state machine name '{}': {}", machine.name, why)));
  }
  machine.arn = StateMachineArn(machine.name);
  machine.definition = loaded.text;
  machine.role_arn = o.role_arn.empty()
                         ? fmt::format("arn:aws:iam::{}:role/mlflowctl", kLocalAccount)
                         : o.role_arn;
  StatusOr<history::StateMachineRecord> stored = (*store)->PutStateMachine(machine);
  if (!stored.ok()) return Fail(stored.status());

  Progress progress(!o.quiet, isatty(STDERR_FILENO) != 0);
  runtime::EngineOptions options;
  options.fake_clock = fake ? &*fake : nullptr;
  options.max_history_events = o.max_history_events;
  if (!o.quiet) {
    options.on_event = [&progress](const std::string&, const history::HistoryEvent& e) {
      progress.OnEvent(e);
    };
  }
  runtime::asio::io_context io;
  runtime::Engine engine(io, **store, *resources, clock, options);

  std::optional<history::ExecutionRecord> result;
  runtime::StartRequest request;
  request.machine = *stored;
  request.parsed = loaded.result.machine;
  request.name = o.name;
  request.input = DumpJson(*input);
  StatusOr<history::ExecutionRecord> started =
      engine.StartExecution(request, [&result](const history::ExecutionRecord& r) { result = r; });
  if (!started.ok()) return Fail(started.status());
  if (!o.quiet && !o.json) {
    std::cerr << fmt::format("execution {} of {} started\n", started->name, machine.name);
  }
  engine.RunUntilIdle();
  progress.Finish();
  if (!result) return Fail(InternalError("the execution did not finish"));
  if (result->error && *result->error == "mlflowctl.StoreError") {
    return Fail(UnavailableError(fmt::format(
        "store {}: {}; execution {} stays RUNNING at its last recorded event (continue it "
        "with `mlflowctl executions resume {}`)",
        HomeDir() + "/mlflowctl.db", result->cause.value_or("store error"), result->name,
        result->name)));
  }

  const history::ExecutionRecord& r = *result;
  int64_t took = r.stop_ms.value_or(r.start_ms) - r.start_ms;
  if (o.json) {
    std::cout << RunResultJson(r).dump() << "\n";
  } else {
    std::string status(history::ExecutionStatusName(r.status));
    std::cerr << fmt::format("execution {} {} in {}\n", r.name, status, FormatDuration(took));
    if (r.status == history::ExecutionStatus::kSucceeded) {
      Json out = Json::parse(r.output.value_or("null"), nullptr, false);
      std::cout << (out.is_discarded() ? r.output.value_or("") : out.dump(2)) << "\n";
    } else {
      std::cerr << fmt::format("error: {}\ncause: {}\n", r.error.value_or(""),
                               r.cause.value_or(""));
    }
  }
  return r.status == history::ExecutionStatus::kSucceeded ? kExitOk : kExitExecutionFailed;
}

}  // namespace

void AddRunCommand(CLI::App& app, Runner& run) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a state machine to completion");
  cmd->add_option("file", o->file, "Definition file (Amazon States Language JSON)")->required();
  cmd->add_option("--input", o->input, "Execution input (JSON text)");
  cmd->add_option("--input-file", o->input_file, "Execution input from a file");
  cmd->add_option("--name", o->name, "Execution name (default: a UUID)");
  cmd->add_option("--machine-name", o->machine_name,
                  "State machine name (default: the file name without .json)");
  cmd->add_option("--role-arn", o->role_arn,
                  "The state machine's role ($$.Execution.RoleArn)");
  cmd->add_option("--mocks", o->mocks_file,
                  "Answer Task states from a mocks file instead of running them");
  cmd->add_option("--max-history-events", o->max_history_events,
                  "Fail the execution past this many history events (AWS Standard: 25000; "
                  "default: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o->json, "Print one JSON object with the result on stdout");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress on stderr");
  cmd->add_flag("--virtual-time", o->virtual_time,
                "Start the clock at 2024-01-01T00:00:00Z and skip waits (for tests)")
      ->group("");
  cmd->callback([&run, o] { run = [o] { return Run(*o); }; });
}

}  // namespace mlflowctl::cli
