// The state machine actions of StepFunctionsApi: Create, Describe, List,
// Update, Delete and ValidateStateMachineDefinition.
#include <algorithm>

#include <fmt/format.h>

#include "engine/asl/parser.h"
#include "engine/base/ids.h"
#include "server/api/arn.h"
#include "server/api/request_reader.h"
#include "server/api/shapes.h"
#include "server/api/step_functions_api.h"

namespace mlflowctl::api {

namespace {

// Shape limits from botocore's model.
constexpr StringLimits kDefinitionLimits{1, 1048576};
constexpr StringLimits kPageTokenLimits{1, 1024};

std::optional<ApiError> CheckRoleArn(const std::string& arn) {
  // AWS checks that the role is an IAM role ARN; any ARN is accepted here.
  if (arn.rfind("arn:", 0) != 0) {
    return ApiError{"InvalidArn", fmt::format("Invalid Arn: 'Invalid ARN prefix: {}'", arn), 400};
  }
  return std::nullopt;
}

const std::string kListTokenPrefix = "sm1:";

}  // namespace

ApiResult StepFunctionsApi::CreateStateMachine(const Json& request) {
  RequestReader in(request);
  std::string name = in.RequiredString("name");
  std::string definition = in.RequiredString("definition", kDefinitionLimits);
  std::string role_arn = in.RequiredString("roleArn", kArnLimits);
  std::string type = in.OptionalEnum("type", {"STANDARD", "EXPRESS"}).value_or("STANDARD");
  // loggingConfiguration, tracingConfiguration, tags, publish and
  // versionDescription are accepted and ignored.
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (std::string why = CheckResourceName(name); !why.empty()) {
    return ApiResult::Fail("InvalidName", fmt::format("Invalid Name: '{}'", name));
  }
  if (auto e = CheckRoleArn(role_arn)) return ApiResult::Fail(*e);
  asl::ParseResult parsed = asl::Parse(definition);
  if (!parsed.ok()) {
    return ApiResult::Fail("InvalidDefinition", InvalidDefinitionMessage(parsed.diagnostics));
  }

  std::string arn = StateMachineArn(name);
  StatusOr<history::StateMachineRecord> existing = store_.GetStateMachine(arn);
  if (existing.ok()) {
    // AWS: CreateStateMachine is idempotent on name, definition and type
    // (and logging/tracing); a different roleArn or tags are ignored and not
    // updated. Anything else is StateMachineAlreadyExists.
    if (existing->definition == definition && existing->type == type) {
      return ApiResult::Ok(Json{{"stateMachineArn", existing->arn},
                                {"creationDate", EpochSeconds(existing->created_ms)}});
    }
    return ApiResult::Fail("StateMachineAlreadyExists",
                           fmt::format("State Machine Already Exists: '{}'", arn));
  }
  if (existing.status().code() != StatusCode::kNotFound) return InternalFailure(existing.status());

  history::StateMachineRecord record;
  record.arn = arn;
  record.name = name;
  record.definition = definition;
  record.type = type;
  record.role_arn = role_arn;
  record.created_ms = record.updated_ms = NowMs();
  StatusOr<history::StateMachineRecord> stored = store_.PutStateMachine(record);
  if (!stored.ok()) return InternalFailure(stored.status());
  parsed_[arn] = CachedMachine{definition, parsed.machine};
  return ApiResult::Ok(
      Json{{"stateMachineArn", stored->arn}, {"creationDate", EpochSeconds(stored->created_ms)}});
}

ApiResult StepFunctionsApi::DescribeStateMachine(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("stateMachineArn", kArnLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckStateMachineArn(arn)) return ApiResult::Fail(*e);
  std::optional<ApiResult> error;
  StatusOr<history::StateMachineRecord> m = GetMachine(arn, error);
  if (error) return *error;
  return ApiResult::Ok(DescribeStateMachineShape(*m));
}

ApiResult StepFunctionsApi::ListStateMachines(const Json& request) {
  RequestReader in(request);
  int64_t max = in.OptionalInt("maxResults", 0, 1000).value_or(0);
  std::optional<std::string> token = in.OptionalString("nextToken", kPageTokenLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (max == 0) max = kDefaultPageSize;
  std::string after;
  if (token) {
    if (token->rfind(kListTokenPrefix, 0) != 0) {
      return ApiResult::Fail("InvalidToken", fmt::format("Invalid Token: '{}'", *token));
    }
    after = token->substr(kListTokenPrefix.size());
  }
  StatusOr<std::vector<history::StateMachineRecord>> all = store_.ListStateMachines();
  if (!all.ok()) return InternalFailure(all.status());
  // Ordered by name; a token names the last machine of its page.
  std::sort(all->begin(), all->end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  Json items = Json::array();
  std::optional<std::string> next;
  for (const auto& m : *all) {
    if (token && m.name <= after) continue;
    if (static_cast<int64_t>(items.size()) == max) {
      next = kListTokenPrefix + items.back()["name"].get<std::string>();
      break;
    }
    items.push_back(StateMachineListItemShape(m));
  }
  Json out{{"stateMachines", std::move(items)}};
  if (next) out["nextToken"] = *next;
  return ApiResult::Ok(std::move(out));
}

ApiResult StepFunctionsApi::UpdateStateMachine(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("stateMachineArn", kArnLimits);
  std::optional<std::string> definition = in.OptionalString("definition", kDefinitionLimits);
  std::optional<std::string> role_arn = in.OptionalString("roleArn", kArnLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckStateMachineArn(arn)) return ApiResult::Fail(*e);
  bool other = request.contains("loggingConfiguration") ||
               request.contains("tracingConfiguration");
  if (!definition && !role_arn && !other) {
    // AWS's MissingRequiredParameter for an update that changes nothing.
    return ApiResult::Fail("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, or "
                           "the TracingConfiguration must be specified");
  }
  if (role_arn) {
    if (auto e = CheckRoleArn(*role_arn)) return ApiResult::Fail(*e);
  }
  std::shared_ptr<const asl::StateMachine> parsed;
  if (definition) {
    asl::ParseResult result = asl::Parse(*definition);
    if (!result.ok()) {
      return ApiResult::Fail("InvalidDefinition", InvalidDefinitionMessage(result.diagnostics));
    }
    parsed = result.machine;
  }
  std::optional<ApiResult> error;
  StatusOr<history::StateMachineRecord> m = GetMachine(arn, error);
  if (error) return *error;
  history::StateMachineRecord record = *m;
  if (definition) record.definition = *definition;
  if (role_arn) record.role_arn = *role_arn;
  record.updated_ms = NowMs();
  StatusOr<history::StateMachineRecord> stored = store_.PutStateMachine(record);
  if (!stored.ok()) return InternalFailure(stored.status());
  if (parsed) parsed_[arn] = CachedMachine{*definition, parsed};
  // Running executions keep the definition they started with (AWS does the
  // same); new executions use the update.
  return ApiResult::Ok(
      Json{{"updateDate", EpochSeconds(stored->updated_ms)}, {"revisionId", RevisionId(*stored)}});
}

ApiResult StepFunctionsApi::DeleteStateMachine(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("stateMachineArn", kArnLimits);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckStateMachineArn(arn)) return ApiResult::Fail(*e);
  // AWS lists no StateMachineDoesNotExist for DeleteStateMachine: deleting
  // a machine that is gone succeeds. Its executions are kept (and running
  // ones run to their end), as on AWS.
  Status s = store_.DeleteStateMachine(arn);
  if (!s.ok() && s.code() != StatusCode::kNotFound) return InternalFailure(s);
  parsed_.erase(arn);
  return ApiResult::Ok(Json::object());
}

ApiResult StepFunctionsApi::ValidateStateMachineDefinition(const Json& request) {
  RequestReader in(request);
  std::string definition = in.RequiredString("definition", kDefinitionLimits);
  in.OptionalEnum("type", {"STANDARD", "EXPRESS"});
  std::string severity = in.OptionalEnum("severity", {"ERROR", "WARNING"}).value_or("ERROR");
  int64_t max = in.OptionalInt("maxResults", 0, 100).value_or(0);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (max == 0) max = 100;
  // Every diagnostic this parser reports is an ERROR (it has no warnings),
  // so severity WARNING and ERROR return the same list.
  (void)severity;
  asl::ParseResult parsed = asl::Parse(definition);
  Json diagnostics = Json::array();
  bool truncated = false;
  for (const asl::Diagnostic& d : parsed.diagnostics) {
    if (static_cast<int64_t>(diagnostics.size()) == max) {
      truncated = true;
      break;
    }
    diagnostics.push_back(Json{{"severity", "ERROR"},
                               {"code", d.code},
                               {"message", d.message},
                               {"location", d.pointer.empty() ? "/" : d.pointer}});
  }
  return ApiResult::Ok(Json{{"result", parsed.ok() ? "OK" : "FAIL"},
                            {"diagnostics", std::move(diagnostics)},
                            {"truncated", truncated}});
}

}  // namespace mlflowctl::api
