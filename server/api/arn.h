// ARN checks for the API: a state machine ARN
// ("arn:aws:states:REGION:ACCOUNT:stateMachine:NAME") or an execution ARN
// ("arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME"), else InvalidArn
// with AWS's wording ("Invalid Arn: 'Resource type not valid in this
// context: execution'"). Pure functions; thread-safe.
#ifndef MLFLOWCTL_SERVER_API_ARN_H_
#define MLFLOWCTL_SERVER_API_ARN_H_

#include <optional>
#include <string>
#include <string_view>

#include "server/api/api_types.h"

namespace mlflowctl::api {

struct ParsedArn {
  std::string resource_type;  // "stateMachine", "execution", "express", ...
  std::string machine_name;
  std::string execution_name;  // executions only
};

// The InvalidArn error when `arn` is not a state machine ARN.
std::optional<ApiError> CheckStateMachineArn(std::string_view arn);
// The InvalidArn error when `arn` is not an execution ARN.
std::optional<ApiError> CheckExecutionArn(std::string_view arn);

// Splits a Step Functions ARN; nullopt with `why` set when malformed.
std::optional<ParsedArn> ParseStatesArn(std::string_view arn, std::string* why);

}  // namespace mlflowctl::api

#endif  // MLFLOWCTL_SERVER_API_ARN_H_
