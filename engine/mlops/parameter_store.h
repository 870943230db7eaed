// ParameterStore: named configuration values with SSM Parameter Store
// semantics (hierarchical "/a/b" names, String/StringList/SecureString,
// Overwrite, versions from 1, the history of every version, listing by
// path). Plain records, name rules and an abstract interface;
// implementations must be thread-safe and make every successful write
// durable before returning.
#ifndef MLFLOWCTL_MLOPS_PARAMETER_STORE_H_
#define MLFLOWCTL_MLOPS_PARAMETER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status.h"
#include "engine/base/status_or.h"

namespace mlflowctl::mlops {

enum class ParameterType { kString, kStringList, kSecureString };

// "String", "StringList", "SecureString".
std::string_view ParameterTypeName(ParameterType type);
std::optional<ParameterType> ParseParameterType(std::string_view name);

// One version of a parameter (GetParameter's Parameter and
// GetParameterHistory's ParameterHistory).
struct Parameter {
  std::string name;                // canonical: "/a/b", or "/a" for "a"
  ParameterType type = ParameterType::kString;
  std::string value;
  int64_t version = 0;
  int64_t last_modified_ms = 0;
  std::string last_modified_user;  // an execution ARN, or "cli"
  std::string description;
  std::string tier = "Standard";   // "Standard" or "Advanced"
  std::string data_type = "text";
};

struct PutParameterRequest {
  std::string name;
  std::string value;
  std::optional<ParameterType> type;  // required when the name is new
  bool overwrite = false;
  // Kept from the previous version when not given.
  std::optional<std::string> description;
  std::optional<std::string> tier;    // "Standard" (default) or "Advanced"
  std::string user = "cli";
};

// SSM's parameter name rules (§d of the formats reference): case-sensitive;
// letters, digits, "_", ".", "-" and "/" as the hierarchy delimiter; a name
// with a "/" starts with one; at most 15 levels; no "aws"/"ssm" prefix;
// at most 1011 characters with the ARN prefix. "a" and "/a" are the same
// name, canonically "/a".
struct ParameterNameCheck {
  enum class Problem { kNone, kInvalid, kTooDeep };
  Problem problem = Problem::kNone;
  std::string canonical;   // set when problem == kNone
  std::string message;     // why not, otherwise
};
ParameterNameCheck CheckParameterName(std::string_view name);
// A GetParametersByPath path: "/" or a valid name; canonical form ends in
// "/" ("/a/b/"). Same problems as names.
ParameterNameCheck CheckParameterPath(std::string_view path);
// arn:aws:ssm:us-east-1:123456789012:parameter/a/b for "/a/b".
std::string ParameterArn(std::string_view canonical_name);

// Value limits: 4096 bytes (Standard) or 8192 (Advanced); no "{{ }}"
// references. Empty when valid, else why not.
std::string CheckParameterValue(std::string_view value, std::string_view tier);

// The value as shown: a SecureString reads "****" unless `decrypt`.
std::string ShownParameterValue(const Parameter& p, bool decrypt);

// GetParameter's Parameter (`history` false: with ARN) or an item of
// GetParameterHistory (`history` true: with user, description, tier). Dates
// are epoch seconds as the AWS API encodes them, or ISO 8601 strings when
// `iso_dates` (as the parameters step passes them to a workflow).
Json ParameterToJson(const Parameter& p, bool decrypt, bool history, bool iso_dates);

// Versions kept per parameter; older ones are dropped (SSM keeps 100).
inline constexpr int64_t kMaxParameterVersions = 100;

class ParameterStore {
 public:
  virtual ~ParameterStore() = default;

  // Stores new versions of one or more parameters, all or none. Returns the
  // stored versions in request order. Errors: kInvalidArgument for a bad
  // name (see CheckParameterName), value or tier, or a new name without a
  // type; kAlreadyExists when a name exists and overwrite is false; a store
  // error.
  virtual StatusOr<std::vector<Parameter>> PutParameters(
      const std::vector<PutParameterRequest>& requests) = 0;
  StatusOr<Parameter> PutParameter(const PutParameterRequest& request);

  // The current version; kNotFound if the name does not exist,
  // kInvalidArgument for a bad name.
  virtual StatusOr<Parameter> GetParameter(const std::string& name) = 0;
  // One version; kNotFound if the parameter or that version does not exist.
  virtual StatusOr<Parameter> GetParameterVersion(const std::string& name,
                                                  int64_t version) = 0;
  // Current versions of the parameters under `path`, by name: those one
  // level below it, or every level when `recursive`. kInvalidArgument for a
  // bad path.
  virtual StatusOr<std::vector<Parameter>> GetParametersByPath(
      const std::string& path, bool recursive) = 0;
  // Every kept version, oldest first; kNotFound if the name does not exist.
  virtual StatusOr<std::vector<Parameter>> GetParameterHistory(
      const std::string& name) = 0;
};

}  // namespace mlflowctl::mlops

#endif  // MLFLOWCTL_MLOPS_PARAMETER_STORE_H_
