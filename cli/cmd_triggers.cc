// mlflowctl triggers add|list|remove|history|preview.
//
// add --machine NAME (--schedule EXPR [--tz Z] [--missed latest|none|all] |
//     --watch DIR [--event-shape eventbridge|s3] [--bucket B] [--prefix P]
//     [--suffix S] | --on-execution MACHINE [--status SUCCEEDED,FAILED])
//     [--input JSON] [--name N] [--json]
//   stores a trigger (engine/triggers/trigger.h); `mlflowctl serve` fires
//   it. An invalid expression, zone, status or input exits 2 with the
//   message.
// list [--json], remove NAME, history NAME [--limit N] [--json]: the
//   triggers and each one's firings, newest first.
// preview EXPR [--tz ZONE] [--count N] [--after TIME] [--start TIME] [--json]
//   prints the next firing times of an EventBridge schedule expression
//   (rate(...), cron(...), at(...)) as the AWS console previews them: one
//   per line, ISO-8601 in the schedule's zone with its offset. --json prints
//   them in UTC.
#include "cli/cmd_triggers.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/base/json_util.h"
#include "engine/schedule/schedule.h"
#include "engine/schedule/time_zone.h"
#include "engine/store/sqlite_trigger_store.h"
#include "engine/triggers/trigger.h"

