// TriggerStore: where triggers and their firings are kept. An abstract
// interface (the SQLite implementation is engine/store/sqlite_trigger_store.h);
// implementations must be thread-safe, make every successful write durable
// before returning, and keep (trigger, key) unique across processes, so that
// claiming a firing is how two runners, or a runner after a restart, agree
// that a slot or a file is fired once.
#ifndef MLFLOWCTL_TRIGGERS_TRIGGER_STORE_H_
#define MLFLOWCTL_TRIGGERS_TRIGGER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/status_or.h"
#include "engine/triggers/trigger.h"

namespace mlflowctl::triggers {

class TriggerStore {
 public:
  virtual ~TriggerStore() = default;

  // Stores a new trigger, setting id (a UUID) and created_ms when they are
  // empty/0, and returns it as stored. kInvalidArgument as ValidateTrigger;
  // kAlreadyExists when the name is taken.
  virtual StatusOr<Trigger> CreateTrigger(const Trigger& trigger) = 0;
  // kNotFound when there is no trigger of that name.
  virtual StatusOr<Trigger> GetTrigger(const std::string& name) = 0;
  // Every trigger, by name.
  virtual StatusOr<std::vector<Trigger>> ListTriggers() = 0;
  // Removes the trigger and its firings. kNotFound when there is none.
  virtual Status DeleteTrigger(const std::string& name) = 0;

  // Claims `firing` (trigger_id, key, slot_ms, fired_ms; no execution yet):
  // true when this call recorded it, false when the (trigger, key) was
  // already claimed, by this process or another. kNotFound when the trigger
  // no longer exists.
  virtual StatusOr<bool> ClaimFiring(const Firing& firing) = 0;
  // Records the outcome of a claimed firing: the execution started, or the
  // error that kept it from starting. kNotFound when the firing is unknown.
  virtual Status FinishFiring(const std::string& trigger_id, const std::string& key,
                              const std::optional<std::string>& execution_arn,
                              const std::optional<std::string>& error) = 0;
  // The trigger's firings, newest claim first, at most `limit` (0 = all).
  virtual StatusOr<std::vector<Firing>> ListFirings(const std::string& trigger_id,
                                                    int limit) = 0;
  // The latest schedule slot claimed for the trigger; nullopt when none.
  virtual StatusOr<std::optional<int64_t>> LastSlot(const std::string& trigger_id) = 0;
  // Whether (trigger, key) has been claimed.
  virtual StatusOr<bool> HasFiring(const std::string& trigger_id, const std::string& key) = 0;
};

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_TRIGGER_STORE_H_
