#include "engine/store/sqlite_parameter_store.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace {

using mlops::Parameter;
using mlops::ParameterType;
using mlops::PutParameterRequest;

constexpr char kVersionColumns[] =
    "v.name, v.version, v.type, v.value, v.description, v.tier, v.data_type, "
    "v.modified_ms, v.modified_by";

StatusOr<std::string> Canonical(const std::string& name) {
  mlops::ParameterNameCheck check = mlops::CheckParameterName(name);
  if (check.problem != mlops::ParameterNameCheck::Problem::kNone) {
    return InvalidArgumentError(check.message);
  }
  return check.canonical;
}

Status ParameterNotFound(const std::string& name) {
  return NotFoundError(fmt::format("parameter '{}' does not exist", name));
}

StatusOr<Parameter> ReadVersion(const SqliteStatement& stmt) {
  Parameter p;
  p.name = stmt.ColumnText(0);
  p.version = stmt.ColumnInt64(1);
  std::string type = stmt.ColumnText(2);
  std::optional<ParameterType> parsed = mlops::ParseParameterType(type);
  if (!parsed.has_value()) {
    return DataLossError(fmt::format("parameter '{}' has unknown type '{}'",
                                     p.name, type));
  }
  p.type = *parsed;
  p.value = stmt.ColumnText(3);
  p.description = stmt.ColumnText(4);
  p.tier = stmt.ColumnText(5);
  p.data_type = stmt.ColumnText(6);
  p.last_modified_ms = stmt.ColumnInt64(7);
  p.last_modified_user = stmt.ColumnText(8);
  return p;
}

// The current version of a canonical name, nullopt when it does not exist.
StatusOr<std::optional<Parameter>> FindCurrent(SqliteDb& db,
                                               const std::string& name) {
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Cached(fmt::format("SELECT {} FROM parameters p JOIN "
                            "parameter_versions v ON v.name = p.name AND "
                            "v.version = p.version WHERE p.name = ?1",
                            kVersionColumns)));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
  MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Parameter>();
  MLF_ASSIGN_OR_RETURN(Parameter p, ReadVersion(*stmt));
  return std::optional<Parameter>(std::move(p));
}

// Builds the next version of one parameter from its request, checking SSM's
// rules against the current version (if any).
StatusOr<Parameter> NextVersion(const PutParameterRequest& request,
                                const std::string& name,
                                const std::optional<Parameter>& current,
                                int64_t now) {
  if (current.has_value() && !request.overwrite) {
    return AlreadyExistsError(fmt::format(
        "parameter '{}' already exists; set Overwrite to change it", name));
  }
  if (!current.has_value() && !request.type.has_value()) {
    return InvalidArgumentError(
        fmt::format("parameter '{}' is new, so it needs a Type", name));
  }
  Parameter next;
  next.name = name;
  next.type = request.type.value_or(current ? current->type
                                            : ParameterType::kString);
  next.value = request.value;
  next.version = current ? current->version + 1 : 1;
  next.last_modified_ms = now;
  next.last_modified_user = request.user;
  next.description = request.description.value_or(
      current ? current->description : std::string());
  next.tier = request.tier.value_or(current ? current->tier : "Standard");
  next.data_type = "text";
  if (std::string why = mlops::CheckParameterValue(next.value, next.tier);
      !why.empty()) {
    return InvalidArgumentError(fmt::format("parameter '{}': {}", name, why));
  }
  if (next.description.size() > 1024) {
    return InvalidArgumentError(fmt::format(
        "parameter '{}': a description has at most 1024 characters", name));
  }
  return next;
}

Status WriteVersion(SqliteDb& db, const Parameter& p) {
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * head,
        db.Cached("INSERT INTO parameters (name, version) VALUES (?1, ?2) ON "
                  "CONFLICT (name) DO UPDATE SET version = ?2"));
    ScopedReset reset(head);
    MLF_RETURN_IF_ERROR(head->BindText(1, p.name));
    MLF_RETURN_IF_ERROR(head->BindInt64(2, p.version));
    MLF_RETURN_IF_ERROR(head->Run());
  }
  {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Cached("INSERT INTO parameter_versions (name, version, type, value, "
                  "description, tier, data_type, modified_ms, modified_by) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    ScopedReset reset(insert);
    MLF_RETURN_IF_ERROR(insert->BindText(1, p.name));
    MLF_RETURN_IF_ERROR(insert->BindInt64(2, p.version));
    MLF_RETURN_IF_ERROR(insert->BindText(3, mlops::ParameterTypeName(p.type)));
    MLF_RETURN_IF_ERROR(insert->BindText(4, p.value));
    MLF_RETURN_IF_ERROR(insert->BindText(5, p.description));
    MLF_RETURN_IF_ERROR(insert->BindText(6, p.tier));
    MLF_RETURN_IF_ERROR(insert->BindText(7, p.data_type));
    MLF_RETURN_IF_ERROR(insert->BindInt64(8, p.last_modified_ms));
    MLF_RETURN_IF_ERROR(insert->BindText(9, p.last_modified_user));
    MLF_RETURN_IF_ERROR(insert->Run());
  }
  // SSM keeps the newest 100 versions and drops the oldest.
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * trim,
      db.Cached("DELETE FROM parameter_versions WHERE name = ?1 AND version "
                "<= ?2"));
  ScopedReset reset(trim);
  MLF_RETURN_IF_ERROR(trim->BindText(1, p.name));
  MLF_RETURN_IF_ERROR(trim->BindInt64(2, p.version - mlops::kMaxParameterVersions));
  return trim->Run();
}

}  // namespace

