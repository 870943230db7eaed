#include "engine/store/sqlite_endpoint_store.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "engine/base/json_util.h"
#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace {

using mlops::Endpoint;
using mlops::EndpointChange;
using mlops::EndpointConfig;
using mlops::HostedModel;

constexpr char kEndpointColumns[] =
    "name, config_name, pending_config_name, status, failure_reason, "
    "created_ms, last_modified_ms";

StatusOr<Json> ReadJson(const std::string& text, std::string_view what) {
  StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("unreadable {} in the endpoint store: {}",
                                     what, parsed.status().message()));
  }
  return parsed;
}

// Records are kept in SageMaker's request shapes and read back with the
// same parsers the steps use, so the two cannot drift apart.
StatusOr<HostedModel> FindModel(SqliteDb& db, const std::string& name,
                                bool* found) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT name, primary_container, execution_role_arn, "
                "created_ms FROM hosting_models WHERE name = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
  MLF_ASSIGN_OR_RETURN(*found, stmt->Step());
  if (!*found) return HostedModel();
  MLF_ASSIGN_OR_RETURN(Json container,
                       ReadJson(stmt->ColumnText(1), "model container"));
  Json request{{"ModelName", stmt->ColumnText(0)},
               {"PrimaryContainer", container},
               {"ExecutionRoleArn", stmt->ColumnText(2)}};
  StatusOr<HostedModel> model = mlops::ModelFromCreateRequest(request);
  if (!model.ok()) return DataLossError(model.status().message());
  model->created_ms = stmt->ColumnInt64(3);
  return model;
}

StatusOr<EndpointConfig> FindConfig(SqliteDb& db, const std::string& name,
                                    bool* found) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT name, production_variants, data_capture_config, "
                "created_ms FROM endpoint_configs WHERE name = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
  MLF_ASSIGN_OR_RETURN(*found, stmt->Step());
  if (!*found) return EndpointConfig();
  Json request{{"EndpointConfigName", stmt->ColumnText(0)}};
  MLF_ASSIGN_OR_RETURN(request["ProductionVariants"],
                       ReadJson(stmt->ColumnText(1), "production variants"));
  if (std::optional<std::string> capture = stmt->ColumnOptionalText(2)) {
    MLF_ASSIGN_OR_RETURN(request["DataCaptureConfig"],
                         ReadJson(*capture, "data capture config"));
  }
  StatusOr<EndpointConfig> config =
      mlops::EndpointConfigFromCreateRequest(request);
  if (!config.ok()) return DataLossError(config.status().message());
  config->created_ms = stmt->ColumnInt64(3);
  return config;
}

Endpoint ReadEndpoint(const SqliteStatement& stmt) {
  Endpoint e;
  e.name = stmt.ColumnText(0);
  e.config_name = stmt.ColumnText(1);
  e.pending_config_name = stmt.ColumnOptionalText(2);
  e.status = stmt.ColumnText(3);
  e.failure_reason = stmt.ColumnText(4);
  e.created_ms = stmt.ColumnInt64(5);
  e.last_modified_ms = stmt.ColumnInt64(6);
  return e;
}

StatusOr<std::optional<Endpoint>> FindEndpoint(SqliteDb& db,
                                               const std::string& name) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached(fmt::format("SELECT {} FROM endpoints WHERE name = ?1",
                            kEndpointColumns)));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
  MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Endpoint>();
  return std::optional<Endpoint>(ReadEndpoint(*stmt));
}

Status EndpointNotFound(const std::string& name) {
  return NotFoundError(fmt::format("endpoint '{}' does not exist", name));
}

Status ConfigNotFound(const std::string& name) {
  return NotFoundError(
      fmt::format("endpoint config '{}' does not exist", name));
}

StatusOr<Endpoint> GetEndpointIn(SqliteDb& db, const std::string& name) {
  MLF_ASSIGN_OR_RETURN(std::optional<Endpoint> e, FindEndpoint(db, name));
  if (!e.has_value()) return EndpointNotFound(name);
  return std::move(*e);
}

// Writes every mutable column of `e` (the row must exist).
Status UpdateEndpointRow(SqliteDb& db, const Endpoint& e) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("UPDATE endpoints SET config_name = ?2, pending_config_name = "
                "?3, status = ?4, failure_reason = ?5, last_modified_ms = ?6 "
                "WHERE name = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, e.name));
  MLF_RETURN_IF_ERROR(stmt->BindText(2, e.config_name));
  MLF_RETURN_IF_ERROR(stmt->BindOptionalText(3, e.pending_config_name));
  MLF_RETURN_IF_ERROR(stmt->BindText(4, e.status));
  MLF_RETURN_IF_ERROR(stmt->BindText(5, e.failure_reason));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(6, e.last_modified_ms));
  return stmt->Run();
}

