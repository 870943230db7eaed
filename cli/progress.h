// Progress: live display of an execution on stderr. On a terminal one status
// line is redrawn (current state, states done, elapsed) and retries and
// failures are kept as lines; otherwise each state entered and exited is one
// plain line. Called from the engine's io_context thread only.
#ifndef MLFLOWCTL_CLI_PROGRESS_H_
#define MLFLOWCTL_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "engine/history/history_event.h"

namespace mlflowctl::cli {

class Progress {
 public:
  // `enabled` false prints nothing; `tty` selects the redrawn status line.
  Progress(bool enabled, bool tty);
  void OnEvent(const history::HistoryEvent& event);
  // Clears the status line before the final report.
  void Finish();

 private:
  void Redraw(const std::string& current);
  double Elapsed() const;

  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t entered_ = 0;
  int64_t exited_ = 0;
  std::map<std::string, int64_t> entered_at_ms_;  // state name -> elapsed ms
  bool line_drawn_ = false;
};

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_PROGRESS_H_
