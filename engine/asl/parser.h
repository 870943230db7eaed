// Parse: definition text -> StateMachine, or every problem found, each with
// a JSON pointer and line:column, as AWS's ValidateStateMachineDefinition
// reports them. Stateless and thread-safe.
#ifndef MLFLOWCTL_ASL_PARSER_H_
#define MLFLOWCTL_ASL_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/asl/state_machine.h"

namespace mlflowctl::asl {

struct Diagnostic {
  std::string code;     // e.g. "SCHEMA_VALIDATION_FAILED", "UnknownNextState"
  std::string message;  // what is wrong and what to do
  std::string pointer;  // JSON pointer, "/States/Train/Next"
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;
  // "file.json:12:7: /States/Train/Next: UnknownNextState: ..."
  std::string ToString(std::string_view source) const;
};

struct ParseResult {
  std::shared_ptr<const StateMachine> machine;  // null when invalid
  std::vector<Diagnostic> diagnostics;          // empty when valid
  bool ok() const { return machine != nullptr; }
};

// Parses and validates a whole definition. Malformed JSON yields one
// diagnostic with code "INVALID_JSON_DESCRIPTION" and its line:column.
ParseResult Parse(std::string_view text);

}  // namespace mlflowctl::asl

#endif  // MLFLOWCTL_ASL_PARSER_H_
