// ModelRegistry: model package groups, their numbered model packages
// (artifact, metrics, lineage), named aliases such as "champion" and the
// history of every alias move, after SageMaker's Model Registry. Plain
// records plus an abstract interface; implementations must be thread-safe
// and make every successful write durable before returning.
#ifndef MLFLOWCTL_MLOPS_MODEL_REGISTRY_H_
#define MLFLOWCTL_MLOPS_MODEL_REGISTRY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status.h"
#include "engine/base/status_or.h"

namespace mlflowctl::mlops {

struct ModelPackageGroup {
  std::string name;
  int64_t created_ms = 0;
  int64_t package_count = 0;
  int64_t latest_version = 0;               // 0 while the group is empty
  std::map<std::string, int64_t> aliases;   // alias -> version
};

struct ModelPackage {
  std::string group;
  int64_t version = 0;                      // 1, 2, ... within the group
  std::string algorithm;                    // "xgboost", "linear-learner", ...
  std::string artifact_uri;                 // the model directory's URI
  Json metrics = Json::object();            // {"validation:rmse": 3012.4, ...}
  // {"execution_arn": ..., "data": {...URIs...}, "hyperparameters": {...}}
  Json lineage = Json::object();
  int64_t created_ms = 0;
  std::vector<std::string> aliases;         // aliases on this version, sorted
};

struct NewModelPackage {
  std::string group;
  std::string algorithm;
  std::string artifact_uri;
  Json metrics = Json::object();
  Json lineage = Json::object();
  // SageMaker's ClientToken: registering again with the same token in the
  // same group returns the package made the first time (a retried step).
  std::optional<std::string> client_token;
};

// One move of an alias; from_version is nullopt when the alias was new.
struct AliasMove {
  std::string group;
  std::string alias;
  std::optional<int64_t> from_version;
  int64_t to_version = 0;
  std::string moved_by;                     // an execution ARN, or "cli"
  int64_t moved_ms = 0;
};

struct SetAliasRequest {
  std::string group;
  std::string alias;
  int64_t version = 0;
  std::string moved_by;
  // Compare-and-set: when set, the move happens only if the alias points at
  // *expected_current (nullopt inside = the alias must not exist yet).
  std::optional<std::optional<int64_t>> expected_current;
};

// arn:aws:sagemaker:us-east-1:123456789012:model-package-group/GROUP
std::string ModelPackageGroupArn(std::string_view group);
// arn:aws:sagemaker:us-east-1:123456789012:model-package/GROUP/VERSION
std::string ModelPackageArn(std::string_view group, int64_t version);

// SageMaker's ModelPackageGroupName rule: 1-63 characters,
// ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$. Empty when valid, else why not.
std::string CheckModelGroupName(std::string_view name);
// Alias names: 1-63 characters of [A-Za-z0-9_-], starting with a letter.
std::string CheckAliasName(std::string_view name);

class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;

  // Adds the next version to `package.group`, creating the group when it is
  // new. Errors: kInvalidArgument for a bad group name, an empty artifact
  // URI, or metrics/lineage that are not JSON objects; a store error.
  virtual StatusOr<ModelPackage> RegisterModelPackage(
      const NewModelPackage& package) = 0;

  // Every group, by name.
  virtual StatusOr<std::vector<ModelPackageGroup>> ListModelPackageGroups() = 0;
  // kNotFound if the group does not exist.
  virtual StatusOr<ModelPackageGroup> GetModelPackageGroup(
      const std::string& group) = 0;
  // The group's packages, oldest version first; kNotFound for no group.
  virtual StatusOr<std::vector<ModelPackage>> ListModelPackages(
      const std::string& group) = 0;
  // kNotFound if the group or the version does not exist.
  virtual StatusOr<ModelPackage> GetModelPackage(const std::string& group,
                                                 int64_t version) = 0;

  // The package `alias` points at, nullopt if the alias is not set;
  // kNotFound if the group does not exist.
  virtual StatusOr<std::optional<ModelPackage>> GetAliasedPackage(
      const std::string& group, const std::string& alias) = 0;
  // Points the alias at a version and records the move (a move to the
  // version it already points at changes and records nothing). Errors:
  // kInvalidArgument for a bad alias name; kNotFound for a missing group or
  // version; kAborted when expected_current is set and does not match.
  virtual StatusOr<AliasMove> SetAlias(const SetAliasRequest& request) = 0;
  // Every move of the group's aliases, oldest first; kNotFound for no group.
  virtual StatusOr<std::vector<AliasMove>> ListAliasMoves(
      const std::string& group) = 0;
};

}  // namespace mlflowctl::mlops

#endif  // MLFLOWCTL_MLOPS_MODEL_REGISTRY_H_
