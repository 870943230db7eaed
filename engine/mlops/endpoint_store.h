// EndpointStore: SageMaker-shaped hosting records (models, endpoint configs,
// endpoints) and the history of every endpoint's config changes, plus the
// JSON shapes of SageMaker's Create*/Describe* requests and responses for
// them. Plain records plus an abstract interface; implementations must be
// thread-safe and make every successful write durable before returning.
// Names are compared case-insensitively, as SageMaker's lower-cased ARNs imply.
#ifndef MLFLOWCTL_MLOPS_ENDPOINT_STORE_H_
#define MLFLOWCTL_MLOPS_ENDPOINT_STORE_H_

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

// SageMaker's EndpointStatus values used here.
inline constexpr char kEndpointCreating[] = "Creating";
inline constexpr char kEndpointInService[] = "InService";
inline constexpr char kEndpointUpdating[] = "Updating";
inline constexpr char kEndpointFailed[] = "Failed";

// ContainerDefinition (CreateModel's PrimaryContainer).
struct ContainerDefinition {
  std::string image;
  std::string model_data_url;  // the model directory's URI
  std::map<std::string, std::string> environment;
};

// A SageMaker Model: what to load for a production variant.
struct HostedModel {
  std::string name;
  ContainerDefinition primary_container;
  std::string execution_role_arn;
  int64_t created_ms = 0;
};

struct ProductionVariant {
  std::string variant_name;
  std::string model_name;
  int64_t initial_instance_count = 1;
  std::string instance_type = "ml.m5.large";
  double initial_variant_weight = 1.0;
};

// DataCaptureConfig (CreateEndpointConfig).
struct DataCaptureConfig {
  bool enable_capture = true;
  double initial_sampling_percentage = 100;  // 0..100
  std::string destination_s3_uri;
  std::vector<std::string> capture_modes = {"Input", "Output"};  // CaptureOptions
  std::vector<std::string> csv_content_types;   // CaptureContentTypeHeader
  std::vector<std::string> json_content_types;
};

struct EndpointConfig {
  std::string name;
  std::vector<ProductionVariant> production_variants;  // 1..10
  std::optional<DataCaptureConfig> data_capture;
  int64_t created_ms = 0;
};

struct Endpoint {
  std::string name;
  std::string config_name;  // the config serving (or being created)
  // While Updating: the config being deployed (PendingDeploymentSummary).
  std::optional<std::string> pending_config_name;
  std::string status;          // kEndpoint*
  std::string failure_reason;  // empty unless the last change failed
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
};

// One finished change of an endpoint's config. from_config is nullopt for
// the creation; outcome is "InService" (switched), "Failed" (a creation
// failed) or "RolledBack" (an update failed; the old config kept serving).
struct EndpointChange {
  std::string endpoint_name;
  std::optional<std::string> from_config;
  std::string to_config;
  std::string outcome;
  std::string failure_reason;
  std::string changed_by;  // an execution ARN, or "cli"
  int64_t changed_ms = 0;
};

// arn:aws:sagemaker:us-east-1:123456789012:model/<lower-cased name>, and
// endpoint-config/..., endpoint/...
std::string ModelArn(std::string_view name);
std::string EndpointConfigArn(std::string_view name);
std::string EndpointArn(std::string_view name);

// SageMaker's rule for model, endpoint-config and endpoint names:
// ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$. Empty when valid, else why not.
std::string CheckHostingName(std::string_view name);

// Checks a record before it is stored: kInvalidArgument naming the member.
Status ValidateModel(const HostedModel& model);
Status ValidateEndpointConfig(const EndpointConfig& config);

class EndpointStore {
 public:
  virtual ~EndpointStore() = default;

  // Stores a model (created_ms is set by the store). kInvalidArgument as
  // ValidateModel; kAlreadyExists when the name is taken.
  virtual StatusOr<HostedModel> CreateModel(const HostedModel& model) = 0;
  // kNotFound when there is no such model.
  virtual StatusOr<HostedModel> GetModel(const std::string& name) = 0;

  // kInvalidArgument as ValidateEndpointConfig; kAlreadyExists when the
  // name is taken; kNotFound naming the first variant model that does not
  // exist.
  virtual StatusOr<EndpointConfig> CreateEndpointConfig(
      const EndpointConfig& config) = 0;
  virtual StatusOr<EndpointConfig> GetEndpointConfig(
      const std::string& name) = 0;

  // Creates the endpoint in status Creating on `config_name`.
  // kInvalidArgument for a bad name; kAlreadyExists when it exists;
  // kNotFound when the config does not.
  virtual StatusOr<Endpoint> CreateEndpoint(const std::string& name,
                                            const std::string& config_name) = 0;
  // Starts deploying `config_name` to an InService endpoint: status
  // Updating, pending_config_name set, the old config still serving.
  // kNotFound for a missing endpoint or config; kFailedPrecondition when
  // the endpoint is not InService (an update in progress, or Failed).
  virtual StatusOr<Endpoint> BeginUpdate(const std::string& name,
                                         const std::string& config_name) = 0;
  // Ends the Creating or Updating change and records it in the history.
  // On success the endpoint is InService on the new config. On failure a
  // Creating endpoint becomes Failed and an Updating one goes back to
  // InService on its old config; failure_reason is kept either way.
  // kNotFound for a missing endpoint; kFailedPrecondition when it is neither
  // Creating nor Updating.
  virtual StatusOr<Endpoint> FinishChange(const std::string& name,
                                          bool succeeded,
                                          const std::string& failure_reason,
                                          const std::string& changed_by) = 0;
  // Deletes the endpoint (its history stays). kNotFound when missing.
  virtual Status DeleteEndpoint(const std::string& name) = 0;

  virtual StatusOr<Endpoint> GetEndpoint(const std::string& name) = 0;
  // Every endpoint, by name.
  virtual StatusOr<std::vector<Endpoint>> ListEndpoints() = 0;
  // The endpoint's changes, oldest first (empty for an unknown name).
  virtual StatusOr<std::vector<EndpointChange>> ListEndpointChanges(
      const std::string& name) = 0;
};

// --- SageMaker's JSON shapes. Dates are epoch seconds (numbers). ---

// CreateModel / CreateEndpointConfig requests -> records. kInvalidArgument
// naming the member for a wrong type or a missing required member; values
// are not range-checked here (see Validate*).
StatusOr<HostedModel> ModelFromCreateRequest(const Json& request);
StatusOr<EndpointConfig> EndpointConfigFromCreateRequest(const Json& request);

// DescribeModel's, DescribeEndpointConfig's and DescribeEndpoint's
// responses. `config` is the endpoint's current config (for the variant and
// data-capture summaries), null when unknown.
Json DescribeModelJson(const HostedModel& model);
Json DescribeEndpointConfigJson(const EndpointConfig& config);
Json DescribeEndpointJson(const Endpoint& endpoint, const EndpointConfig* config,
                          const std::map<std::string, HostedModel>& models);
// {"FromConfig", "ToConfig", "Outcome", "FailureReason", "ChangedBy", "Time"}
Json EndpointChangeJson(const EndpointChange& change);

}  // namespace mlflowctl::mlops

#endif  // MLFLOWCTL_MLOPS_ENDPOINT_STORE_H_
