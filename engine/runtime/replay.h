// ReplayLog: the recorded history of an execution split per frame, which a
// resumed or redriven execution replays (DESIGN.md §5).
//
// How resuming works: the interpreter runs the execution again from its
// start. Every frame (the top level "", each Parallel branch and each Map
// iteration) has a stable key, recorded with each of its events
// (HistoryEvent::frame): a child's key is its parent's key + "/" + the id of
// the ParallelStateStarted / MapStateStarted event that started its group +
// "." + the branch or iteration index, e.g. "/12.3". Ids are replayed, so a
// replayed frame gets the same key; a frame that runs live gets a new,
// unused one. While a frame has recorded events left, each event it emits
// takes the next one instead of appending (same type expected, else the
// resume fails), and recorded results stand in for work: a Task with a
// recorded result is not invoked again, a recorded StateExited output is
// used as is. Once a frame's events are used up it runs live, new events
// taking ids after the highest recorded one.
//
// Redrive: the recorded run ended with a failure. Its failure tail is cut
// from the frames on the failure path, so those events are not matched and
// the failed work runs again (CutFailureTail). Everything else, including
// the results of succeeded tasks, branches and iterations, is replayed.
//
// Plain value types and pure functions; thread-compatible.
#ifndef MLFLOWCTL_RUNTIME_REPLAY_H_
#define MLFLOWCTL_RUNTIME_REPLAY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status_or.h"
#include "engine/history/history_event.h"

namespace mlflowctl::runtime {

struct ReplayLog {
  // Each frame's events to replay, in id order. ExecutionStarted and
  // ExecutionRedriven are not in it (no frame emits them in replay).
  std::unordered_map<std::string, std::vector<history::HistoryEvent>> frames;
  int64_t last_id = 0;  // the highest recorded event id
  int redriven = 0;     // ExecutionRedriven events recorded
  // The last recorded event when it ends the execution (ExecutionSucceeded,
  // ...Failed, ...Aborted, ...TimedOut) and no redrive follows it.
  std::optional<history::HistoryEvent> terminal;
};

// Splits `events` (an execution's whole history, ids 1..N) per frame. The
// run before each recorded ExecutionRedriven has its failure tail cut; with
// `cut_end` the end is cut too (a redrive starting now). kDataLoss if the
// ids are not 1..N.
StatusOr<ReplayLog> BuildReplayLog(std::vector<history::HistoryEvent> events,
                                   bool cut_end);

// Removes the events of the last run's failure from the frames on its
// failure path: from the top level down, each frame loses its trailing
// failure events (Execution{Failed,Aborted,TimedOut}, MapIteration{Failed,
// Aborted}, {Map,Parallel}StateFailed, and the final attempt's TaskFailed or
// TaskTimedOut); when a frame then ends in a MapStateStarted or
// ParallelStateStarted, the branches or iterations of that group are on the
// path too. Failures that were caught or retried are kept, so their states
// are not run again.
void CutFailureTail(ReplayLog& log);

// The key of child `index` of the group started by event `started_id` in
// frame `parent`.
std::string ChildFrameKey(const std::string& parent, int64_t started_id,
                          std::size_t index);

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_REPLAY_H_
