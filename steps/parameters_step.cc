#include "steps/parameters_step.h"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/base/clock.h"

namespace mlflowctl::steps {
namespace {

using mlops::Parameter;
using mlops::ParameterNameCheck;
using runtime::StepResult;
using runtime::TaskRequest;

Error Ssm(std::string_view exception, std::string cause) {
  return Error{fmt::format("Ssm.{}", exception), std::move(cause)};
}

Error InvalidSsmInput(std::string cause) {
  return Error{"Mlflow.InvalidInput",
               fmt::format("{}: {}", kParametersResource, cause)};
}

// Step Functions names an AWS SDK integration's errors "Service.Name", with
// the "Exception" suffix even where the API reference leaves it out.
Error SsmStatusError(const Status& status, bool sdk) {
  switch (status.code()) {
    case StatusCode::kAlreadyExists:
      return Ssm("ParameterAlreadyExistsException", status.message());
    case StatusCode::kNotFound:
      return Ssm("ParameterNotFoundException", status.message());
    case StatusCode::kInvalidArgument:
      return Ssm("ValidationException", status.message());
    default:
      if (sdk) return Ssm("InternalServerErrorException", status.message());
      return Error{"Mlflow.StoreError",
                   fmt::format("{}: {}", kParametersResource, status.message())};
  }
}

std::optional<Error> CheckName(const std::string& name) {
  ParameterNameCheck check = mlops::CheckParameterName(name);
  switch (check.problem) {
    case ParameterNameCheck::Problem::kNone: return std::nullopt;
    case ParameterNameCheck::Problem::kTooDeep:
      return Ssm("HierarchyLevelLimitExceededException", check.message);
    case ParameterNameCheck::Problem::kInvalid:
      return Ssm("ValidationException", check.message);
  }
  return std::nullopt;
}

// A required string member; nullopt (with `error`) when missing.
std::optional<std::string> RequiredSsmString(const Json& in, const char* key,
                                          Error& error) {
  if (!in.is_object() || !in.contains(key) || !in[key].is_string()) {
    error = Ssm("ValidationException",
                fmt::format("{} (a string) is required", key));
    return std::nullopt;
  }
  return in[key].get<std::string>();
}

bool FlagOr(const Json& in, const char* key, bool fallback) {
  if (in.is_object() && in.contains(key) && in[key].is_boolean()) {
    return in[key].get<bool>();
  }
  return fallback;
}


// One page of `all` after NextToken (an offset), at most `max_results`.
StepResult Page(const Json& in, const std::vector<Parameter>& all,
                int max_default, bool decrypt, bool history) {
  int max_results = max_default;
  if (in.contains("MaxResults")) {
    if (!in["MaxResults"].is_number_integer() || in["MaxResults"].get<int64_t>() < 1 ||
        in["MaxResults"].get<int64_t>() > max_default) {
      return Ssm("ValidationException",
                 fmt::format("MaxResults must be an integer from 1 to {}", max_default));
    }
    max_results = in["MaxResults"].get<int>();
  }
  std::size_t start = 0;
  if (in.contains("NextToken")) {
    const Json& t = in["NextToken"];
    std::string text = t.is_string() ? t.get<std::string>() : "";
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(text) > all.size()) {
      return Ssm("InvalidNextTokenException", "NextToken is not one this API returned");
    }
    start = std::stoul(text);
  }
  Json list = Json::array();
  std::size_t end = std::min(all.size(), start + static_cast<std::size_t>(max_results));
  for (std::size_t i = start; i < end; ++i) list.push_back(mlops::ParameterToJson(all[i], decrypt, history, /*iso_dates=*/true));
  Json out{{"Parameters", list}};
  if (end < all.size()) out["NextToken"] = std::to_string(end);
  return out;
}

// A short-form Put value as SSM text and type.
std::pair<std::string, mlops::ParameterType> ShortValue(const Json& v) {
  if (v.is_string()) return {v.get<std::string>(), mlops::ParameterType::kString};
  if (v.is_array() && !v.empty()) {
    bool strings = true;
    std::string joined;
    for (const Json& item : v) {
      if (!item.is_string()) strings = false;
      if (!joined.empty()) joined += ",";
      joined += item.is_string() ? item.get<std::string>() : DumpJson(item);
    }
    if (strings) return {joined, mlops::ParameterType::kStringList};
  }
  return {DumpJson(v), mlops::ParameterType::kString};
}

}  // namespace

