#include "engine/history/memory_store.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/base/status_macros.h"
#include "engine/history/execution_page_token.h"
#include "engine/history/store_checks.h"

namespace mlflowctl::history {

StatusOr<StateMachineRecord> MemoryStore::PutStateMachine(
    const StateMachineRecord& record) {
  Status valid = CheckStateMachineRecord(record);
  if (!valid.ok()) return valid;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [arn, machine] : machines_) {
    if (arn != record.arn && machine.current.name == record.name) {
      return AlreadyExistsError(fmt::format(
          "state machine named '{}' already exists as '{}'", record.name, arn));
    }
  }
  int64_t now = record.updated_ms != 0 ? record.updated_ms : record.created_ms;
  auto it = machines_.find(record.arn);
  if (it == machines_.end()) {
    Machine machine;
    machine.current = record;
    machine.current.version = 1;
    machine.current.updated_ms = now;
    machine.versions.push_back(machine.current);
    it = machines_.emplace(record.arn, std::move(machine)).first;
    return it->second.current;
  }
  Machine& machine = it->second;
  StateMachineRecord next = record;
  next.created_ms = machine.current.created_ms;
  next.updated_ms = now;
  if (record.definition == machine.current.definition) {
    next.version = machine.current.version;
    machine.versions.back() = next;
  } else {
    next.version = machine.current.version + 1;
    machine.versions.push_back(next);
  }
  machine.current = next;
  return next;
}

StatusOr<StateMachineRecord> MemoryStore::GetStateMachine(
    const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return StateMachineNotFound(arn);
  return it->second.current;
}

StatusOr<StateMachineRecord> MemoryStore::GetStateMachineVersion(
    const std::string& arn, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return StateMachineNotFound(arn);
  const auto& versions = it->second.versions;
  if (version < 1 || version > static_cast<int64_t>(versions.size())) {
    return NotFoundError(fmt::format("state machine '{}' has no version {}",
                                     arn, version));
  }
  return versions[static_cast<std::size_t>(version - 1)];
}

StatusOr<std::vector<StateMachineRecord>> MemoryStore::ListStateMachines() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StateMachineRecord> out;
  out.reserve(machines_.size());
  for (const auto& [arn, machine] : machines_) out.push_back(machine.current);
  return out;
}

Status MemoryStore::DeleteStateMachine(const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (machines_.erase(arn) == 0) return StateMachineNotFound(arn);
  return Status::Ok();
}

Status MemoryStore::CreateExecution(const ExecutionRecord& record) {
  MLF_RETURN_IF_ERROR(CheckExecutionRecord(record));
  std::lock_guard<std::mutex> lock(mu_);
  if (executions_.count(record.arn) != 0) {
    return AlreadyExistsError(
        fmt::format("execution '{}' already exists", record.arn));
  }
  executions_.emplace(record.arn, Execution{record, {}});
  by_start_.emplace(record.start_ms, record.arn);
  return Status::Ok();
}

Status MemoryStore::UpdateExecution(const ExecutionRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(record.arn);
  if (it == executions_.end()) return ExecutionNotFound(record.arn);
  ExecutionRecord& stored = it->second.record;
  stored.status = record.status;
  stored.output = record.output;
  stored.error = record.error;
  stored.cause = record.cause;
  stored.stop_ms = record.stop_ms;
  stored.redrive_count = record.redrive_count;
  stored.redrive_ms = record.redrive_ms;
  return Status::Ok();
}

StatusOr<ExecutionRecord> MemoryStore::ClaimExecution(const std::string& arn,
                                                      bool redrive,
                                                      int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(arn);
  if (it == executions_.end()) return ExecutionNotFound(arn);
  ExecutionRecord& stored = it->second.record;
  MLF_RETURN_IF_ERROR(CheckClaimable(stored, redrive));
  if (redrive) ApplyRedrive(stored, now_ms);
  return stored;
}

StatusOr<ExecutionRecord> MemoryStore::GetExecution(const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(arn);
  if (it == executions_.end()) return ExecutionNotFound(arn);
  return it->second.record;
}

StatusOr<ExecutionRecord> MemoryStore::FindExecutionByName(
    const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = by_start_.rbegin(); it != by_start_.rend(); ++it) {
    const ExecutionRecord& record = executions_.at(it->second).record;
    if (record.name == name) return record;
  }
  return NotFoundError(fmt::format("no execution named '{}'", name));
}

StatusOr<ExecutionPage> MemoryStore::ListExecutions(
    const ExecutionFilter& filter) {
  std::optional<ExecutionPageKey> after;
  if (filter.page_token.has_value()) {
    MLF_ASSIGN_OR_RETURN(after, DecodeExecutionPageToken(*filter.page_token));
  }
  std::size_t limit = static_cast<std::size_t>(EffectiveListLimit(filter));
  std::lock_guard<std::mutex> lock(mu_);
  ExecutionPage page;
  auto it = by_start_.rbegin();
  if (after.has_value()) {
    // First key strictly below the token's key in (start_ms, arn) order.
    auto pos = by_start_.lower_bound(StartKey(after->start_ms, after->arn));
    it = std::make_reverse_iterator(pos);
  }
  for (; it != by_start_.rend(); ++it) {
    const ExecutionRecord& record = executions_.at(it->second).record;
    if (filter.status.has_value() && record.status != *filter.status) continue;
    if (filter.state_machine_arn.has_value() &&
        record.state_machine_arn != *filter.state_machine_arn) {
      continue;
    }
    if (page.executions.size() == limit) {
      const ExecutionRecord& last = page.executions.back();
      page.next_token = EncodeExecutionPageToken(last.start_ms, last.arn);
      break;
    }
    page.executions.push_back(record);
  }
  return page;
}

Status MemoryStore::AppendEvents(const std::string& execution_arn,
                                 const std::vector<HistoryEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return ExecutionNotFound(execution_arn);
  std::vector<HistoryEvent>& history = it->second.events;
  MLF_RETURN_IF_ERROR(CheckAppendedEvents(
      execution_arn, static_cast<int64_t>(history.size()), events));
  history.insert(history.end(), events.begin(), events.end());
  return Status::Ok();
}

StatusOr<std::vector<HistoryEvent>> MemoryStore::GetHistory(
    const std::string& execution_arn, const HistoryQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return ExecutionNotFound(execution_arn);
  const std::vector<HistoryEvent>& history = it->second.events;
  const int64_t n = static_cast<int64_t>(history.size());
  const int64_t limit = query.limit > 0 ? query.limit : n;
  std::vector<HistoryEvent> out;
  // Ids are dense, so event `id` is at index id - 1.
  if (!query.reverse) {
    for (int64_t id = std::max<int64_t>(query.after_id, 0) + 1;
         id <= n && static_cast<int64_t>(out.size()) < limit; ++id) {
      out.push_back(history[static_cast<std::size_t>(id - 1)]);
    }
  } else {
    int64_t first = query.after_id > 0 ? std::min(query.after_id - 1, n) : n;
    for (int64_t id = first;
         id >= 1 && static_cast<int64_t>(out.size()) < limit; --id) {
      out.push_back(history[static_cast<std::size_t>(id - 1)]);
    }
  }
  return out;
}

Status MemoryStore::Sync() { return Status::Ok(); }

}  // namespace mlflowctl::history
