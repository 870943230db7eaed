#include "engine/triggers/trigger_runner.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <iostream>
#include <set>
#include <utility>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/triggers/md5.h"
#include "engine/triggers/trigger_events.h"

namespace mlflowctl::triggers {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

// The last `keep` slots of `s` in (from, to], oldest first. Enumerating
// from `from` could take long after a long stop (rate(1 minute) for a
// year), so it looks back through growing windows first.
std::vector<int64_t> DueSlots(const schedule::Schedule& s, int64_t from, int64_t to,
                              std::size_t keep) {
  constexpr int64_t kWindows[] = {kHourMs, kDayMs, 32 * kDayMs, 366 * kDayMs, 0};
  std::deque<int64_t> slots;
  for (int64_t window : kWindows) {
    int64_t start = (window == 0 || to - window <= from) ? from : to - window;
    slots.clear();
    for (std::optional<int64_t> next = s.NextAfter(start); next && *next <= to;
         next = s.NextAfter(*next)) {
      slots.push_back(*next);
      if (slots.size() > keep) slots.pop_front();
    }
    if (slots.size() >= keep || start == from) break;
  }
  return {slots.begin(), slots.end()};
}

std::string BucketName(const Trigger& t) {
  if (!t.bucket.empty()) return t.bucket;
  std::filesystem::path dir = std::filesystem::path(t.watch_dir).lexically_normal();
  std::string base = dir.filename().string();
  if (base.empty()) base = dir.parent_path().filename().string();
  return base;
}

// 16 characters [0-9A-Z], like S3's request ids.
std::string RequestId() {
  std::string id;
  for (char c : NewUuid()) {
    if (c != '-') id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (id.size() == 16) break;
  }
  return id;
}

}  // namespace

TriggerRunner::TriggerRunner(boost::asio::io_context& io, const Clock& clock,
                             TriggerStore& store, StartFn start, TriggerRunnerOptions options)
    : io_(io),
      clock_(clock),
      store_(store),
      start_(std::move(start)),
      options_(std::move(options)),
      timer_(io),
      alive_(std::make_shared<bool>(true)) {
  if (!options_.log) {
    options_.log = [](std::string_view line) {
      std::cerr << "mlflowctl: triggers: " << line << "\n";
    };
  }
}

TriggerRunner::~TriggerRunner() {
  *alive_ = false;
  stopped_ = true;
}

void TriggerRunner::Start() {
  stopped_ = false;
  boost::asio::post(io_, [this, alive = alive_] {
    if (*alive) Tick();
  });
}

void TriggerRunner::Stop() {
  stopped_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (*alive) timer_.cancel();
  });
}

void TriggerRunner::Tick() {
  if (stopped_) return;
  Poll();
  ArmTimer();
}

void TriggerRunner::ArmTimer() {
  if (stopped_) return;
  int64_t now = NowMs();
  int64_t delay = options_.poll_interval_ms;
  for (const auto& [id, state] : states_) {
    if (!state.schedule || !state.trigger.enabled) continue;
    if (std::optional<int64_t> next = state.schedule->NextAfter(state.cursor_ms)) {
      delay = std::min(delay, std::max<int64_t>(*next - now, 0));
    }
  }
  timer_.expires_after(std::chrono::milliseconds(delay));
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    Tick();
  });
}

void TriggerRunner::Poll() {
  StatusOr<std::vector<Trigger>> listed = store_.ListTriggers();
  if (!listed.ok()) {
    Report("store", fmt::format("cannot read the triggers: {}", listed.status().message()));
    return;
  }
  Clear("store");
  std::set<std::string> ids;
  for (Trigger& t : *listed) {
    ids.insert(t.id);
    auto [it, inserted] = states_.try_emplace(t.id);
    it->second.trigger = std::move(t);
  }
  for (auto it = states_.begin(); it != states_.end();) {
    it = ids.count(it->first) ? std::next(it) : states_.erase(it);
  }
  int64_t now = NowMs();
  for (auto& [id, state] : states_) {
    if (!state.trigger.enabled) continue;
    if (state.trigger.kind == TriggerKind::kSchedule) PollSchedule(state, now);
    if (state.trigger.kind == TriggerKind::kWatch) PollWatch(state, now);
  }
}

void TriggerRunner::PollSchedule(State& state, int64_t now) {
  const Trigger& t = state.trigger;
  if (!state.initialized) {
    StatusOr<schedule::Schedule> parsed = schedule::Schedule::Parse(t.schedule_expression, t.time_zone);
    if (!parsed.ok()) {
      Report("schedule:" + t.id,
             fmt::format("trigger '{}': {}", t.name, parsed.status().message()));
      return;
    }
    StatusOr<std::optional<int64_t>> last = store_.LastSlot(t.id);
    if (!last.ok()) {
      Report("store", fmt::format("trigger '{}': {}", t.name, last.status().message()));
      return;
    }
    state.schedule = parsed->WithStart(t.created_ms);
    state.cursor_ms = last->value_or(t.created_ms);
    state.initialized = true;
  }
  std::size_t keep = t.missed == MissedPolicy::kAll
                         ? static_cast<std::size_t>(std::max(options_.max_catch_up, 1))
                         : static_cast<std::size_t>(2 + options_.misfire_grace_ms / 60000);
  std::vector<int64_t> due = DueSlots(*state.schedule, state.cursor_ms, now, keep);
  if (due.empty()) return;
  std::vector<int64_t> fire;
  switch (t.missed) {
    case MissedPolicy::kLatest:
      fire.push_back(due.back());
      break;
    case MissedPolicy::kNone:
      for (int64_t slot : due) {
        if (now - slot <= options_.misfire_grace_ms) fire.push_back(slot);
      }
      break;
    case MissedPolicy::kAll:
      fire = due;
      break;
  }
  for (int64_t slot : fire) {
    bool recorded = Fire(t, SlotKey(slot), slot, [&t, slot] {
      return ScheduleInput(t.input, slot, t.name, NewUuid());
    });
    if (!recorded) return;  // the store failed: the cursor stays, the next poll retries
  }
  state.cursor_ms = due.back();
}

