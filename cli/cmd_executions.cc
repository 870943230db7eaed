// mlflowctl executions list|describe|history: inspect recorded executions.
// executions resume|stop|redrive: continue an execution left RUNNING by a
// process that ended, stop one, or redrive a failed one (DESIGN.md §5).
// Only the process that owns a RUNNING execution runs it (the store's
// owner_pid): resume refuses an execution another live process (a `run` or
// `serve`) is running, and stop can only end executions no live process
// runs; stop a running one where it runs (serve's StopExecution API).
#include <unistd.h>

#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/services.h"
#include "engine/asl/parser.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/runtime/engine.h"
#include "steps/mock_step.h"

namespace mlflowctl::cli {

namespace {

StatusOr<history::ExecutionRecord> Resolve(history::ExecutionStore& store,
                                           const std::string& arn_or_name) {
  if (arn_or_name.rfind("arn:", 0) == 0) return store.GetExecution(arn_or_name);
  return store.FindExecutionByName(arn_or_name);
}

struct ListOptions {
  std::string status;
  std::string machine;
  int limit = 20;
  bool json = false;
};

int PrintExecutions(const ListOptions& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  history::ExecutionFilter filter;
  filter.limit = o.limit;
  if (!o.status.empty()) {
    filter.status = history::ParseExecutionStatus(o.status);
    if (!filter.status) {
      return Fail(InvalidArgumentError(fmt::format(
          "unknown status '{}': use RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or "
          "PENDING_REDRIVE",
          o.status)));
    }
  }
  if (!o.machine.empty()) {
    filter.state_machine_arn =
        o.machine.rfind("arn:", 0) == 0 ? o.machine : StateMachineArn(o.machine);
  }
  StatusOr<history::ExecutionPage> page = (*store)->ListExecutions(filter);
  if (!page.ok()) return Fail(page.status());
  if (o.json) {
    std::cout << ListExecutionsJson(*page);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : page->executions) {
    rows.push_back({r.name, std::string(history::ExecutionStatusName(r.status)),
                    r.state_machine_name, FormatLocalTime(r.start_ms),
                    r.stop_ms ? FormatDuration(*r.stop_ms - r.start_ms) : "-",
                    r.error.value_or("")});
  }
  PrintTable({"NAME", "STATUS", "MACHINE", "STARTED", "DURATION", "ERROR"}, rows);
  return kExitOk;
}

int PrintExecution(const std::string& id, bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  StatusOr<history::ExecutionRecord> r = Resolve(**store, id);
  if (!r.ok()) return Fail(r.status());
  if (json) {
    std::cout << DescribeExecutionJson(*r).dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("name:           {}\n", r->name)
            << fmt::format("arn:            {}\n", r->arn)
            << fmt::format("state machine:  {} (version {})\n", r->state_machine_name,
                           r->state_machine_version)
            << fmt::format("status:         {}\n", history::ExecutionStatusName(r->status))
            << fmt::format("started:        {}\n", FormatLocalTime(r->start_ms));
  if (r->stop_ms) {
    std::cout << fmt::format("stopped:        {} (took {})\n", FormatLocalTime(*r->stop_ms),
                             FormatDuration(*r->stop_ms - r->start_ms));
  }
  std::cout << fmt::format("input:          {}\n", r->input);
  if (r->output) std::cout << fmt::format("output:         {}\n", *r->output);
  if (r->error) std::cout << fmt::format("error:          {}\n", *r->error);
  if (r->cause) std::cout << fmt::format("cause:          {}\n", *r->cause);
  return kExitOk;
}

int PrintExecutionHistory(const std::string& id, bool reverse, bool json, int limit) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  StatusOr<history::ExecutionRecord> r = Resolve(**store, id);
  if (!r.ok()) return Fail(r.status());
  history::HistoryQuery q;
  q.reverse = reverse;
  q.limit = limit;
  if (json) {
    // The stored details text is copied, not parsed and printed again.
    StatusOr<std::string> out = HistoryJson(**store, r->arn, q);
    if (!out.ok()) return Fail(out.status());
    std::cout << *out;
    return kExitOk;
  }
  StatusOr<std::vector<history::HistoryEvent>> events = (*store)->GetHistory(r->arn, q);
  if (!events.ok()) return Fail(events.status());
  std::vector<std::vector<std::string>> rows;
  rows.reserve(events->size());
  for (const auto& e : *events) {
    rows.push_back({std::to_string(e.id), std::to_string(e.previous_event_id),
                    FormatDuration(e.timestamp_ms - r->start_ms), e.type, EventSummary(e)});
  }
  PrintTable({"ID", "PREV", "ELAPSED", "TYPE", "DETAILS"}, rows);
  return kExitOk;
}

struct RunAgainOptions {
  std::string id;  // ARN or name
  bool all = false;
  std::string mocks_file;
  bool json = false;
  bool quiet = false;
};

// The definition an execution ran with (its machine's version then).
StatusOr<std::pair<history::StateMachineRecord, std::shared_ptr<const asl::StateMachine>>>
LoadMachine(store::SqliteExecutionStore& store, const history::ExecutionRecord& r) {
  StatusOr<history::StateMachineRecord> machine =
      store.GetStateMachineVersion(r.state_machine_arn, r.state_machine_version);
  if (!machine.ok()) {
    return machine.status().WithContext(fmt::format("execution '{}'", r.name));
  }
  asl::ParseResult parsed = asl::Parse(machine->definition);
  if (!parsed.ok()) {
    return FailedPreconditionError(fmt::format(
        "the definition of state machine '{}' version {} no longer parses",
        machine->name, machine->version));
  }
  return std::make_pair(*machine, parsed.machine);
}

// Resumes (or, with `redrive`, redrives) executions in this process and
// runs them to their end.
int RunAgain(const RunAgainOptions& o, bool redrive) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  std::vector<history::ExecutionRecord> targets;
  if (o.all) {
    history::ExecutionFilter filter;
    filter.status = history::ExecutionStatus::kRunning;
    filter.limit = 1000;
    while (true) {
      StatusOr<history::ExecutionPage> page = (*store)->ListExecutions(filter);
      if (!page.ok()) return Fail(page.status());
      for (auto& r : page->executions) targets.push_back(std::move(r));
      if (!page->next_token) break;
      filter.page_token = page->next_token;
    }
  } else if (!o.id.empty()) {
    StatusOr<history::ExecutionRecord> r = Resolve(**store, o.id);
    if (!r.ok()) return Fail(r.status());
    targets.push_back(*r);
  } else {
    return Fail(InvalidArgumentError("give an execution ARN or name, or --all"));
  }