StatusOr<std::vector<Parameter>> SqliteParameterStore::PutParameters(
    const std::vector<PutParameterRequest>& requests) {
  std::vector<std::string> names;
  for (const PutParameterRequest& request : requests) {
    MLF_ASSIGN_OR_RETURN(std::string name, Canonical(request.name));
    if (request.tier.has_value() && *request.tier != "Standard" &&
        *request.tier != "Advanced") {
      return InvalidArgumentError(fmt::format(
          "parameter '{}': tier '{}' is not Standard or Advanced", name,
          *request.tier));
    }
    names.push_back(std::move(name));
  }
  const int64_t now = ToEpochMillis(clock_->Now());
  std::vector<Parameter> stored;
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      // Reads inside the transaction see earlier puts of the same batch.
      MLF_ASSIGN_OR_RETURN(std::optional<Parameter> current,
                           FindCurrent(db, names[i]));
      MLF_ASSIGN_OR_RETURN(Parameter next,
                           NextVersion(requests[i], names[i], current, now));
      MLF_RETURN_IF_ERROR(WriteVersion(db, next));
      stored.push_back(std::move(next));
    }
    return Status::Ok();
  }));
  return stored;
}

StatusOr<Parameter> SqliteParameterStore::GetParameter(
    const std::string& name) {
  MLF_ASSIGN_OR_RETURN(std::string canonical, Canonical(name));
  std::optional<Parameter> found;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(found, FindCurrent(db, canonical));
    return Status::Ok();
  }));
  if (!found.has_value()) return ParameterNotFound(canonical);
  return std::move(*found);
}

StatusOr<Parameter> SqliteParameterStore::GetParameterVersion(
    const std::string& name, int64_t version) {
  MLF_ASSIGN_OR_RETURN(std::string canonical, Canonical(name));
  std::optional<Parameter> found;
  bool exists = false;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {}, (SELECT 1 FROM parameters WHERE name "
                              "= ?1) FROM (SELECT 1) LEFT JOIN "
                              "parameter_versions v ON v.name = ?1 AND "
                              "v.version = ?2",
                              kVersionColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, canonical));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(2, version));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return InternalError("parameter version query returned no row");
    exists = !stmt->ColumnIsNull(9);
    if (!stmt->ColumnIsNull(0)) {
      MLF_ASSIGN_OR_RETURN(found, ReadVersion(*stmt));
    }
    return Status::Ok();
  }));
  if (!exists) return ParameterNotFound(canonical);
  if (!found.has_value()) {
    return NotFoundError(
        fmt::format("parameter '{}' has no version {}", canonical, version));
  }
  return std::move(*found);
}

StatusOr<std::vector<Parameter>> SqliteParameterStore::GetParametersByPath(
    const std::string& path, bool recursive) {
  mlops::ParameterNameCheck check = mlops::CheckParameterPath(path);
  if (check.problem != mlops::ParameterNameCheck::Problem::kNone) {
    return InvalidArgumentError(check.message);
  }
  const std::string& prefix = check.canonical;  // ends in "/"
  // Names under the prefix form the key range [prefix, prefix with its
  // final "/" replaced by "0", the next character).
  std::string upper = prefix.substr(0, prefix.size() - 1) + "0";
  std::vector<Parameter> out;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM parameters p JOIN "
                              "parameter_versions v ON v.name = p.name AND "
                              "v.version = p.version WHERE p.name > ?1 AND "
                              "p.name < ?2 ORDER BY p.name",
                              kVersionColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, prefix));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, upper));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      std::string name = stmt->ColumnText(0);
      // Non-recursive: one level below the path only.
      if (!recursive && name.find('/', prefix.size()) != std::string::npos) {
        continue;
      }
      MLF_ASSIGN_OR_RETURN(Parameter p, ReadVersion(*stmt));
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

StatusOr<std::vector<Parameter>> SqliteParameterStore::GetParameterHistory(
    const std::string& name) {
  MLF_ASSIGN_OR_RETURN(std::string canonical, Canonical(name));
  std::vector<Parameter> out;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format("SELECT {} FROM parameter_versions v WHERE "
                              "v.name = ?1 ORDER BY v.version",
                              kVersionColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, canonical));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      MLF_ASSIGN_OR_RETURN(Parameter p, ReadVersion(*stmt));
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  if (out.empty()) return ParameterNotFound(canonical);
  return out;
}

}  // namespace mlflowctl::store
