// The subcommands of mlflowctl. Each Add* registers its options on the CLI11
// app and sets `run` to the function that executes it and returns the exit
// code. Not thread-safe (the CLI is single-threaded).
#ifndef MLFLOWCTL_CLI_COMMAND_H_
#define MLFLOWCTL_CLI_COMMAND_H_

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/base/status_or.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::cli {

using Runner = std::function<int()>;

void AddRunCommand(CLI::App& app, Runner& run);
void AddValidateCommand(CLI::App& app, Runner& run);
void AddExecutionsCommand(CLI::App& app, Runner& run);
void AddModelsCommand(CLI::App& app, Runner& run);
void AddParamsCommand(CLI::App& app, Runner& run);
void AddNotificationsCommand(CLI::App& app, Runner& run);
void AddEndpointsCommand(CLI::App& app, Runner& run);
void AddServeCommand(CLI::App& app, Runner& run);

// $MLFLOWCTL_HOME, default "./.mlflowctl".
std::string HomeDir();
// Opens $MLFLOWCTL_HOME/mlflowctl.db, creating it when missing.
StatusOr<std::unique_ptr<store::SqliteExecutionStore>> OpenStore();
// Prints "mlflowctl: <message>" to stderr and returns ExitCodeFor(status).
int Fail(const Status& status);

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_COMMAND_H_
