#include "engine/store/sqlite_model_registry.h"

#include <utility>

#include <fmt/format.h>

#include "engine/base/json_util.h"
#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace {

using mlops::AliasMove;
using mlops::ModelPackage;
using mlops::ModelPackageGroup;

constexpr char kPackageColumns[] =
    "group_name, version, algorithm, artifact_uri, metrics, lineage, "
    "created_ms";

Status GroupNotFound(const std::string& group) {
  return NotFoundError(
      fmt::format("model package group '{}' does not exist", group));
}

StatusOr<Json> ReadJsonColumn(const SqliteStatement& stmt, int column,
                              std::string_view what) {
  StatusOr<Json> parsed = ParseJson(stmt.ColumnText(column));
  if (!parsed.ok()) {
    return DataLossError(fmt::format("unreadable {} in the model registry: {}",
                                     what, parsed.status().message()));
  }
  return parsed;
}

StatusOr<bool> GroupExists(SqliteDb& db, const std::string& group) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT 1 FROM model_package_groups WHERE name = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
  return stmt->Step();
}

Status FillAliases(SqliteDb& db, ModelPackage& package) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT alias FROM model_aliases WHERE group_name = ?1 AND "
                "version = ?2 ORDER BY alias"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, package.group));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(2, package.version));
  package.aliases.clear();
  while (true) {
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    package.aliases.push_back(stmt->ColumnText(0));
  }
  return Status::Ok();
}

StatusOr<ModelPackage> ReadPackage(const SqliteStatement& stmt) {
  ModelPackage package;
  package.group = stmt.ColumnText(0);
  package.version = stmt.ColumnInt64(1);
  package.algorithm = stmt.ColumnText(2);
  package.artifact_uri = stmt.ColumnText(3);
  MLF_ASSIGN_OR_RETURN(package.metrics, ReadJsonColumn(stmt, 4, "metrics"));
  MLF_ASSIGN_OR_RETURN(package.lineage, ReadJsonColumn(stmt, 5, "lineage"));
  package.created_ms = stmt.ColumnInt64(6);
  return package;
}

// The package, or nullopt when the version does not exist.
StatusOr<std::optional<ModelPackage>> FindPackage(SqliteDb& db,
                                                  const std::string& group,
                                                  int64_t version) {
  std::optional<ModelPackage> found;
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM model_packages WHERE group_name "
                              "= ?1 AND version = ?2",
                              kPackageColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(2, version));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return found;
    MLF_ASSIGN_OR_RETURN(found, ReadPackage(*stmt));
  }
  MLF_RETURN_IF_ERROR(FillAliases(db, *found));
  return found;
}

StatusOr<ModelPackage> GetPackage(SqliteDb& db, const std::string& group,
                                  int64_t version) {
  MLF_ASSIGN_OR_RETURN(std::optional<ModelPackage> found,
                       FindPackage(db, group, version));
  if (found.has_value()) return std::move(*found);
  MLF_ASSIGN_OR_RETURN(bool exists, GroupExists(db, group));
  if (!exists) return GroupNotFound(group);
  return NotFoundError(fmt::format(
      "model package group '{}' has no version {}", group, version));
}

// The version `alias` points at, nullopt when unset.
StatusOr<std::optional<int64_t>> AliasVersion(SqliteDb& db,
                                              const std::string& group,
                                              const std::string& alias) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT version FROM model_aliases WHERE group_name = ?1 AND "
                "alias = ?2"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
  MLF_RETURN_IF_ERROR(stmt->BindText(2, alias));
  MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt64(0));
}

StatusOr<std::optional<ModelPackageGroup>> FindGroup(SqliteDb& db,
                                                     const std::string& name) {
  std::optional<ModelPackageGroup> group;
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("SELECT g.name, g.created_ms, count(p.version), "
                  "coalesce(max(p.version), 0) FROM model_package_groups g "
                  "LEFT JOIN model_packages p ON p.group_name = g.name WHERE "
                  "g.name = ?1 GROUP BY g.name"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return group;
    group.emplace();
    group->name = stmt->ColumnText(0);
    group->created_ms = stmt->ColumnInt64(1);
    group->package_count = stmt->ColumnInt64(2);
    group->latest_version = stmt->ColumnInt64(3);
  }
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * aliases,
      db.Cached("SELECT alias, version FROM model_aliases WHERE group_name = "
                "?1 ORDER BY alias"));
  ScopedReset reset(aliases);
  MLF_RETURN_IF_ERROR(aliases->BindText(1, name));
  while (true) {
    MLF_ASSIGN_OR_RETURN(bool row, aliases->Step());
    if (!row) break;
    group->aliases[aliases->ColumnText(0)] = aliases->ColumnInt64(1);
  }
  return group;
}

Status CheckNewPackage(const mlops::NewModelPackage& package) {
  if (std::string why = mlops::CheckModelGroupName(package.group);
      !why.empty()) {
    return InvalidArgumentError(
        fmt::format("invalid model group name '{}': {}", package.group, why));
  }
  if (package.artifact_uri.empty()) {
    return InvalidArgumentError("a model package needs an artifact URI");
  }
  if (!package.metrics.is_object()) {
    return InvalidArgumentError("model metrics must be a JSON object");
  }
  if (!package.lineage.is_object()) {
    return InvalidArgumentError("model lineage must be a JSON object");
  }
  return Status::Ok();
}

