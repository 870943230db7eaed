// mlflowctl validate FILE: checks a definition as ValidateStateMachineDefinition does.
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/definition_loader.h"

namespace mlflowctl::cli {

void AddValidateCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("validate", "Check a state machine definition");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "Definition file (Amazon States Language JSON)")->required();
  cmd->add_flag("--json", *json, "Print the result as ValidateStateMachineDefinition does");
  cmd->callback([&run, file, json] {
    run = [file, json] {
      LoadedDefinition loaded = LoadDefinition(*file);
      if (!loaded.read_error.ok()) return Fail(loaded.read_error);
      if (*json) {
        Json diagnostics = Json::array();
        for (const auto& d : loaded.result.diagnostics) {
          diagnostics.push_back(Json{{"severity", "ERROR"},
                                     {"code", d.code},
                                     {"message", d.message},
                                     {"location", d.pointer},
                                     {"line", d.line},
                                     {"column", d.column}});
        }
        std::cout << Json{{"result", loaded.result.ok() ? "OK" : "FAIL"},
                          {"diagnostics", diagnostics}}
                         .dump(2)
                  << "\n";
      } else {
        PrintDiagnostics(*file, loaded.result);
        if (loaded.result.ok()) std::cerr << *file << ": valid\n";
      }
      return loaded.result.ok() ? kExitOk : kExitUsage;
    };
  });
}

}  // namespace mlflowctl::cli
