// SqliteModelRegistry: the ModelRegistry in the tables of schema 0002, on
// the connection of a SqliteExecutionStore (one connection per process).
// Thread-safe: every call runs under the store's mutex; every write commits
// before it returns.
#ifndef MLFLOWCTL_STORE_SQLITE_MODEL_REGISTRY_H_
#define MLFLOWCTL_STORE_SQLITE_MODEL_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/mlops/model_registry.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {

class SqliteModelRegistry : public mlops::ModelRegistry {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  SqliteModelRegistry(SqliteExecutionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // ModelRegistry. Besides the documented codes, any method may return what
  // SqliteStatus maps SQLite's errors to, and kDataLoss for a row whose JSON
  // cannot be read.
  StatusOr<mlops::ModelPackage> RegisterModelPackage(
      const mlops::NewModelPackage& package) override;
  StatusOr<std::vector<mlops::ModelPackageGroup>> ListModelPackageGroups()
      override;
  StatusOr<mlops::ModelPackageGroup> GetModelPackageGroup(
      const std::string& group) override;
  StatusOr<std::vector<mlops::ModelPackage>> ListModelPackages(
      const std::string& group) override;
  StatusOr<mlops::ModelPackage> GetModelPackage(const std::string& group,
                                                int64_t version) override;
  StatusOr<std::optional<mlops::ModelPackage>> GetAliasedPackage(
      const std::string& group, const std::string& alias) override;
  StatusOr<mlops::AliasMove> SetAlias(
      const mlops::SetAliasRequest& request) override;
  StatusOr<std::vector<mlops::AliasMove>> ListAliasMoves(
      const std::string& group) override;

 private:
  SqliteExecutionStore* store_;
  const Clock* clock_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_MODEL_REGISTRY_H_
