// mlflowctl executions list|describe|history: inspect recorded executions.
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/base/ids.h"

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

int List(const ListOptions& o) {
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
    Json items = Json::array();
    for (const auto& r : page->executions) items.push_back(ExecutionListItemJson(r));
    Json out{{"executions", items}};
    if (page->next_token) out["nextToken"] = *page->next_token;
    std::cout << out.dump(2) << "\n";
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

int Describe(const std::string& id, bool json) {
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

int History(const std::string& id, bool reverse, bool json, int limit) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  StatusOr<history::ExecutionRecord> r = Resolve(**store, id);
  if (!r.ok()) return Fail(r.status());
  history::HistoryQuery q;
  q.reverse = reverse;
  q.limit = limit;
  StatusOr<std::vector<history::HistoryEvent>> events = (*store)->GetHistory(r->arn, q);
  if (!events.ok()) return Fail(events.status());
  if (json) {
    std::string out = "{\"events\":[";
    for (std::size_t i = 0; i < events->size(); ++i) {
      if (i) out += ",";
      out += (*events)[i].ToApiJson().dump();
    }
    out += "]}\n";
    std::cout << out;
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(events->size());
  for (const auto& e : *events) {
    rows.push_back({std::to_string(e.id), std::to_string(e.previous_event_id),
                    FormatDuration(e.timestamp_ms - r->start_ms), e.type, EventSummary(e)});
  }
  PrintTable({"ID", "PREV", "ELAPSED", "TYPE", "DETAILS"}, rows);
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
  list->callback([&run, lo] { run = [lo] { return List(*lo); }; });

  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* describe = cmd->add_subcommand("describe", "Show one execution");
  describe->add_option("execution", *id, "Execution ARN or name")->required();
  describe->add_flag("--json", *json, "DescribeExecution's response shape");
  describe->callback([&run, id, json] { run = [id, json] { return Describe(*id, *json); }; });

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
    run = [=] { return History(*hid, *reverse, *hjson, *limit); };
  });
}

}  // namespace mlflowctl::cli