Status InsertChange(SqliteDb& db, const EndpointChange& c) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("INSERT INTO endpoint_changes (endpoint_name, from_config, "
                "to_config, outcome, failure_reason, changed_by, changed_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, c.endpoint_name));
  MLF_RETURN_IF_ERROR(stmt->BindOptionalText(2, c.from_config));
  MLF_RETURN_IF_ERROR(stmt->BindText(3, c.to_config));
  MLF_RETURN_IF_ERROR(stmt->BindText(4, c.outcome));
  MLF_RETURN_IF_ERROR(stmt->BindText(5, c.failure_reason));
  MLF_RETURN_IF_ERROR(stmt->BindText(6, c.changed_by));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(7, c.changed_ms));
  return stmt->Run();
}

}  // namespace

StatusOr<HostedModel> SqliteEndpointStore::CreateModel(
    const HostedModel& model) {
  MLF_RETURN_IF_ERROR(mlops::ValidateModel(model));
  HostedModel stored = model;
  stored.created_ms = ToEpochMillis(clock_->Now());
  Json container = mlops::DescribeModelJson(stored)["PrimaryContainer"];
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    bool exists = false;
    MLF_RETURN_IF_ERROR(FindModel(db, model.name, &exists).status());
    if (exists) {
      return AlreadyExistsError(
          fmt::format("model '{}' already exists", model.name));
    }
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("INSERT INTO hosting_models (name, primary_container, "
                  "execution_role_arn, created_ms) VALUES (?1, ?2, ?3, ?4)"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, stored.name));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, DumpJson(container)));
    MLF_RETURN_IF_ERROR(stmt->BindText(3, stored.execution_role_arn));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(4, stored.created_ms));
    return stmt->Run();
  }));
  return stored;
}

StatusOr<HostedModel> SqliteEndpointStore::GetModel(const std::string& name) {
  HostedModel model;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    bool found = false;
    MLF_ASSIGN_OR_RETURN(model, FindModel(db, name, &found));
    if (!found) {
      return NotFoundError(fmt::format("model '{}' does not exist", name));
    }
    return Status::Ok();
  }));
  return model;
}

StatusOr<EndpointConfig> SqliteEndpointStore::CreateEndpointConfig(
    const EndpointConfig& config) {
  MLF_RETURN_IF_ERROR(mlops::ValidateEndpointConfig(config));
  EndpointConfig stored = config;
  stored.created_ms = ToEpochMillis(clock_->Now());
  Json shape = mlops::DescribeEndpointConfigJson(stored);
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    bool exists = false;
    MLF_RETURN_IF_ERROR(FindConfig(db, config.name, &exists).status());
    if (exists) {
      return AlreadyExistsError(
          fmt::format("endpoint config '{}' already exists", config.name));
    }
    for (const mlops::ProductionVariant& v : config.production_variants) {
      bool model_exists = false;
      MLF_RETURN_IF_ERROR(FindModel(db, v.model_name, &model_exists).status());
      if (!model_exists) {
        return NotFoundError(
            fmt::format("model '{}' does not exist", v.model_name));
      }
    }
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("INSERT INTO endpoint_configs (name, production_variants, "
                  "data_capture_config, created_ms) VALUES (?1, ?2, ?3, ?4)"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, stored.name));
    MLF_RETURN_IF_ERROR(
        stmt->BindText(2, DumpJson(shape["ProductionVariants"])));
    std::optional<std::string> capture;
    if (shape.contains("DataCaptureConfig")) {
      capture = DumpJson(shape["DataCaptureConfig"]);
    }
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(3, capture));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(4, stored.created_ms));
    return stmt->Run();
  }));
  return stored;
}

StatusOr<EndpointConfig> SqliteEndpointStore::GetEndpointConfig(
    const std::string& name) {
  EndpointConfig config;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    bool found = false;
    MLF_ASSIGN_OR_RETURN(config, FindConfig(db, name, &found));
    if (!found) return ConfigNotFound(name);
    return Status::Ok();
  }));
  return config;
}

StatusOr<Endpoint> SqliteEndpointStore::CreateEndpoint(
    const std::string& name, const std::string& config_name) {
  if (std::string why = mlops::CheckHostingName(name); !why.empty()) {
    return InvalidArgumentError(
        fmt::format("invalid endpoint name '{}': {}", name, why));
  }
  Endpoint e;
  e.name = name;
  e.status = mlops::kEndpointCreating;
  e.created_ms = e.last_modified_ms = ToEpochMillis(clock_->Now());
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(std::optional<Endpoint> existing,
                         FindEndpoint(db, name));
    if (existing.has_value()) {
      return AlreadyExistsError(
          fmt::format("endpoint '{}' already exists", existing->name));
    }
    bool found = false;
    MLF_ASSIGN_OR_RETURN(EndpointConfig config,
                         FindConfig(db, config_name, &found));
    if (!found) return ConfigNotFound(config_name);
    e.config_name = config.name;
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("INSERT INTO endpoints ({}) VALUES (?1, ?2, ?3, "
                              "?4, ?5, ?6, ?7)",
                              kEndpointColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, e.name));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, e.config_name));
    MLF_RETURN_IF_ERROR(stmt->BindNull(3));
    MLF_RETURN_IF_ERROR(stmt->BindText(4, e.status));
    MLF_RETURN_IF_ERROR(stmt->BindText(5, e.failure_reason));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(6, e.created_ms));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(7, e.last_modified_ms));
    return stmt->Run();
  }));
  return e;
}

