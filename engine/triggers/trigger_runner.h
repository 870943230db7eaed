// TriggerRunner: fires the triggers of a TriggerStore on an io_context (the
// serve process's engine thread): schedules at their slots, watched folders
// when a file has settled, execution-event triggers when an execution ends.
// Each firing is first claimed in the store (unique per trigger and slot or
// file), then started through StartFn, then its execution ARN (or the error
// StartFn returned) recorded: a slot or file fires at most once, across
// restarts and across processes sharing the store; a crash between the
// claim and the start loses that one firing rather than repeating it.
//
// Schedules. Every poll, the slots in (cursor, now] are due, where the
// cursor starts, when the runner first sees the trigger, at the latest slot
// the store has recorded for it, else at its creation (a rate counts from
// the creation too). A due slot older than misfire_grace_ms was missed (the
// process was stopped, or the loop stalled); the trigger's MissedPolicy
// decides: "latest" fires only the latest due slot, "none" fires only the
// slots within the grace (on time) and skips the missed ones, "all" fires
// every due slot, oldest first, at most the last max_catch_up. Skipped
// slots are not recorded. An at() schedule fires once.
//
// Watched folders: see FolderWatcher (settling, ignored names). Files that
// are already in the folder when the trigger is first polled fire too, each
// (path, size, mtime) once. A folder that disappears is logged once; the
// trigger waits and resumes when it reappears.
//
// Threading: Start, Poll and the firings run on the io_context's thread
// (Poll may also be called directly while the io_context is not running,
// as tests do). OnExecutionStatus and Stop are thread-safe (they post).
// StartFn is called on the io_context's thread. The destructor must run
// after Stop, on the io_context's thread or once it no longer runs.
#ifndef MLFLOWCTL_TRIGGERS_TRIGGER_RUNNER_H_
#define MLFLOWCTL_TRIGGERS_TRIGGER_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_record.h"
#include "engine/schedule/schedule.h"
#include "engine/triggers/folder_watcher.h"
#include "engine/triggers/trigger.h"
#include "engine/triggers/trigger_store.h"

namespace mlflowctl::triggers {

struct TriggerRunnerOptions {
  // How often the store's triggers are reloaded and folders scanned; a
  // schedule's timer also wakes at its next slot when that is sooner.
  int64_t poll_interval_ms = 500;
  // How long a file's size and mtime must stay unchanged before it fires.
  int64_t settle_ms = 1000;
  // A due slot older than this was missed (see MissedPolicy).
  int64_t misfire_grace_ms = 60000;
  // MissedPolicy::kAll fires at most this many missed slots.
  int max_catch_up = 100;
  // Where the runner reports what it cannot do (a missing folder, a store
  // error, a schedule that no longer parses); each condition once until it
  // clears. Default: "mlflowctl: triggers: ..." on stderr.
  std::function<void(std::string_view)> log;
};

// Starts an execution of `machine` (a name or ARN) with `input_json`;
// returns its ARN, or why it could not start.
using StartFn =
    std::function<StatusOr<std::string>(const std::string& machine, const std::string& input_json)>;

class TriggerRunner {
 public:
  // `io`, `clock` and `store` are not owned and must outlive the runner.
  TriggerRunner(boost::asio::io_context& io, const Clock& clock, TriggerStore& store,
                StartFn start, TriggerRunnerOptions options = {});
  ~TriggerRunner();
  TriggerRunner(const TriggerRunner&) = delete;
  TriggerRunner& operator=(const TriggerRunner&) = delete;

  // Polls at once (posted) and then every poll interval until Stop.
  void Start();
  // Stops polling; firings already posted are dropped. Thread-safe.
  void Stop();

  // One round at the clock's now: reloads the triggers, fires due schedule
  // slots and settled files. Errors are logged and recorded, not returned.
  void Poll();

  // An execution ended (or changed status): the execution-event triggers
  // whose source machine and statuses match start their machine with the
  // "Execution Status Change" event. Thread-safe: the work is posted to the
  // io_context. RUNNING records are ignored.
  void OnExecutionStatus(const history::ExecutionRecord& record);

 private:
  struct State {
    Trigger trigger;
    // Schedules.
    bool initialized = false;
    std::optional<schedule::Schedule> schedule;
    int64_t cursor_ms = 0;
    // Watches.
    std::unique_ptr<FolderWatcher> watcher;
    bool folder_missing = false;
  };

  void Tick();
  void ArmTimer();
  void PollSchedule(State& state, int64_t now_ms);
  void PollWatch(State& state, int64_t now_ms);
  void HandleExecutionStatus(const history::ExecutionRecord& record);
  // Claims (trigger, key); when claimed, builds the input and starts the
  // execution, recording the outcome. False only when the claim could not
  // be recorded (a store error), so the caller may try again.
  bool Fire(const Trigger& trigger, const std::string& key, std::optional<int64_t> slot_ms,
            const std::function<StatusOr<Json>()>& input);
  // Logs `message` unless `condition` is already being reported.
  void Report(const std::string& condition, const std::string& message);
  void Clear(const std::string& condition);
  int64_t NowMs() const;

  boost::asio::io_context& io_;
  const Clock& clock_;
  TriggerStore& store_;
  StartFn start_;
  TriggerRunnerOptions options_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopped_{false};
  // False once the runner is destroyed: handlers still queued do nothing.
  std::shared_ptr<bool> alive_;
  std::map<std::string, State> states_;              // by trigger id
  std::map<std::string, std::string> reporting_;     // condition -> message
};

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_TRIGGER_RUNNER_H_
