// mlflowctl triggers: schedules, watched folders and execution events that
// start executions (add, list, remove, history), and `triggers preview`,
// which prints when a schedule expression fires next. The triggers fire in
// `mlflowctl serve`. Not thread-safe (the CLI is single-threaded).
#ifndef MLFLOWCTL_CLI_CMD_TRIGGERS_H_
#define MLFLOWCTL_CLI_CMD_TRIGGERS_H_

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace mlflowctl::cli {

// Registers `triggers` and its subcommands on `app`; sets `run` when one of
// them is chosen.
void AddTriggersCommand(CLI::App& app, Runner& run);

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_CMD_TRIGGERS_H_
