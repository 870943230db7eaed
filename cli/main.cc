// mlflowctl: the command line. The composition root of the engine.
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/cmd_triggers.h"
#include "cli/command.h"
#include "cli/exit_codes.h"

namespace mlflowctl::cli {

std::string HomeDir() {
  const char* home = std::getenv("MLFLOWCTL_HOME");
  return home != nullptr && *home != '\0' ? home : ".mlflowctl";
}

StatusOr<std::unique_ptr<store::SqliteExecutionStore>> OpenStore() {
  return store::SqliteExecutionStore::Open(HomeDir() + "/mlflowctl.db");
}

int Fail(const Status& status) {
  std::cerr << "mlflowctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace mlflowctl::cli

int main(int argc, char** argv) {
  using namespace mlflowctl::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is an error to report, not a crash
  CLI::App app{"mlflowctl: a local, durable engine for Step Functions state machines"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mlflowctl 0.1.0");
  Runner run;
  AddRunCommand(app, run);
  AddValidateCommand(app, run);
  AddExecutionsCommand(app, run);
  AddModelsCommand(app, run);
  AddParamsCommand(app, run);
  AddNotificationsCommand(app, run);
  AddEndpointsCommand(app, run);
  AddServeCommand(app, run);
  AddTriggersCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  try {
    return run ? run() : kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mlflowctl: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