StepResult ParametersStep::Invoke(const TaskRequest& request) {
  const std::string& r = request.resource;
  if (r == kSsmPutParameterResource) return PutParameter(request);
  if (r == kSsmGetParameterResource) return GetParameter(request);
  if (r == kSsmGetParametersByPathResource) return GetParametersByPath(request);
  if (r == kSsmGetParameterHistoryResource) return GetParameterHistory(request);
  return ShortForm(request);
}

StepResult ParametersStep::PutParameter(const TaskRequest& request) {
  const Json& in = request.input;
  Error error;
  std::optional<std::string> name = RequiredSsmString(in, "Name", error);
  if (!name) return error;
  std::optional<std::string> value = RequiredSsmString(in, "Value", error);
  if (!value) return error;
  if (std::optional<Error> bad = CheckName(*name)) return *bad;
  mlops::PutParameterRequest put;
  put.name = *name;
  put.value = *value;
  put.overwrite = FlagOr(in, "Overwrite", false);
  put.user = request.execution_arn;
  if (in.contains("Type")) {
    std::optional<mlops::ParameterType> type =
        in["Type"].is_string() ? mlops::ParseParameterType(in["Type"].get<std::string>())
                               : std::nullopt;
    if (!type) {
      return Ssm("UnsupportedParameterTypeException",
                 fmt::format("Type {} is not String, StringList or SecureString",
                             DumpJson(in["Type"])));
    }
    put.type = type;
  }
  if (in.contains("Description")) {
    if (!in["Description"].is_string()) {
      return Ssm("ValidationException", "Description must be a string");
    }
    put.description = in["Description"].get<std::string>();
  }
  if (in.contains("Tier")) {
    if (!in["Tier"].is_string()) return Ssm("ValidationException", "Tier must be a string");
    put.tier = in["Tier"].get<std::string>();
  }
  StatusOr<Parameter> stored = parameters_->PutParameter(put);
  if (!stored.ok()) return SsmStatusError(stored.status(), true);
  return Json{{"Version", stored->version}, {"Tier", stored->tier}};
}

StepResult ParametersStep::GetParameter(const TaskRequest& request) {
  const Json& in = request.input;
  Error error;
  std::optional<std::string> full = RequiredSsmString(in, "Name", error);
  if (!full) return error;
  // "name:version" selects a version (names cannot contain ':').
  std::string name = *full;
  std::optional<std::string> selector;
  if (std::size_t colon = full->rfind(':'); colon != std::string::npos) {
    name = full->substr(0, colon);
    selector = full->substr(colon);
  }
  if (std::optional<Error> bad = CheckName(name)) return *bad;
  StatusOr<Parameter> current = parameters_->GetParameter(name);
  if (!current.ok()) return SsmStatusError(current.status(), true);
  Parameter found = *current;
  if (selector.has_value()) {
    std::string digits = selector->substr(1);
    if (digits.empty() || digits.size() > 15 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return Ssm("ParameterVersionNotFoundException",
                 fmt::format("parameter '{}' has no version labelled '{}' (labels "
                             "are not supported)",
                             name, digits));
    }
    StatusOr<Parameter> version = parameters_->GetParameterVersion(name, std::stoll(digits));
    if (!version.ok()) {
      if (version.status().code() == StatusCode::kNotFound) {
        return Ssm("ParameterVersionNotFoundException", version.status().message());
      }
      return SsmStatusError(version.status(), true);
    }
    found = *version;
  }
  Json p = mlops::ParameterToJson(found, FlagOr(in, "WithDecryption", false), false,
                                  /*iso_dates=*/true);
  if (selector.has_value()) p["Selector"] = *selector;
  return Json{{"Parameter", p}};
}

