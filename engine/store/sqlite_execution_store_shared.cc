// SqliteExecutionStore's connection sharing (declared in
// sqlite_execution_store.h), apart from the ExecutionStore methods.
#include "engine/base/status_macros.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {

Status SqliteExecutionStore::WriteShared(
    const std::function<Status(SqliteDb&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  Status result = fn(*db_);
  MLF_RETURN_IF_ERROR(EndWriteLocked(result, 1));
  return CommitLocked();
}

Status SqliteExecutionStore::ReadShared(
    const std::function<Status(SqliteDb&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  return fn(*db_);
}

}  // namespace mlflowctl::store
