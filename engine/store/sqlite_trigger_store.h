// SqliteTriggerStore: the TriggerStore in the tables of schema 0005, on the
// connection of a SqliteExecutionStore (one connection per process).
// Thread-safe: every call runs under the store's mutex; every write commits
// before it returns. ClaimFiring is an INSERT that the UNIQUE (trigger_id,
// firing_key) constraint turns into "already claimed" in any process that
// shares the file.
#ifndef MLFLOWCTL_STORE_SQLITE_TRIGGER_STORE_H_
#define MLFLOWCTL_STORE_SQLITE_TRIGGER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/store/sqlite_execution_store.h"
#include "engine/triggers/trigger_store.h"

namespace mlflowctl::store {

class SqliteTriggerStore : public triggers::TriggerStore {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  SqliteTriggerStore(SqliteExecutionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // TriggerStore. Besides the documented codes, any method may return what
  // SqliteStatus maps SQLite's errors to, and kDataLoss for a row that
  // cannot be read.
  StatusOr<triggers::Trigger> CreateTrigger(const triggers::Trigger& trigger) override;
  StatusOr<triggers::Trigger> GetTrigger(const std::string& name) override;
  StatusOr<std::vector<triggers::Trigger>> ListTriggers() override;
  Status DeleteTrigger(const std::string& name) override;
  StatusOr<bool> ClaimFiring(const triggers::Firing& firing) override;
  Status FinishFiring(const std::string& trigger_id, const std::string& key,
                      const std::optional<std::string>& execution_arn,
                      const std::optional<std::string>& error) override;
  StatusOr<std::vector<triggers::Firing>> ListFirings(const std::string& trigger_id,
                                                      int limit) override;
  StatusOr<std::optional<int64_t>> LastSlot(const std::string& trigger_id) override;
  StatusOr<bool> HasFiring(const std::string& trigger_id, const std::string& key) override;

 private:
  SqliteExecutionStore* store_;
  const Clock* clock_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_TRIGGER_STORE_H_
