// MemoryStore: an ExecutionStore that keeps everything in memory, for tests
// and for embedding the engine without a database. Every write is "durable"
// as soon as it returns, so Sync() has nothing to do. Thread-safe: one mutex
// guards all state.
#ifndef MLFLOWCTL_HISTORY_MEMORY_STORE_H_
#define MLFLOWCTL_HISTORY_MEMORY_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/history/execution_store.h"

namespace mlflowctl::history {

class MemoryStore : public ExecutionStore {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  StatusOr<StateMachineRecord> PutStateMachine(
      const StateMachineRecord& record) override;
  StatusOr<StateMachineRecord> GetStateMachine(const std::string& arn) override;
  StatusOr<std::vector<StateMachineRecord>> ListStateMachines() override;
  Status DeleteStateMachine(const std::string& arn) override;

  Status CreateExecution(const ExecutionRecord& record) override;
  Status UpdateExecution(const ExecutionRecord& record) override;
  StatusOr<ExecutionRecord> GetExecution(const std::string& arn) override;
  StatusOr<ExecutionRecord> FindExecutionByName(const std::string& name) override;
  StatusOr<ExecutionPage> ListExecutions(const ExecutionFilter& filter) override;

  // One process: only the status is checked (the Engine refuses an
  // execution it already runs).
  StatusOr<ExecutionRecord> ClaimExecution(const std::string& arn, bool redrive,
                                           int64_t now_ms) override;

  Status AppendEvents(const std::string& execution_arn,
                      const std::vector<HistoryEvent>& events) override;
  StatusOr<std::vector<HistoryEvent>> GetHistory(
      const std::string& execution_arn, const HistoryQuery& query) override;

  // Always OK: every write is already complete.
  Status Sync() override;

  // The state machine as it was at `version` (1 = as created); kNotFound if
  // the machine or that version does not exist.
  StatusOr<StateMachineRecord> GetStateMachineVersion(const std::string& arn,
                                                      int64_t version) override;

 private:
  struct Machine {
    StateMachineRecord current;
    std::vector<StateMachineRecord> versions;  // versions[i].version == i + 1
  };
  struct Execution {
    ExecutionRecord record;
    std::vector<HistoryEvent> events;  // events[i].id == i + 1
  };
  // (start_ms, arn): the ListExecutions order, newest last.
  using StartKey = std::pair<int64_t, std::string>;

  std::mutex mu_;
  std::map<std::string, Machine> machines_;       // by ARN
  std::map<std::string, Execution> executions_;   // by ARN
  std::set<StartKey> by_start_;
};

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_MEMORY_STORE_H_