void TriggerRunner::PollWatch(State& state, int64_t now) {
  const Trigger& t = state.trigger;
  if (!state.watcher) {
    state.watcher = std::make_unique<FolderWatcher>(t.watch_dir, t.prefix, t.suffix,
                                                    options_.settle_ms);
  }
  FolderWatcher::ScanResult scan = state.watcher->Scan(now);
  std::string condition = "folder:" + t.id;
  if (!scan.present) {
    if (!state.folder_missing) {
      options_.log(fmt::format("trigger '{}': watched folder '{}' does not exist; waiting for it",
                               t.name, t.watch_dir));
    }
    state.folder_missing = true;
    return;
  }
  if (state.folder_missing) {
    options_.log(fmt::format("trigger '{}': watched folder '{}' is back", t.name, t.watch_dir));
    state.folder_missing = false;
  }
  if (!scan.error.empty()) {
    Report(condition, fmt::format("trigger '{}': {}", t.name, scan.error));
  } else {
    Clear(condition);
  }
  for (const WatchedFile& file : scan.settled) {
    bool recorded = Fire(t, file.Key(), std::nullopt, [&t, &file, now]() -> StatusOr<Json> {
      StatusOr<std::string> etag = Md5OfFile(file.path);
      if (!etag.ok()) return etag.status();
      ObjectCreated o;
      o.bucket = BucketName(t);
      o.key = file.relative;
      o.size = file.size;
      o.etag = *etag;
      o.sequencer = fmt::format("{:018X}", file.mtime_ns);
      o.time_ms = now;
      o.id = NewUuid();
      o.request_id = RequestId();
      Json event = t.event_shape == EventShape::kS3 ? ObjectCreatedS3Record(o, t.name)
                                                    : ObjectCreatedEventBridgeEvent(o);
      return EventInput(std::move(event), t.input);
    });
    if (!recorded) state.watcher->Retry(file);
  }
}

void TriggerRunner::OnExecutionStatus(const history::ExecutionRecord& record) {
  if (record.status == history::ExecutionStatus::kRunning) return;
  boost::asio::post(io_, [this, alive = alive_, record] {
    if (*alive && !stopped_) HandleExecutionStatus(record);
  });
}

void TriggerRunner::HandleExecutionStatus(const history::ExecutionRecord& record) {
  StatusOr<std::vector<Trigger>> listed = store_.ListTriggers();
  if (!listed.ok()) {
    options_.log(fmt::format("cannot read the triggers for the end of {}: {}", record.arn,
                             listed.status().message()));
    return;
  }
  std::string status(ExecutionStatusName(record.status));
  int64_t now = NowMs();
  for (const Trigger& t : *listed) {
    if (!t.enabled || t.kind != TriggerKind::kExecutionEvent) continue;
    bool machine = t.source_machine == record.state_machine_arn ||
                   MachineName(t.source_machine) == record.state_machine_name;
    std::vector<std::string> statuses = EffectiveStatuses(t);
    if (!machine || std::find(statuses.begin(), statuses.end(), status) == statuses.end()) {
      continue;
    }
    std::string key = fmt::format("{}|{}|{}", record.arn, status, record.redrive_count);
    (void)Fire(t, key, std::nullopt, [&t, &record, now] {
      return EventInput(ExecutionStatusChangeEvent(record, NewUuid(), now), t.input);
    });
  }
}

bool TriggerRunner::Fire(const Trigger& t, const std::string& key, std::optional<int64_t> slot_ms,
                         const std::function<StatusOr<Json>()>& input) {
  Firing firing{t.id, t.name, key, slot_ms, NowMs(), std::nullopt, std::nullopt};
  StatusOr<bool> claimed = store_.ClaimFiring(firing);
  if (!claimed.ok()) {
    if (claimed.status().code() == StatusCode::kNotFound) return true;  // removed meanwhile
    Report("store", fmt::format("trigger '{}': cannot record firing {}: {}", t.name, key,
                                claimed.status().message()));
    return false;
  }
  if (!*claimed) return true;  // fired already, here or by another process
  std::optional<std::string> arn;
  std::optional<std::string> error;
  StatusOr<Json> built = input();
  if (!built.ok()) {
    error = built.status().message();
  } else {
    StatusOr<std::string> started = start_(t.machine, DumpJson(*built));
    if (started.ok()) {
      arn = *started;
    } else {
      error = started.status().message();
    }
  }
  if (error) options_.log(fmt::format("trigger '{}' ({}): {}", t.name, key, *error));
  Status finished = store_.FinishFiring(t.id, key, arn, error);
  if (!finished.ok()) {
    options_.log(fmt::format("trigger '{}': cannot record the outcome of {}: {}", t.name, key,
                             finished.message()));
  }
  return true;
}

void TriggerRunner::Report(const std::string& condition, const std::string& message) {
  auto it = reporting_.find(condition);
  if (it != reporting_.end() && it->second == message) return;
  reporting_[condition] = message;
  options_.log(message);
}

void TriggerRunner::Clear(const std::string& condition) { reporting_.erase(condition); }

int64_t TriggerRunner::NowMs() const { return ToEpochMillis(clock_.Now()); }

}  // namespace mlflowctl::triggers
