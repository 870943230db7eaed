#include "engine/runtime/replay.h"

#include <string_view>

#include <fmt/format.h>

namespace mlflowctl::runtime {
namespace {

using history::HistoryEvent;

bool IsTaskFailure(std::string_view type) {
  return type == "TaskFailed" || type == "TaskTimedOut";
}

bool IsFailureEvent(std::string_view type) {
  return IsTaskFailure(type) || type == "ExecutionFailed" ||
         type == "ExecutionAborted" || type == "ExecutionTimedOut" ||
         type == "MapIterationFailed" || type == "MapIterationAborted" ||
         type == "MapStateFailed" || type == "ParallelStateFailed";
}

bool IsTerminal(std::string_view type) {
  return type == "ExecutionSucceeded" || type == "ExecutionFailed" ||
         type == "ExecutionAborted" || type == "ExecutionTimedOut";
}

// True when `key` is `prefix` followed by digits only: a direct child.
bool IsDirectChild(const std::string& key, const std::string& prefix) {
  if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  for (std::size_t i = prefix.size(); i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return false;
  }
  return true;
}

void CutFrame(ReplayLog& log, const std::string& key) {
  auto it = log.frames.find(key);
  if (it == log.frames.end()) return;
  std::vector<HistoryEvent>& events = it->second;
  while (!events.empty() && IsFailureEvent(events.back().type)) {
    bool task = IsTaskFailure(events.back().type);
    events.pop_back();
    if (task) break;  // earlier TaskFailed events are retried attempts
  }
  if (events.empty()) return;
  const HistoryEvent& last = events.back();
  if (last.type != "MapStateStarted" && last.type != "ParallelStateStarted") return;
  std::string prefix = ChildFrameKey(key, last.id, 0);
  prefix.pop_back();  // "<key>/<id>."
  std::vector<std::string> children;
  for (const auto& [k, unused] : log.frames) {
    if (IsDirectChild(k, prefix)) children.push_back(k);
  }
  for (const std::string& child : children) CutFrame(log, child);
}

}  // namespace

std::string ChildFrameKey(const std::string& parent, int64_t started_id,
                          std::size_t index) {
  return fmt::format("{}/{}.{}", parent, started_id, index);
}

void CutFailureTail(ReplayLog& log) {
  CutFrame(log, "");
  log.terminal.reset();
}

StatusOr<ReplayLog> BuildReplayLog(std::vector<HistoryEvent> events, bool cut_end) {
  ReplayLog log;
  for (HistoryEvent& event : events) {
    if (event.id != log.last_id + 1) {
      return DataLossError(fmt::format(
          "the recorded history skips from event {} to event {}", log.last_id,
          event.id));
    }
    log.last_id = event.id;
    log.terminal.reset();
    if (event.type == "ExecutionStarted") continue;
    if (event.type == "ExecutionRedriven") {
      CutFailureTail(log);
      ++log.redriven;
      continue;
    }
    if (IsTerminal(event.type)) log.terminal = event;
    std::string key = event.frame;
    log.frames[key].push_back(std::move(event));
  }
  if (cut_end) CutFailureTail(log);
  return log;
}

}  // namespace mlflowctl::runtime