StepResult ParametersStep::GetParametersByPath(const TaskRequest& request) {
  const Json& in = request.input;
  Error error;
  std::optional<std::string> path = RequiredSsmString(in, "Path", error);
  if (!path) return error;
  ParameterNameCheck check = mlops::CheckParameterPath(*path);
  if (check.problem == ParameterNameCheck::Problem::kTooDeep) {
    return Ssm("HierarchyLevelLimitExceededException", check.message);
  }
  StatusOr<std::vector<Parameter>> all =
      parameters_->GetParametersByPath(*path, FlagOr(in, "Recursive", false));
  if (!all.ok()) return SsmStatusError(all.status(), true);
  return Page(in, *all, 10, FlagOr(in, "WithDecryption", false), false);
}

StepResult ParametersStep::GetParameterHistory(const TaskRequest& request) {
  const Json& in = request.input;
  Error error;
  std::optional<std::string> name = RequiredSsmString(in, "Name", error);
  if (!name) return error;
  if (std::optional<Error> bad = CheckName(*name)) return *bad;
  StatusOr<std::vector<Parameter>> all = parameters_->GetParameterHistory(*name);
  if (!all.ok()) return SsmStatusError(all.status(), true);
  return Page(in, *all, 50, FlagOr(in, "WithDecryption", false), true);
}

StepResult ParametersStep::ShortForm(const TaskRequest& request) {
  const Json& in = request.input;
  if (!in.is_object() || (!in.contains("Put") && !in.contains("Get"))) {
    return InvalidSsmInput("the input needs \"Put\": {name: value, ...} and/or \"Get\": [name, ...]");
  }
  if (in.contains("Overwrite") && !in["Overwrite"].is_boolean()) {
    return InvalidSsmInput("Overwrite must be true or false");
  }
  Json out = Json::object();
  if (in.contains("Put")) {
    const Json& put = in["Put"];
    if (!put.is_object() || put.empty()) {
      return InvalidSsmInput("Put must be a non-empty object of parameter name to value");
    }
    std::vector<mlops::PutParameterRequest> requests;
    std::vector<std::string> names;
    for (auto it = put.begin(); it != put.end(); ++it) {
      if (std::optional<Error> bad = CheckName(it.key())) return *bad;
      mlops::PutParameterRequest r;
      r.name = it.key();
      auto [value, type] = ShortValue(it.value());
      r.value = std::move(value);
      r.type = type;
      r.overwrite = FlagOr(in, "Overwrite", true);
      r.user = request.execution_arn;
      requests.push_back(std::move(r));
      names.push_back(it.key());
    }
    StatusOr<std::vector<Parameter>> stored = parameters_->PutParameters(requests);
    if (!stored.ok()) return SsmStatusError(stored.status(), false);
    Json versions = Json::object();
    for (std::size_t i = 0; i < names.size(); ++i) versions[names[i]] = (*stored)[i].version;
    out["Versions"] = versions;
  }
  if (in.contains("Get")) {
    const Json& get = in["Get"];
    if (!get.is_array()) return InvalidSsmInput("Get must be an array of parameter names");
    Json values = Json::object();
    for (const Json& n : get) {
      if (!n.is_string()) return InvalidSsmInput("every name in Get must be a string");
      std::string name = n.get<std::string>();
      if (std::optional<Error> bad = CheckName(name)) return *bad;
      StatusOr<Parameter> p = parameters_->GetParameter(name);
      if (!p.ok()) return SsmStatusError(p.status(), false);
      values[name] = p->value;
    }
    out["Parameters"] = values;
  }
  return out;
}

}  // namespace mlflowctl::steps
