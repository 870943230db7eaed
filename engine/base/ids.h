// Identifiers: UUIDs, ARNs and name checks. NewUuid is thread-safe.
#ifndef MLFLOWCTL_BASE_IDS_H_
#define MLFLOWCTL_BASE_IDS_H_

#include <string>
#include <string_view>

namespace mlflowctl {

// A random (version 4) UUID, "3f2a...-...", lowercase.
std::string NewUuid();

// The account and region used in local ARNs.
inline constexpr char kLocalRegion[] = "us-east-1";
inline constexpr char kLocalAccount[] = "123456789012";

// arn:aws:states:us-east-1:123456789012:stateMachine:NAME
std::string StateMachineArn(std::string_view name);
// arn:aws:states:us-east-1:123456789012:execution:MACHINE:NAME
std::string ExecutionArn(std::string_view machine, std::string_view name);

// Step Functions name rules (state machine and execution names): 1..80
// characters, none of whitespace, < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /
// or control characters. Returns an empty string when valid, else why not.
std::string CheckResourceName(std::string_view name);

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_IDS_H_