StatusOr<Endpoint> SqliteEndpointStore::BeginUpdate(
    const std::string& name, const std::string& config_name) {
  const int64_t now = ToEpochMillis(clock_->Now());
  Endpoint e;
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(e, GetEndpointIn(db, name));
    bool found = false;
    MLF_ASSIGN_OR_RETURN(EndpointConfig config,
                         FindConfig(db, config_name, &found));
    if (!found) return ConfigNotFound(config_name);
    if (e.status != mlops::kEndpointInService) {
      return FailedPreconditionError(fmt::format(
          "endpoint '{}' is {}, not InService", e.name, e.status));
    }
    e.pending_config_name = config.name;
    e.status = mlops::kEndpointUpdating;
    e.last_modified_ms = now;
    return UpdateEndpointRow(db, e);
  }));
  return e;
}

StatusOr<Endpoint> SqliteEndpointStore::FinishChange(
    const std::string& name, bool succeeded, const std::string& failure_reason,
    const std::string& changed_by) {
  const int64_t now = ToEpochMillis(clock_->Now());
  Endpoint e;
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(e, GetEndpointIn(db, name));
    EndpointChange change;
    change.endpoint_name = e.name;
    change.changed_by = changed_by;
    change.changed_ms = now;
    if (!succeeded) change.failure_reason = failure_reason;
    if (e.status == mlops::kEndpointCreating) {
      change.to_config = e.config_name;
      change.outcome = succeeded ? mlops::kEndpointInService
                                 : mlops::kEndpointFailed;
      e.status = change.outcome;
    } else if (e.status == mlops::kEndpointUpdating &&
               e.pending_config_name.has_value()) {
      change.from_config = e.config_name;
      change.to_config = *e.pending_config_name;
      change.outcome = succeeded ? mlops::kEndpointInService : "RolledBack";
      if (succeeded) e.config_name = *e.pending_config_name;
      e.pending_config_name.reset();
      e.status = mlops::kEndpointInService;
    } else {
      return FailedPreconditionError(fmt::format(
          "endpoint '{}' is {}, not Creating or Updating", e.name, e.status));
    }
    e.failure_reason = change.failure_reason;
    e.last_modified_ms = now;
    MLF_RETURN_IF_ERROR(UpdateEndpointRow(db, e));
    return InsertChange(db, change);
  }));
  return e;
}

Status SqliteEndpointStore::DeleteEndpoint(const std::string& name) {
  return store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("DELETE FROM endpoints WHERE name = ?1"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
    MLF_RETURN_IF_ERROR(stmt->Run());
    if (db.Changes() == 0) return EndpointNotFound(name);
    return Status::Ok();
  });
}

StatusOr<Endpoint> SqliteEndpointStore::GetEndpoint(const std::string& name) {
  Endpoint e;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(e, GetEndpointIn(db, name));
    return Status::Ok();
  }));
  return e;
}

StatusOr<std::vector<Endpoint>> SqliteEndpointStore::ListEndpoints() {
  std::vector<Endpoint> endpoints;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM endpoints ORDER BY name",
                              kEndpointColumns)));
    ScopedReset reset(stmt);
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      endpoints.push_back(ReadEndpoint(*stmt));
    }
    return Status::Ok();
  }));
  return endpoints;
}

StatusOr<std::vector<EndpointChange>> SqliteEndpointStore::ListEndpointChanges(
    const std::string& name) {
  std::vector<EndpointChange> changes;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("SELECT endpoint_name, from_config, to_config, outcome, "
                  "failure_reason, changed_by, changed_ms FROM "
                  "endpoint_changes WHERE endpoint_name = ?1 ORDER BY id"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      EndpointChange c;
      c.endpoint_name = stmt->ColumnText(0);
      c.from_config = stmt->ColumnOptionalText(1);
      c.to_config = stmt->ColumnText(2);
      c.outcome = stmt->ColumnText(3);
      c.failure_reason = stmt->ColumnText(4);
      c.changed_by = stmt->ColumnText(5);
      c.changed_ms = stmt->ColumnInt64(6);
      changes.push_back(std::move(c));
    }
    return Status::Ok();
  }));
  return changes;
}

}  // namespace mlflowctl::store
