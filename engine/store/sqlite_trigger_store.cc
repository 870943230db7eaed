#include "engine/store/sqlite_trigger_store.h"

#include <utility>

#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/base/json_util.h"
#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace {

using triggers::Firing;
using triggers::Trigger;

constexpr char kTriggerColumns[] =
    "id, name, kind, machine, spec, input, enabled, created_ms";
constexpr char kFiringColumns[] =
    "f.trigger_id, t.name, f.firing_key, f.slot_ms, f.fired_ms, f.execution_arn, f.error";

StatusOr<Trigger> ReadTrigger(const SqliteStatement& stmt) {
  Trigger t;
  t.id = stmt.ColumnText(0);
  t.name = stmt.ColumnText(1);
  std::optional<triggers::TriggerKind> kind = triggers::ParseTriggerKind(stmt.ColumnText(2));
  if (!kind) {
    return DataLossError(fmt::format("trigger '{}' has an unknown kind '{}'", t.name,
                                     stmt.ColumnText(2)));
  }
  t.kind = *kind;
  t.machine = stmt.ColumnText(3);
  StatusOr<Json> spec = ParseJson(stmt.ColumnText(4));
  if (!spec.ok()) {
    return DataLossError(fmt::format("trigger '{}': unreadable spec: {}", t.name,
                                     spec.status().message()));
  }
  Status filled = triggers::TriggerSpecFromJson(*spec, t);
  if (!filled.ok()) {
    return DataLossError(fmt::format("trigger '{}': {}", t.name, filled.message()));
  }
  t.input = stmt.ColumnOptionalText(5);
  t.enabled = stmt.ColumnInt64(6) != 0;
  t.created_ms = stmt.ColumnInt64(7);
  return t;
}

Firing ReadFiring(const SqliteStatement& stmt) {
  Firing f;
  f.trigger_id = stmt.ColumnText(0);
  f.trigger_name = stmt.ColumnText(1);
  f.key = stmt.ColumnText(2);
  f.slot_ms = stmt.ColumnOptionalInt64(3);
  f.fired_ms = stmt.ColumnInt64(4);
  f.execution_arn = stmt.ColumnOptionalText(5);
  f.error = stmt.ColumnOptionalText(6);
  return f;
}

StatusOr<std::optional<Trigger>> FindTrigger(SqliteDb& db, const std::string& column,
                                             const std::string& value) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached(fmt::format("SELECT {} FROM triggers WHERE {} = ?1", kTriggerColumns, column)));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, value));
  MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Trigger>();
  MLF_ASSIGN_OR_RETURN(Trigger t, ReadTrigger(*stmt));
  return std::optional<Trigger>(std::move(t));
}

Status TriggerNotFound(const std::string& name) {
  return NotFoundError(fmt::format("trigger '{}' does not exist", name));
}

}  // namespace

StatusOr<Trigger> SqliteTriggerStore::CreateTrigger(const Trigger& trigger) {
  MLF_RETURN_IF_ERROR(triggers::ValidateTrigger(trigger));
  Trigger stored = trigger;
  if (stored.id.empty()) stored.id = NewUuid();
  if (stored.created_ms == 0) stored.created_ms = ToEpochMillis(clock_->Now());
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(std::optional<Trigger> existing, FindTrigger(db, "name", stored.name));
    if (existing.has_value()) {
      return AlreadyExistsError(fmt::format("trigger '{}' already exists", stored.name));
    }
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("INSERT INTO triggers ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              kTriggerColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, stored.id));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, stored.name));
    MLF_RETURN_IF_ERROR(stmt->BindText(3, triggers::TriggerKindName(stored.kind)));
    MLF_RETURN_IF_ERROR(stmt->BindText(4, stored.machine));
    MLF_RETURN_IF_ERROR(stmt->BindText(5, DumpJson(triggers::TriggerSpecJson(stored))));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(6, stored.input));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(7, stored.enabled ? 1 : 0));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(8, stored.created_ms));
    return stmt->Run();
  }));
  return stored;
}

StatusOr<Trigger> SqliteTriggerStore::GetTrigger(const std::string& name) {
  std::optional<Trigger> found;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(found, FindTrigger(db, "name", name));
    return Status::Ok();
  }));
  if (!found.has_value()) return TriggerNotFound(name);
  return std::move(*found);
}

