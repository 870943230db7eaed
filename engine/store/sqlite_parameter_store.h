// SqliteParameterStore: the ParameterStore in the tables of schema 0002, on
// the connection of a SqliteExecutionStore (one connection per process).
// Thread-safe: every call runs under the store's mutex; every write commits
// before it returns.
#ifndef MLFLOWCTL_STORE_SQLITE_PARAMETER_STORE_H_
#define MLFLOWCTL_STORE_SQLITE_PARAMETER_STORE_H_

#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/mlops/parameter_store.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {

class SqliteParameterStore : public mlops::ParameterStore {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  SqliteParameterStore(SqliteExecutionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // ParameterStore. Besides the documented codes, any method may return
  // what SqliteStatus maps SQLite's errors to.
  StatusOr<std::vector<mlops::Parameter>> PutParameters(
      const std::vector<mlops::PutParameterRequest>& requests) override;
  StatusOr<mlops::Parameter> GetParameter(const std::string& name) override;
  StatusOr<mlops::Parameter> GetParameterVersion(const std::string& name,
                                                 int64_t version) override;
  StatusOr<std::vector<mlops::Parameter>> GetParametersByPath(
      const std::string& path, bool recursive) override;
  StatusOr<std::vector<mlops::Parameter>> GetParameterHistory(
      const std::string& name) override;

 private:
  SqliteExecutionStore* store_;
  const Clock* clock_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_PARAMETER_STORE_H_