  const Clock& clock = *SystemClock::Default();
  Services services(**store, clock, HomeDir());
  runtime::ResourceRegistry mocked;
  const runtime::ResourceRegistry* resources = &services.builtins;
  if (!o.mocks_file.empty()) {
    StatusOr<Json> mocks = ParseJsonFile(o.mocks_file);
    if (!mocks.ok()) return Fail(mocks.status());
    if (Status s = steps::MockStep::Check(*mocks); !s.ok()) {
      return Fail(s.WithContext(o.mocks_file));
    }
    mocked.RegisterPrefix("",
                          std::make_shared<steps::MockStep>(std::move(*mocks), &services.builtins));
    resources = &mocked;
  }
  runtime::asio::io_context io;
  runtime::Engine engine(io, **store, *resources, clock);

  int exit_code = kExitOk;
  auto worst = [&exit_code](int code) {
    if (code == kExitOk) return;
    if (exit_code == kExitOk || code > exit_code) exit_code = code;
  };
  std::map<std::string, history::ExecutionRecord> done;
  std::size_t started = 0;
  for (const history::ExecutionRecord& r : targets) {
    auto loaded = LoadMachine(**store, r);
    if (!loaded.ok()) {
      worst(Fail(loaded.status()));
      continue;
    }
    auto on_done = [&done](const history::ExecutionRecord& end) { done[end.arn] = end; };
    Status s;
    if (redrive) {
      s = engine.RedriveExecution(loaded->first, loaded->second, r, on_done).status();
    } else {
      s = engine.ResumeExecution(loaded->first, loaded->second, r, on_done);
    }
    if (!s.ok()) {
      // With --all, executions another live process runs are skipped.
      if (o.all && s.code() == StatusCode::kFailedPrecondition) {
        if (!o.quiet) std::cerr << "mlflowctl: skipped: " << s.message() << "\n";
        continue;
      }
      worst(Fail(s));
      continue;
    }
    ++started;
    if (!o.quiet && !o.json) {
      std::cerr << fmt::format("execution {} {}\n", r.name, redrive ? "redriven" : "resumed");
    }
  }
  engine.RunUntilIdle();
  for (const auto& [arn, r] : done) {
    if (r.status == history::ExecutionStatus::kRunning) {
      // Not finished: a store error or a history that does not fit.
      worst(Fail(FailedPreconditionError(
          fmt::format("{}: {}: {}", r.name, r.error.value_or(""), r.cause.value_or("")))));
      continue;
    }
    if (o.json) {
      std::cout << RunResultJson(r).dump() << "\n";
    } else if (!o.quiet) {
      std::cerr << fmt::format("execution {} {}\n", r.name,
                               history::ExecutionStatusName(r.status));
    }
    if (r.status != history::ExecutionStatus::kSucceeded) worst(kExitExecutionFailed);
  }
  if (o.all && targets.empty() && !o.quiet) std::cerr << "no RUNNING executions\n";
  (void)started;
  return exit_code;
}

// Ends an execution that no live process runs (one left RUNNING by a
// process that ended) as ABORTED, with an ExecutionAborted event.
int Stop(const std::string& id, const std::string& error, const std::string& cause) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  StatusOr<history::ExecutionRecord> r = Resolve(**store, id);
  if (!r.ok()) return Fail(r.status());
  if (r->status != history::ExecutionStatus::kRunning) {
    return Fail(FailedPreconditionError(fmt::format(
        "execution '{}' is {}, not RUNNING", r->name, history::ExecutionStatusName(r->status))));
  }
  StatusOr<std::optional<int64_t>> owner = (*store)->ExecutionOwner(r->arn);
  if (!owner.ok()) return Fail(owner.status());
  if (owner->has_value() && **owner != ::getpid()) {
    return Fail(FailedPreconditionError(fmt::format(
        "execution '{}' runs in process {}; stop it there (serve's StopExecution API) "
        "or end that process, then stop or resume it here",
        r->name, **owner)));
  }
  // Owning it keeps another process from resuming it meanwhile.
  const int64_t now = ToEpochMillis(SystemClock::Default()->Now());
  StatusOr<history::ExecutionRecord> claimed = (*store)->ClaimExecution(r->arn, false, now);
  if (!claimed.ok()) return Fail(claimed.status());
  history::HistoryQuery last;
  last.reverse = true;
  last.limit = 1;
  StatusOr<std::vector<history::HistoryEvent>> tail = (*store)->GetHistory(r->arn, last);
  if (!tail.ok()) return Fail(tail.status());
  history::HistoryEvent event;
  event.id = tail->empty() ? 1 : tail->front().id + 1;
  event.previous_event_id = event.id - 1;
  event.timestamp_ms = now;
  event.type = "ExecutionAborted";
  event.details = Json::object();
  if (!error.empty()) event.details["error"] = error;
  if (!cause.empty()) event.details["cause"] = cause;
  history::ExecutionRecord rec = *claimed;
  rec.status = history::ExecutionStatus::kAborted;
  rec.stop_ms = now;
  if (!error.empty()) rec.error = error;
  if (!cause.empty()) rec.cause = cause;
  Status s = (*store)->AppendEvents(rec.arn, {event});
  if (s.ok()) s = (*store)->UpdateExecution(rec);
  if (s.ok()) s = (*store)->Sync();
  if (!s.ok()) return Fail(s);
  std::cerr << fmt::format("execution {} ABORTED\n", rec.name);
  return kExitOk;
}

}  // namespace

void AddExecutionsCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("executions", "Inspect recorded executions");
  cmd->require_subcommand(1);

  auto lo = std::make_shared<ListOptions>();
  auto* list = cmd->add_subcommand("list", "List executions, newest first");
  list->add_option("--status", lo->status, "Only this status (e.g. FAILED)");
  list->add_option("--machine", lo->machine, "Only this state machine (name or ARN)");
  list->add_option("--limit", lo->limit, "At most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  list->add_flag("--json", lo->json, "ListExecutions' response shape");
  list->callback([&run, lo] { run = [lo] { return PrintExecutions(*lo); }; });

  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* describe = cmd->add_subcommand("describe", "Show one execution");
  describe->add_option("execution", *id, "Execution ARN or name")->required();
  describe->add_flag("--json", *json, "DescribeExecution's response shape");
  describe->callback([&run, id, json] { run = [id, json] { return PrintExecution(*id, *json); }; });

  auto hid = std::make_shared<std::string>();
  auto hjson = std::make_shared<bool>(false);
  auto reverse = std::make_shared<bool>(false);
  auto limit = std::make_shared<int>(0);
  auto* hist = cmd->add_subcommand("history", "Show an execution's history events");
  hist->add_option("execution", *hid, "Execution ARN or name")->required();
  hist->add_flag("--reverse", *reverse, "Newest event first");
  hist->add_option("--limit", *limit, "At most this many events (default all)");
  hist->add_flag("--json", *hjson, "GetExecutionHistory's response shape");
  hist->callback([&run, hid, hjson, reverse, limit] {
    run = [=] { return PrintExecutionHistory(*hid, *reverse, *hjson, *limit); };
  });

  auto ro = std::make_shared<RunAgainOptions>();
  auto* resume = cmd->add_subcommand(
      "resume", "Continue executions left RUNNING by a process that ended (from their history)");
  resume->add_option("execution", ro->id, "Execution ARN or name");
  resume->add_flag("--all", ro->all, "Every RUNNING execution no live process runs");
  resume->add_option("--mocks", ro->mocks_file, "Answer Task states from a mocks file");
  resume->add_flag("--json", ro->json, "One result object per execution on stdout");
  resume->add_flag("--quiet,-q", ro->quiet, "No messages on stderr");
  resume->callback([&run, ro] { run = [ro] { return RunAgain(*ro, false); }; });

  auto dro = std::make_shared<RunAgainOptions>();
  auto* redrive = cmd->add_subcommand(
      "redrive", "Restart a FAILED, TIMED_OUT or ABORTED execution from what did not succeed");
  redrive->add_option("execution", dro->id, "Execution ARN or name")->required();
  redrive->add_option("--mocks", dro->mocks_file, "Answer Task states from a mocks file");
  redrive->add_flag("--json", dro->json, "The result object on stdout");
  redrive->add_flag("--quiet,-q", dro->quiet, "No messages on stderr");
  redrive->callback([&run, dro] { run = [dro] { return RunAgain(*dro, true); }; });

  auto sid = std::make_shared<std::string>();
  auto serror = std::make_shared<std::string>();
  auto scause = std::make_shared<std::string>();
  auto* stop = cmd->add_subcommand(
      "stop", "End a RUNNING execution that no live process runs as ABORTED");
  stop->add_option("execution", *sid, "Execution ARN or name")->required();
  stop->add_option("--error", *serror, "The error recorded");
  stop->add_option("--cause", *scause, "The cause recorded");
  stop->callback([&run, sid, serror, scause] {
    run = [=] { return Stop(*sid, *serror, *scause); };
  });
}

}  // namespace mlflowctl::cli
