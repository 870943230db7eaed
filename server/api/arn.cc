#include "server/api/arn.h"

#include <vector>

#include <fmt/format.h>

namespace mlflowctl::api {

namespace {

std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = s.find(':', start);
    parts.emplace_back(s.substr(start, colon == std::string_view::npos ? s.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return parts;
}

ApiError InvalidArn(const std::string& why) {
  return ApiError{"InvalidArn", fmt::format("Invalid Arn: '{}'", why), 400};
}

}  // namespace

std::optional<ParsedArn> ParseStatesArn(std::string_view arn, std::string* why) {
  std::vector<std::string> parts = Split(arn);
  // arn:PARTITION:states:REGION:ACCOUNT:TYPE:...
  if (parts.size() < 6 || parts[0] != "arn" || parts[1].empty()) {
    *why = fmt::format("Invalid ARN prefix: {}", arn);
    return std::nullopt;
  }
  if (parts[2] != "states") {
    *why = fmt::format("Invalid ARN service: {}", parts[2]);
    return std::nullopt;
  }
  ParsedArn out;
  out.resource_type = parts[5];
  if (out.resource_type == "stateMachine") {
    // A version or alias suffix (":1", ":prod") is accepted here and then
    // not found, as this engine keeps no published versions.
    if (parts.size() < 7 || parts.size() > 8 || parts[6].empty()) {
      *why = fmt::format("Invalid ARN resource: {}", arn);
      return std::nullopt;
    }
    out.machine_name = parts[6];
    return out;
  }
  if (out.resource_type == "execution" || out.resource_type == "express") {
    if (parts.size() != 8 || parts[6].empty() || parts[7].empty()) {
      *why = fmt::format("Invalid ARN resource: {}", arn);
      return std::nullopt;
    }
    out.machine_name = parts[6];
    out.execution_name = parts[7];
    return out;
  }
  if (out.resource_type.empty()) {
    *why = fmt::format("Invalid ARN resource: {}", arn);
    return std::nullopt;
  }
  return out;
}

std::optional<ApiError> CheckStateMachineArn(std::string_view arn) {
  std::string why;
  std::optional<ParsedArn> p = ParseStatesArn(arn, &why);
  if (!p) return InvalidArn(why);
  if (p->resource_type != "stateMachine") {
    return InvalidArn("Resource type not valid in this context: " + p->resource_type);
  }
  return std::nullopt;
}

std::optional<ApiError> CheckExecutionArn(std::string_view arn) {
  std::string why;
  std::optional<ParsedArn> p = ParseStatesArn(arn, &why);
  if (!p) return InvalidArn(why);
  if (p->resource_type != "execution" && p->resource_type != "express") {
    return InvalidArn("Resource type not valid in this context: " + p->resource_type);
  }
  return std::nullopt;
}

}  // namespace mlflowctl::api