StatusOr<std::vector<Trigger>> SqliteTriggerStore::ListTriggers() {
  std::vector<Trigger> list;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM triggers ORDER BY name", kTriggerColumns)));
    ScopedReset reset(stmt);
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      MLF_ASSIGN_OR_RETURN(Trigger t, ReadTrigger(*stmt));
      list.push_back(std::move(t));
    }
    return Status::Ok();
  }));
  return list;
}

Status SqliteTriggerStore::DeleteTrigger(const std::string& name) {
  return store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(std::optional<Trigger> t, FindTrigger(db, "name", name));
    if (!t.has_value()) return TriggerNotFound(name);
    MLF_ASSIGN_OR_RETURN(SqliteStatement * firings,
                         db.Cached("DELETE FROM trigger_firings WHERE trigger_id = ?1"));
    ScopedReset reset_firings(firings);
    MLF_RETURN_IF_ERROR(firings->BindText(1, t->id));
    MLF_RETURN_IF_ERROR(firings->Run());
    MLF_ASSIGN_OR_RETURN(SqliteStatement * stmt, db.Cached("DELETE FROM triggers WHERE id = ?1"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, t->id));
    return stmt->Run();
  });
}

StatusOr<bool> SqliteTriggerStore::ClaimFiring(const Firing& firing) {
  bool claimed = false;
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(std::optional<Trigger> t, FindTrigger(db, "id", firing.trigger_id));
    if (!t.has_value()) {
      return NotFoundError(fmt::format("trigger '{}' no longer exists", firing.trigger_name));
    }
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("INSERT INTO trigger_firings (trigger_id, firing_key, slot_ms, fired_ms) "
                  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (trigger_id, firing_key) DO NOTHING"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, firing.trigger_id));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, firing.key));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(3, firing.slot_ms));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(4, firing.fired_ms));
    MLF_RETURN_IF_ERROR(stmt->Run());
    claimed = db.Changes() == 1;
    return Status::Ok();
  }));
  return claimed;
}

Status SqliteTriggerStore::FinishFiring(const std::string& trigger_id, const std::string& key,
                                        const std::optional<std::string>& execution_arn,
                                        const std::optional<std::string>& error) {
  return store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("UPDATE trigger_firings SET execution_arn = ?3, error = ?4 "
                  "WHERE trigger_id = ?1 AND firing_key = ?2"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, trigger_id));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, key));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(3, execution_arn));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(4, error));
    MLF_RETURN_IF_ERROR(stmt->Run());
    if (db.Changes() != 1) {
      return NotFoundError(fmt::format("no firing '{}' of trigger {}", key, trigger_id));
    }
    return Status::Ok();
  });
}

StatusOr<std::vector<Firing>> SqliteTriggerStore::ListFirings(const std::string& trigger_id,
                                                              int limit) {
  std::vector<Firing> list;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM trigger_firings f JOIN triggers t "
                              "ON t.id = f.trigger_id WHERE f.trigger_id = ?1 "
                              "ORDER BY f.id DESC LIMIT ?2",
                              kFiringColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, trigger_id));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(2, limit > 0 ? limit : -1));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      list.push_back(ReadFiring(*stmt));
    }
    return Status::Ok();
  }));
  return list;
}

StatusOr<std::optional<int64_t>> SqliteTriggerStore::LastSlot(const std::string& trigger_id) {
  std::optional<int64_t> last;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("SELECT MAX(slot_ms) FROM trigger_firings WHERE trigger_id = ?1"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, trigger_id));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) last = stmt->ColumnOptionalInt64(0);
    return Status::Ok();
  }));
  return last;
}

StatusOr<bool> SqliteTriggerStore::HasFiring(const std::string& trigger_id,
                                             const std::string& key) {
  bool found = false;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("SELECT 1 FROM trigger_firings WHERE trigger_id = ?1 AND firing_key = ?2"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, trigger_id));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, key));
    MLF_ASSIGN_OR_RETURN(found, stmt->Step());
    return Status::Ok();
  }));
  return found;
}

}  // namespace mlflowctl::store
