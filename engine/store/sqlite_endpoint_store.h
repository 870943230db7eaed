// SqliteEndpointStore: the EndpointStore in the tables of schema 0003, on
// the connection of a SqliteExecutionStore (one connection per process).
// Thread-safe: every call runs under the store's mutex; every write commits
// before it returns, so a status change is a compare-and-set in one
// transaction.
#ifndef MLFLOWCTL_STORE_SQLITE_ENDPOINT_STORE_H_
#define MLFLOWCTL_STORE_SQLITE_ENDPOINT_STORE_H_

#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/mlops/endpoint_store.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {

class SqliteEndpointStore : public mlops::EndpointStore {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  SqliteEndpointStore(SqliteExecutionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // EndpointStore. Besides the documented codes, any method may return what
  // SqliteStatus maps SQLite's errors to, and kDataLoss for a row whose JSON
  // cannot be read.
  StatusOr<mlops::HostedModel> CreateModel(
      const mlops::HostedModel& model) override;
  StatusOr<mlops::HostedModel> GetModel(const std::string& name) override;
  StatusOr<mlops::EndpointConfig> CreateEndpointConfig(
      const mlops::EndpointConfig& config) override;
  StatusOr<mlops::EndpointConfig> GetEndpointConfig(
      const std::string& name) override;
  StatusOr<mlops::Endpoint> CreateEndpoint(
      const std::string& name, const std::string& config_name) override;
  StatusOr<mlops::Endpoint> BeginUpdate(
      const std::string& name, const std::string& config_name) override;
  StatusOr<mlops::Endpoint> FinishChange(
      const std::string& name, bool succeeded,
      const std::string& failure_reason,
      const std::string& changed_by) override;
  Status DeleteEndpoint(const std::string& name) override;
  StatusOr<mlops::Endpoint> GetEndpoint(const std::string& name) override;
  StatusOr<std::vector<mlops::Endpoint>> ListEndpoints() override;
  StatusOr<std::vector<mlops::EndpointChange>> ListEndpointChanges(
      const std::string& name) override;

 private:
  SqliteExecutionStore* store_;
  const Clock* clock_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_ENDPOINT_STORE_H_