StatusOr<std::optional<int64_t>> VersionForToken(SqliteDb& db,
                                                 const std::string& group,
                                                 const std::string& token) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached("SELECT version FROM model_packages WHERE group_name = ?1 AND "
                "client_token = ?2"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
  MLF_RETURN_IF_ERROR(stmt->BindText(2, token));
  MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt64(0));
}

StatusOr<ModelPackage> InsertPackage(SqliteDb& db,
                                     const mlops::NewModelPackage& package,
                                     int64_t now) {
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * group,
        db.Cached("INSERT INTO model_package_groups (name, created_ms) VALUES "
                  "(?1, ?2) ON CONFLICT (name) DO NOTHING"));
    ScopedReset reset(group);
    MLF_RETURN_IF_ERROR(group->BindText(1, package.group));
    MLF_RETURN_IF_ERROR(group->BindInt64(2, now));
    MLF_RETURN_IF_ERROR(group->Run());
  }
  ModelPackage stored;
  stored.group = package.group;
  stored.algorithm = package.algorithm;
  stored.artifact_uri = package.artifact_uri;
  stored.metrics = package.metrics;
  stored.lineage = package.lineage;
  stored.created_ms = now;
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * next,
        db.Cached("SELECT coalesce(max(version), 0) + 1 FROM model_packages "
                  "WHERE group_name = ?1"));
    ScopedReset reset(next);
    MLF_RETURN_IF_ERROR(next->BindText(1, package.group));
    MLF_ASSIGN_OR_RETURN(bool row, next->Step());
    if (!row) return InternalError("no next model package version");
    stored.version = next->ColumnInt64(0);
  }
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * insert,
      db.Cached(fmt::format("INSERT INTO model_packages ({}, client_token) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            kPackageColumns)));
  ScopedReset reset(insert);
  MLF_RETURN_IF_ERROR(insert->BindText(1, stored.group));
  MLF_RETURN_IF_ERROR(insert->BindInt64(2, stored.version));
  MLF_RETURN_IF_ERROR(insert->BindText(3, stored.algorithm));
  MLF_RETURN_IF_ERROR(insert->BindText(4, stored.artifact_uri));
  MLF_RETURN_IF_ERROR(insert->BindText(5, DumpJson(stored.metrics)));
  MLF_RETURN_IF_ERROR(insert->BindText(6, DumpJson(stored.lineage)));
  MLF_RETURN_IF_ERROR(insert->BindInt64(7, stored.created_ms));
  MLF_RETURN_IF_ERROR(insert->BindOptionalText(8, package.client_token));
  MLF_RETURN_IF_ERROR(insert->Run());
  return stored;
}

}  // namespace

StatusOr<ModelPackage> SqliteModelRegistry::RegisterModelPackage(
    const mlops::NewModelPackage& package) {
  MLF_RETURN_IF_ERROR(CheckNewPackage(package));
  const int64_t now = ToEpochMillis(clock_->Now());
  ModelPackage result;
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    if (package.client_token.has_value()) {
      MLF_ASSIGN_OR_RETURN(
          std::optional<int64_t> existing,
          VersionForToken(db, package.group, *package.client_token));
      if (existing.has_value()) {
        MLF_ASSIGN_OR_RETURN(result, GetPackage(db, package.group, *existing));
        return Status::Ok();
      }
    }
    MLF_ASSIGN_OR_RETURN(result, InsertPackage(db, package, now));
    return Status::Ok();
  }));
  return result;
}

StatusOr<std::vector<ModelPackageGroup>>
SqliteModelRegistry::ListModelPackageGroups() {
  std::vector<ModelPackageGroup> groups;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    std::vector<std::string> names;
    {
      MLF_ASSIGN_OR_RETURN(
          SqliteStatement * stmt,
          db.Cached("SELECT name FROM model_package_groups ORDER BY name"));
      ScopedReset reset(stmt);
      while (true) {
        MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        names.push_back(stmt->ColumnText(0));
      }
    }
    for (const std::string& name : names) {
      MLF_ASSIGN_OR_RETURN(std::optional<ModelPackageGroup> group,
                           FindGroup(db, name));
      if (group.has_value()) groups.push_back(std::move(*group));
    }
    return Status::Ok();
  }));
  return groups;
}

StatusOr<ModelPackageGroup> SqliteModelRegistry::GetModelPackageGroup(
    const std::string& group) {
  std::optional<ModelPackageGroup> found;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(found, FindGroup(db, group));
    return Status::Ok();
  }));
  if (!found.has_value()) return GroupNotFound(group);
  return std::move(*found);
}

