// Loading a definition file for the CLI: read, parse, validate, and print
// diagnostics as "file:line:col: /pointer: CODE: message".
#ifndef MLFLOWCTL_CLI_DEFINITION_LOADER_H_
#define MLFLOWCTL_CLI_DEFINITION_LOADER_H_

#include <string>

#include "engine/asl/parser.h"
#include "engine/base/status.h"

namespace mlflowctl::cli {

inline constexpr std::size_t kMaxDefinitionBytes = 1024 * 1024;  // AWS: 1 MiB

struct LoadedDefinition {
  Status read_error;  // the file could not be read or is too large
  std::string text;
  asl::ParseResult result;
};

LoadedDefinition LoadDefinition(const std::string& path);
void PrintDiagnostics(const std::string& path, const asl::ParseResult& result);

// A state machine name from a file name: "workflows/training.json" -> "training".
std::string MachineNameFromPath(const std::string& path);

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_DEFINITION_LOADER_H_
