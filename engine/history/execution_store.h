// ExecutionStore: where state machines, executions and history events are
// kept. The runtime sees only this interface (engine/store implements it on
// SQLite; MemoryStore in this module keeps everything in memory for tests).
// Implementations are thread-safe: every method may be called from any
// thread.
//
// Durability contract (DESIGN.md §5): AppendEvents may buffer (group
// commit); Sync() returns only once everything appended before it is
// durable. The runtime calls Sync() before any side effect starts and before
// reporting an execution as finished.
#ifndef MLFLOWCTL_HISTORY_EXECUTION_STORE_H_
#define MLFLOWCTL_HISTORY_EXECUTION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_record.h"
#include "engine/history/history_event.h"

namespace mlflowctl::history {

struct ExecutionFilter {
  std::optional<ExecutionStatus> status;
  std::optional<std::string> state_machine_arn;
  int limit = 100;                 // newest first
  std::optional<std::string> page_token;  // opaque, from a previous page
};

struct ExecutionPage {
  std::vector<ExecutionRecord> executions;
  std::optional<std::string> next_token;
};

struct HistoryQuery {
  bool reverse = false;
  int limit = 0;                 // 0 = all
  int64_t after_id = 0;          // forward: ids > after_id; reverse: ids < after_id (0 = from the end)
};

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // State machines. Put creates the machine (version 1) or, if a machine of
  // that name exists with a different definition, updates it (version + 1).
  // Returns the stored record.
  virtual StatusOr<StateMachineRecord> PutStateMachine(
      const StateMachineRecord& record) = 0;
  // kNotFound if none.
  virtual StatusOr<StateMachineRecord> GetStateMachine(const std::string& arn) = 0;
  // The state machine as it was at `version` (1 = as created), e.g. the one
  // an execution ran; kNotFound if the machine or that version does not
  // exist.
  virtual StatusOr<StateMachineRecord> GetStateMachineVersion(const std::string& arn,
                                                              int64_t version) = 0;
  virtual StatusOr<std::vector<StateMachineRecord>> ListStateMachines() = 0;
  // kNotFound if none. Executions are kept.
  virtual Status DeleteStateMachine(const std::string& arn) = 0;

  // Executions. kAlreadyExists if the ARN exists. Durable on return.
  virtual Status CreateExecution(const ExecutionRecord& record) = 0;
  // Replaces status/output/error/cause/stop and the redrive count and date
  // of an existing execution (kNotFound otherwise). Buffered like
  // AppendEvents. A status other than RUNNING ends the owner's claim.
  virtual Status UpdateExecution(const ExecutionRecord& record) = 0;
  // kNotFound if none. Sees buffered writes.
  virtual StatusOr<ExecutionRecord> GetExecution(const std::string& arn) = 0;
  // The newest execution named `name` (any state machine); kNotFound if none.
  virtual StatusOr<ExecutionRecord> FindExecutionByName(const std::string& name) = 0;
  // Newest first by start time.
  virtual StatusOr<ExecutionPage> ListExecutions(const ExecutionFilter& filter) = 0;

  // Claims an execution for this process before it resumes or redrives it
  // (one owner per RUNNING execution; DESIGN.md §5), and returns its record.
  // Without `redrive` the execution must be RUNNING and not owned by another
  // live process. With `redrive` it must be FAILED, TIMED_OUT or ABORTED; it
  // becomes RUNNING with redrive_count + 1, redrive_ms = now_ms and no stop
  // date, output, error or cause. kFailedPrecondition otherwise (with the
  // reason), kNotFound if there is no such execution. Durable on return.
  // CreateExecution of a RUNNING execution makes the creating process its
  // owner; stores without processes (MemoryStore) only check the status.
  virtual StatusOr<ExecutionRecord> ClaimExecution(const std::string& arn,
                                                   bool redrive,
                                                   int64_t now_ms) = 0;

  // History. Events of one execution must be appended in id order without
  // gaps (kFailedPrecondition otherwise). May be buffered.
  virtual Status AppendEvents(const std::string& execution_arn,
                              const std::vector<HistoryEvent>& events) = 0;
  virtual StatusOr<std::vector<HistoryEvent>> GetHistory(
      const std::string& execution_arn, const HistoryQuery& query) = 0;

  // Makes every buffered write durable.
  virtual Status Sync() = 0;
};

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_EXECUTION_STORE_H_