namespace mlflowctl::cli {

namespace {

struct PreviewOptions {
  std::string expression;
  std::string time_zone = "UTC";
  int count = 10;
  std::string after;  // empty: now
  std::string start;  // rate only; empty: the --after instant
  bool json = false;
};

// An instant given as RFC 3339 with an offset ("2026-11-24T12:00:00Z",
// "...+01:00") or as a wall time in the schedule's zone
// ("2026-11-24T12:00:00").
StatusOr<int64_t> ParseInstant(const std::string& option, const std::string& text,
                               const schedule::TimeZone& zone) {
  if (std::optional<TimePoint> t = ParseIso8601(text)) return ToEpochMillis(*t);
  std::optional<schedule::WallTime> wall = schedule::WallTime::Parse(text);
  if (!wall) {
    return InvalidArgumentError(fmt::format(
        "{} '{}': expected yyyy-mm-ddThh:mm:ss with an optional Z or +hh:mm offset", option, text));
  }
  schedule::TimeZone::Resolution r = zone.FromWall(*wall);
  if (r.kind == schedule::TimeZone::Kind::kNonexistent) {
    return InvalidArgumentError(
        fmt::format("{} '{}': that wall time does not exist in {}", option, text, zone.name()));
  }
  return r.earliest_seconds * 1000;
}

std::string FormatUtc(int64_t epoch_ms) {
  int64_t seconds = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
  return schedule::TimeZone::Utc().ToWall(seconds).ToString() + "Z";
}

int Preview(const PreviewOptions& o) {
  auto parsed = schedule::Schedule::Parse(o.expression, o.time_zone);
  if (!parsed.ok()) return Fail(parsed.status());
  schedule::Schedule s = *std::move(parsed);

  int64_t after = ToEpochMillis(SystemClock::Default()->Now());
  if (!o.after.empty()) {
    auto t = ParseInstant("--after", o.after, s.zone());
    if (!t.ok()) return Fail(t.status());
    after = *t;
  }
  if (!o.start.empty()) {
    if (s.kind() != schedule::Schedule::Kind::kRate) {
      return Fail(InvalidArgumentError("--start applies only to rate(...) expressions"));
    }
    auto t = ParseInstant("--start", o.start, s.zone());
    if (!t.ok()) return Fail(t.status());
    s = s.WithStart(*t);
  }

  std::vector<int64_t> firings = s.Next(after, o.count);
  if (o.json) {
    Json list = Json::array();
    for (int64_t ms : firings) list.push_back(FormatUtc(ms));
    std::cout << Json{{"ScheduleExpression", s.expression()},
                      {"ScheduleExpressionTimezone", s.time_zone()},
                      {"After", FormatUtc(after)},
                      {"Firings", list}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  for (int64_t ms : firings) std::cout << s.FormatLocal(ms) << "\n";
  if (firings.empty()) {
    std::cerr << fmt::format("mlflowctl: {} does not fire after {}\n", s.expression(),
                             s.FormatLocal(after));
  }
  return kExitOk;
}

struct AddOptions {
  std::string machine;
  std::string schedule;
  std::string time_zone = "UTC";
  std::string missed = "latest";
  std::string watch;
  std::string event_shape = "eventbridge";
  std::string bucket;
  std::string prefix;
  std::string suffix;
  std::string on_execution;
  std::string statuses;  // comma-separated
  std::string input;
  bool has_input = false;
  std::string name;
  bool json = false;
};

struct TriggerOptions {
  std::string name;
  int limit = 20;
  bool json = false;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t b = item.find_first_not_of(" \t");
    std::size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) items.push_back(item.substr(b, e - b + 1));
  }
  return items;
}

// The trigger that `add` describes, or kInvalidArgument.
StatusOr<triggers::Trigger> TriggerFrom(const AddOptions& o) {
  int kinds = !o.schedule.empty() + !o.watch.empty() + !o.on_execution.empty();
  if (kinds != 1) {
    return InvalidArgumentError(
        "give exactly one of --schedule EXPR, --watch DIR or --on-execution MACHINE");
  }
  triggers::Trigger t;
  t.machine = o.machine;
  if (o.has_input) t.input = o.input;
  std::string kind_word;
  if (!o.schedule.empty()) {
    t.kind = triggers::TriggerKind::kSchedule;
    t.schedule_expression = o.schedule;
    t.time_zone = o.time_zone;
    std::optional<triggers::MissedPolicy> missed = triggers::ParseMissedPolicy(o.missed);
    if (!missed) {
      return InvalidArgumentError(
          fmt::format("--missed '{}': expected latest, none or all", o.missed));
    }
    t.missed = *missed;
    kind_word = "schedule";
  } else if (!o.watch.empty()) {
    t.kind = triggers::TriggerKind::kWatch;
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(o.watch, ec);
    t.watch_dir = (ec ? std::filesystem::path(o.watch) : dir).lexically_normal().string();
    if (t.watch_dir.size() > 1 && t.watch_dir.back() == '/') t.watch_dir.pop_back();
    std::optional<triggers::EventShape> shape = triggers::ParseEventShape(o.event_shape);
    if (!shape) {
      return InvalidArgumentError(
          fmt::format("--event-shape '{}': expected eventbridge or s3", o.event_shape));
    }
    t.event_shape = *shape;
    t.bucket = o.bucket;
    t.prefix = o.prefix;
    t.suffix = o.suffix;
    kind_word = "watch";
  } else {
    t.kind = triggers::TriggerKind::kExecutionEvent;
    t.source_machine = o.on_execution;
    t.statuses = SplitList(o.statuses);
    for (std::string& s : t.statuses) {
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    kind_word = "on";
  }
  t.name = o.name;
  if (t.name.empty()) t.name = fmt::format("{}-{}-{}", o.machine, kind_word, NewUuid().substr(0, 8));
  return t;
}

// What a trigger reacts to, in a few words.
std::string Source(const triggers::Trigger& t) {
  switch (t.kind) {
    case triggers::TriggerKind::kSchedule:
      return t.time_zone == "UTC" ? t.schedule_expression
                                  : fmt::format("{} {}", t.schedule_expression, t.time_zone);
    case triggers::TriggerKind::kWatch:
      return fmt::format("{}{}", t.watch_dir,
                         t.prefix.empty() && t.suffix.empty()
                             ? ""
                             : fmt::format(" ({}*{})", t.prefix, t.suffix));
    case triggers::TriggerKind::kExecutionEvent: {
      std::string statuses;
      for (const std::string& s : triggers::EffectiveStatuses(t)) {
        statuses += (statuses.empty() ? "" : ",") + s;
      }
      return fmt::format("{} {}", t.source_machine, statuses);
    }
  }
  return "";
}

// A note (not an error: it may be created later) when the machine to start
// is not in the store.
void NoteMissingMachine(store::SqliteExecutionStore& executions, const std::string& machine) {
  std::string arn = machine.starts_with("arn:") ? machine : StateMachineArn(machine);
  StatusOr<history::StateMachineRecord> found = executions.GetStateMachine(arn);
  if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
    std::cerr << fmt::format(
        "mlflowctl: note: state machine '{}' does not exist yet; firings fail until it is "
        "created (mlflowctl run, or CreateStateMachine through serve)\n",
        machine);
  }
}

int Add(const AddOptions& o) {
  StatusOr<triggers::Trigger> t = TriggerFrom(o);
  if (!t.ok()) return Fail(t.status());
  Status valid = triggers::ValidateTrigger(*t);
  if (!valid.ok()) return Fail(valid);
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteTriggerStore triggers_store(store->get(), SystemClock::Default());
  StatusOr<triggers::Trigger> created = triggers_store.CreateTrigger(*t);
  if (!created.ok()) return Fail(created.status());
  NoteMissingMachine(**store, created->machine);
  if (created->kind == triggers::TriggerKind::kWatch &&
      !std::filesystem::is_directory(created->watch_dir)) {
    std::cerr << fmt::format(
        "mlflowctl: note: folder '{}' does not exist yet; the trigger waits for it\n",
        created->watch_dir);
  }
  if (o.json) {
    std::cout << triggers::TriggerToJson(*created).dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("created trigger {} ({}): {} -> {}\n", created->name,
                           triggers::TriggerKindName(created->kind), Source(*created),
                           created->machine);
  if (created->kind == triggers::TriggerKind::kSchedule) {
    auto s = schedule::Schedule::Parse(created->schedule_expression, created->time_zone);
    if (s.ok()) {
      std::optional<int64_t> next = s->WithStart(created->created_ms).NextAfter(created->created_ms);
      if (next) std::cout << fmt::format("next firing: {}\n", s->FormatLocal(*next));
    }
  }
  return kExitOk;
}

int PrintTriggers(const TriggerOptions& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteTriggerStore triggers_store(store->get(), SystemClock::Default());
  auto list = triggers_store.ListTriggers();
  if (!list.ok()) return Fail(list.status());
  if (o.json) {
    Json items = Json::array();
    for (const auto& t : *list) items.push_back(triggers::TriggerToJson(t));
    std::cout << Json{{"Triggers", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : *list) {
    rows.push_back({t.name, std::string(triggers::TriggerKindName(t.kind)), t.machine, Source(t),
                    t.enabled ? "ENABLED" : "DISABLED", FormatLocalTime(t.created_ms)});
  }
  PrintTable({"NAME", "KIND", "MACHINE", "ON", "STATE", "CREATED"}, rows);
  return kExitOk;
}

int Remove(const TriggerOptions& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteTriggerStore triggers_store(store->get(), SystemClock::Default());
  Status removed = triggers_store.DeleteTrigger(o.name);
  if (!removed.ok()) return Fail(removed);
  std::cout << fmt::format("removed trigger {}\n", o.name);
  return kExitOk;
}

int PrintTriggerHistory(const TriggerOptions& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteTriggerStore triggers_store(store->get(), SystemClock::Default());
  auto t = triggers_store.GetTrigger(o.name);
  if (!t.ok()) return Fail(t.status());
  auto firings = triggers_store.ListFirings(t->id, o.limit);
  if (!firings.ok()) return Fail(firings.status());
  if (o.json) {
    Json items = Json::array();
    for (const auto& f : *firings) items.push_back(triggers::FiringToJson(f));
    std::cout << Json{{"Name", t->name}, {"Firings", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : *firings) {
    std::string outcome = f.execution_arn ? *f.execution_arn
                          : f.error       ? "error: " + *f.error
                                          : "(starting)";
    rows.push_back({FormatLocalTime(f.fired_ms), f.key, outcome});
  }
  PrintTable({"FIRED", "SLOT OR KEY", "EXECUTION"}, rows);
  return kExitOk;
}

}  // namespace

void AddTriggersCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "triggers", "Schedules, watched folders and execution events that start executions");
  cmd->require_subcommand(1);

  auto a = std::make_shared<AddOptions>();
  auto* add = cmd->add_subcommand("add", "Add a schedule, folder or execution-event trigger");
  add->add_option("--machine", a->machine, "State machine to start (name or ARN)")->required();
  add->add_option("--schedule", a->schedule,
                  "rate(5 minutes), cron(0 12 * * ? *) or at(2026-11-24T12:00:00)");
  add->add_option("--tz", a->time_zone, "IANA time zone of the schedule")->default_str("UTC");
  add->add_option("--missed", a->missed,
                  "Slots missed while serve was stopped: latest (fire once for the latest), "
                  "none, or all (at most 100)")
      ->default_str("latest");
  add->add_option("--watch", a->watch, "Folder whose new files start executions (recursive)");
  add->add_option("--event-shape", a->event_shape,
                  "Input for a file: eventbridge (\"Object Created\") or s3 (classic Records)")
      ->default_str("eventbridge");
  add->add_option("--bucket", a->bucket, "Bucket name in the event (default: the folder's name)");
  add->add_option("--prefix", a->prefix, "Only files whose relative path starts with this");
  add->add_option("--suffix", a->suffix, "Only files whose name ends with this, e.g. .csv");
  add->add_option("--on-execution", a->on_execution,
                  "State machine whose executions' end starts --machine");
  add->add_option("--status", a->statuses,
                  "With --on-execution: statuses that fire, comma-separated (default SUCCEEDED)");
  auto* input = add->add_option("--input", a->input,
                  "JSON: the input of a scheduled execution; for files and execution events, "
                  "members added to the event");
  add->add_option("--name", a->name, "Trigger name (default: MACHINE-KIND-xxxxxxxx)");
  add->add_flag("--json", a->json, "Print the trigger as JSON");
  add->callback([&run, a, input] {
    a->has_input = input->count() > 0;
    run = [a] { return Add(*a); };
  });

  auto l = std::make_shared<TriggerOptions>();
  auto* list = cmd->add_subcommand("list", "List the triggers");
  list->add_flag("--json", l->json, "Print {\"Triggers\": [...]}");
  list->callback([&run, l] { run = [l] { return PrintTriggers(*l); }; });

  auto r = std::make_shared<TriggerOptions>();
  auto* remove = cmd->add_subcommand("remove", "Remove a trigger and its firing history");
  remove->add_option("name", r->name, "Trigger name")->required();
  remove->callback([&run, r] { run = [r] { return Remove(*r); }; });

  auto h = std::make_shared<TriggerOptions>();
  auto* history = cmd->add_subcommand("history", "Show a trigger's firings, newest first");
  history->add_option("name", h->name, "Trigger name")->required();
  history->add_option("--limit", h->limit, "At most this many (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->default_str("20");
  history->add_flag("--json", h->json, "Print {\"Name\", \"Firings\": [...]}");
  history->callback([&run, h] { run = [h] { return PrintTriggerHistory(*h); }; });

  auto p = std::make_shared<PreviewOptions>();
  auto* preview = cmd->add_subcommand(
      "preview", "Print the next firing times of a schedule expression, as the AWS console does");
  preview
      ->add_option("expression", p->expression,
                   "rate(5 minutes), cron(0 12 * * ? *) or at(2026-11-24T12:00:00)")
      ->required();
  preview->add_option("--tz", p->time_zone, "IANA time zone the expression is evaluated in")
      ->default_str("UTC");
  preview->add_option("--count", p->count, "How many firings to print")
      ->check(CLI::Range(1, 1000))
      ->default_str("10");
  preview->add_option("--after", p->after,
                      "Print firings strictly after this time (default: now); "
                      "ISO-8601, a time without offset is in --tz");
  preview->add_option("--start", p->start,
                      "For rate(): the first firing (default: the --after time)");
  preview->add_flag("--json", p->json, "Print the firings in UTC as JSON");
  preview->callback([&run, p] { run = [p] { return Preview(*p); }; });
}

}  // namespace mlflowctl::cli
