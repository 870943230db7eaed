// SqliteExecutionStore's state machines and their versions (declared in
// sqlite_execution_store.h). Every write commits at once.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/base/status_macros.h"
#include "engine/history/store_checks.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {
namespace {

using history::StateMachineRecord;

// Columns: arn, name, definition, type, role_arn, version, created_ms,
// updated_ms.
StateMachineRecord ReadStateMachine(const SqliteStatement& stmt) {
  StateMachineRecord record;
  record.arn = stmt.ColumnText(0);
  record.name = stmt.ColumnText(1);
  record.definition = stmt.ColumnText(2);
  record.type = stmt.ColumnText(3);
  record.role_arn = stmt.ColumnText(4);
  record.version = stmt.ColumnInt64(5);
  record.created_ms = stmt.ColumnInt64(6);
  record.updated_ms = stmt.ColumnInt64(7);
  return record;
}

}  // namespace

// ---- State machines: every write commits at once.

StatusOr<StateMachineRecord> SqliteExecutionStore::PutStateMachine(
    const StateMachineRecord& record) {
  MLF_RETURN_IF_ERROR(history::CheckStateMachineRecord(record));
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  StatusOr<StateMachineRecord> stored = PutStateMachineLocked(record);
  MLF_RETURN_IF_ERROR(EndWriteLocked(stored.status(), 1));
  MLF_RETURN_IF_ERROR(CommitLocked());
  return stored;
}

StatusOr<StateMachineRecord> SqliteExecutionStore::PutStateMachineLocked(
    const StateMachineRecord& record) {
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * other,
        db_->Cached("SELECT arn FROM state_machines WHERE name = ?1 AND "
                    "arn <> ?2"));
    ScopedReset reset(other);
    MLF_RETURN_IF_ERROR(other->BindText(1, record.name));
    MLF_RETURN_IF_ERROR(other->BindText(2, record.arn));
    MLF_ASSIGN_OR_RETURN(bool taken, other->Step());
    if (taken) {
      return AlreadyExistsError(
          fmt::format("state machine named '{}' already exists as '{}'",
                      record.name, other->ColumnText(0)));
    }
  }
  const int64_t now =
      record.updated_ms != 0 ? record.updated_ms : record.created_ms;
  std::optional<StateMachineRecord> existing;
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * get,
        db_->Cached("SELECT arn, name, definition, type, role_arn, version, "
                    "created_ms, updated_ms FROM state_machines WHERE arn = ?1"));
    ScopedReset reset(get);
    MLF_RETURN_IF_ERROR(get->BindText(1, record.arn));
    MLF_ASSIGN_OR_RETURN(bool found, get->Step());
    if (found) existing = ReadStateMachine(*get);
  }
  StateMachineRecord next = record;
  next.updated_ms = now;
  bool new_version = true;
  if (!existing.has_value()) {
    next.version = 1;
  } else {
    next.created_ms = existing->created_ms;
    new_version = existing->definition != record.definition;
    next.version = existing->version + (new_version ? 1 : 0);
  }
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * upsert,
      db_->Cached("INSERT INTO state_machines (arn, name, definition, type, "
                  "role_arn, version, created_ms, updated_ms) VALUES (?1, ?2, "
                  "?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (arn) DO UPDATE SET "
                  "name = ?2, definition = ?3, type = ?4, role_arn = ?5, "
                  "version = ?6, updated_ms = ?8"));
  {
    ScopedReset reset(upsert);
    MLF_RETURN_IF_ERROR(upsert->BindText(1, next.arn));
    MLF_RETURN_IF_ERROR(upsert->BindText(2, next.name));
    MLF_RETURN_IF_ERROR(upsert->BindText(3, next.definition));
    MLF_RETURN_IF_ERROR(upsert->BindText(4, next.type));
    MLF_RETURN_IF_ERROR(upsert->BindText(5, next.role_arn));
    MLF_RETURN_IF_ERROR(upsert->BindInt64(6, next.version));
    MLF_RETURN_IF_ERROR(upsert->BindInt64(7, next.created_ms));
    MLF_RETURN_IF_ERROR(upsert->BindInt64(8, next.updated_ms));
    MLF_RETURN_IF_ERROR(upsert->Run());
  }
  // A version row keeps the definition, type and role of that version; an
  // update that keeps the definition changes the current version's row.
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * version,
      db_->Cached(new_version
                      ? "INSERT INTO state_machine_versions (state_machine_arn, "
                        "version, definition, type, role_arn, created_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                      : "UPDATE state_machine_versions SET definition = ?3, "
                        "type = ?4, role_arn = ?5 WHERE state_machine_arn = ?1 "
                        "AND version = ?2"));
  ScopedReset reset(version);
  MLF_RETURN_IF_ERROR(version->BindText(1, next.arn));
  MLF_RETURN_IF_ERROR(version->BindInt64(2, next.version));
  MLF_RETURN_IF_ERROR(version->BindText(3, next.definition));
  MLF_RETURN_IF_ERROR(version->BindText(4, next.type));
  MLF_RETURN_IF_ERROR(version->BindText(5, next.role_arn));
  if (new_version) MLF_RETURN_IF_ERROR(version->BindInt64(6, now));
  MLF_RETURN_IF_ERROR(version->Run());
  return next;
}

StatusOr<StateMachineRecord> SqliteExecutionStore::GetStateMachine(
    const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached("SELECT arn, name, definition, type, role_arn, version, "
                  "created_ms, updated_ms FROM state_machines WHERE arn = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
  MLF_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return history::StateMachineNotFound(arn);
  return ReadStateMachine(*stmt);
}

StatusOr<StateMachineRecord> SqliteExecutionStore::GetStateMachineVersion(
    const std::string& arn, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached("SELECT m.arn, m.name, v.definition, v.type, v.role_arn, "
                  "v.version, m.created_ms, v.created_ms FROM state_machines m "
                  "LEFT JOIN state_machine_versions v ON v.state_machine_arn "
                  "= m.arn AND v.version = ?2 WHERE m.arn = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(2, version));
  MLF_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return history::StateMachineNotFound(arn);
  if (stmt->ColumnIsNull(5)) {
    return NotFoundError(
        fmt::format("state machine '{}' has no version {}", arn, version));
  }
  return ReadStateMachine(*stmt);
}

StatusOr<std::vector<StateMachineRecord>>
SqliteExecutionStore::ListStateMachines() {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached("SELECT arn, name, definition, type, role_arn, version, "
                  "created_ms, updated_ms FROM state_machines ORDER BY arn"));
  ScopedReset reset(stmt);
  std::vector<StateMachineRecord> out;
  while (true) {
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadStateMachine(*stmt));
  }
  return out;
}

Status SqliteExecutionStore::DeleteStateMachine(const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  Status result = [&]() -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db_->Cached("DELETE FROM state_machines WHERE arn = ?1"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
    MLF_RETURN_IF_ERROR(stmt->Run());
    if (db_->Changes() == 0) return history::StateMachineNotFound(arn);
    return Status::Ok();
  }();
  MLF_RETURN_IF_ERROR(EndWriteLocked(result, 1));
  return CommitLocked();
}

}  // namespace mlflowctl::store