StatusOr<std::vector<ModelPackage>> SqliteModelRegistry::ListModelPackages(
    const std::string& group) {
  std::vector<ModelPackage> packages;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(bool exists, GroupExists(db, group));
    if (!exists) return GroupNotFound(group);
    {
      MLF_ASSIGN_OR_RETURN(
          SqliteStatement * stmt,
          db.Cached(fmt::format("SELECT {} FROM model_packages WHERE "
                                "group_name = ?1 ORDER BY version",
                                kPackageColumns)));
      ScopedReset reset(stmt);
      MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
      while (true) {
        MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        MLF_ASSIGN_OR_RETURN(ModelPackage package, ReadPackage(*stmt));
        packages.push_back(std::move(package));
      }
    }
    for (ModelPackage& package : packages) {
      MLF_RETURN_IF_ERROR(FillAliases(db, package));
    }
    return Status::Ok();
  }));
  return packages;
}

StatusOr<ModelPackage> SqliteModelRegistry::GetModelPackage(
    const std::string& group, int64_t version) {
  ModelPackage package;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(package, GetPackage(db, group, version));
    return Status::Ok();
  }));
  return package;
}

StatusOr<std::optional<ModelPackage>> SqliteModelRegistry::GetAliasedPackage(
    const std::string& group, const std::string& alias) {
  std::optional<ModelPackage> package;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(bool exists, GroupExists(db, group));
    if (!exists) return GroupNotFound(group);
    MLF_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                         AliasVersion(db, group, alias));
    if (!version.has_value()) return Status::Ok();
    MLF_ASSIGN_OR_RETURN(package, GetPackage(db, group, *version));
    return Status::Ok();
  }));
  return package;
}

StatusOr<AliasMove> SqliteModelRegistry::SetAlias(
    const mlops::SetAliasRequest& request) {
  if (std::string why = mlops::CheckAliasName(request.alias); !why.empty()) {
    return InvalidArgumentError(
        fmt::format("invalid alias '{}': {}", request.alias, why));
  }
  AliasMove move;
  move.group = request.group;
  move.alias = request.alias;
  move.to_version = request.version;
  move.moved_by = request.moved_by;
  move.moved_ms = ToEpochMillis(clock_->Now());
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(std::optional<ModelPackage> target,
                         FindPackage(db, request.group, request.version));
    if (!target.has_value()) {
      return GetPackage(db, request.group, request.version).status();
    }
    MLF_ASSIGN_OR_RETURN(move.from_version,
                         AliasVersion(db, request.group, request.alias));
    if (request.expected_current.has_value() &&
        *request.expected_current != move.from_version) {
      return AbortedError(fmt::format(
          "alias '{}' of '{}' points at {}, not {} as expected",
          request.alias, request.group,
          move.from_version ? std::to_string(*move.from_version) : "nothing",
          *request.expected_current
              ? std::to_string(**request.expected_current)
              : "nothing"));
    }
    if (move.from_version == request.version) return Status::Ok();
    {
      MLF_ASSIGN_OR_RETURN(
          SqliteStatement * upsert,
          db.Cached("INSERT INTO model_aliases (group_name, alias, version, "
                    "updated_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
                    "(group_name, alias) DO UPDATE SET version = ?3, "
                    "updated_ms = ?4"));
      ScopedReset reset(upsert);
      MLF_RETURN_IF_ERROR(upsert->BindText(1, move.group));
      MLF_RETURN_IF_ERROR(upsert->BindText(2, move.alias));
      MLF_RETURN_IF_ERROR(upsert->BindInt64(3, move.to_version));
      MLF_RETURN_IF_ERROR(upsert->BindInt64(4, move.moved_ms));
      MLF_RETURN_IF_ERROR(upsert->Run());
    }
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * record,
        db.Cached("INSERT INTO model_alias_moves (group_name, alias, "
                  "from_version, to_version, moved_by, moved_ms) VALUES (?1, "
                  "?2, ?3, ?4, ?5, ?6)"));
    ScopedReset reset(record);
    MLF_RETURN_IF_ERROR(record->BindText(1, move.group));
    MLF_RETURN_IF_ERROR(record->BindText(2, move.alias));
    MLF_RETURN_IF_ERROR(record->BindOptionalInt64(3, move.from_version));
    MLF_RETURN_IF_ERROR(record->BindInt64(4, move.to_version));
    MLF_RETURN_IF_ERROR(record->BindText(5, move.moved_by));
    MLF_RETURN_IF_ERROR(record->BindInt64(6, move.moved_ms));
    return record->Run();
  }));
  return move;
}

StatusOr<std::vector<AliasMove>> SqliteModelRegistry::ListAliasMoves(
    const std::string& group) {
  std::vector<AliasMove> moves;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(bool exists, GroupExists(db, group));
    if (!exists) return GroupNotFound(group);
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached("SELECT alias, from_version, to_version, moved_by, moved_ms "
                  "FROM model_alias_moves WHERE group_name = ?1 ORDER BY id"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, group));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      AliasMove move;
      move.group = group;
      move.alias = stmt->ColumnText(0);
      move.from_version = stmt->ColumnOptionalInt64(1);
      move.to_version = stmt->ColumnInt64(2);
      move.moved_by = stmt->ColumnText(3);
      move.moved_ms = stmt->ColumnInt64(4);
      moves.push_back(std::move(move));
    }
    return Status::Ok();
  }));
  return moves;
}

}  // namespace mlflowctl::store
