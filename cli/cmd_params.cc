// mlflowctl params get|list|history: the parameter store. --json prints
// SSM's GetParameter / GetParametersByPath / GetParameterHistory shapes
// (dates as epoch seconds, as the API returns them).
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/base/clock.h"
#include "engine/store/sqlite_parameter_store.h"

namespace mlflowctl::cli {

namespace {

struct Options {
  std::string name;
  std::string path = "/";
  bool recursive = false;
  bool with_decryption = false;
  bool json = false;
};

int Get(const Options& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteParameterStore parameters(store->get(), SystemClock::Default());
  auto p = parameters.GetParameter(o.name);
  if (!p.ok()) return Fail(p.status());
  if (o.json) {
    std::cout << Json{{"Parameter", mlops::ParameterToJson(*p, o.with_decryption, false, /*iso_dates=*/false)}}.dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("name:       {}\n", p->name)
            << fmt::format("type:       {}\n", mlops::ParameterTypeName(p->type))
            << fmt::format("value:      {}\n", mlops::ShownParameterValue(*p, o.with_decryption))
            << fmt::format("version:    {}\n", p->version)
            << fmt::format("modified:   {} by {}\n", FormatLocalTime(p->last_modified_ms),
                           p->last_modified_user);
  if (!p->description.empty()) std::cout << fmt::format("description: {}\n", p->description);
  return kExitOk;
}

int PrintParameters(const Options& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteParameterStore parameters(store->get(), SystemClock::Default());
  auto list = parameters.GetParametersByPath(o.path, o.recursive);
  if (!list.ok()) return Fail(list.status());
  if (o.json) {
    Json items = Json::array();
    for (const auto& p : *list) items.push_back(mlops::ParameterToJson(p, o.with_decryption, false, /*iso_dates=*/false));
    std::cout << Json{{"Parameters", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : *list) {
    rows.push_back({p.name, std::string(mlops::ParameterTypeName(p.type)),
                    std::to_string(p.version), mlops::ShownParameterValue(p, o.with_decryption),
                    FormatLocalTime(p.last_modified_ms)});
  }
  PrintTable({"NAME", "TYPE", "VERSION", "VALUE", "MODIFIED"}, rows);
  return kExitOk;
}

int PrintParameterHistory(const Options& o) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteParameterStore parameters(store->get(), SystemClock::Default());
  auto versions = parameters.GetParameterHistory(o.name);
  if (!versions.ok()) return Fail(versions.status());
  if (o.json) {
    Json items = Json::array();
    for (const auto& p : *versions) items.push_back(mlops::ParameterToJson(p, o.with_decryption, true, /*iso_dates=*/false));
    std::cout << Json{{"Parameters", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : *versions) {
    rows.push_back({std::to_string(p.version), mlops::ShownParameterValue(p, o.with_decryption),
                    std::string(mlops::ParameterTypeName(p.type)),
                    FormatLocalTime(p.last_modified_ms), p.last_modified_user});
  }
  PrintTable({"VERSION", "VALUE", "TYPE", "MODIFIED", "BY"}, rows);
  return kExitOk;
}

}  // namespace

void AddParamsCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("params", "Inspect the parameter store");
  cmd->require_subcommand(1);

  auto g = std::make_shared<Options>();
  auto* get = cmd->add_subcommand("get", "Show a parameter's current version");
  get->add_option("name", g->name, "Parameter name, e.g. /mlflowctl/model-name")->required();
  get->add_flag("--with-decryption", g->with_decryption, "Show SecureString values");
  get->add_flag("--json", g->json, "GetParameter's response shape");
  get->callback([&run, g] { run = [g] { return Get(*g); }; });

  auto l = std::make_shared<Options>();
  auto* list = cmd->add_subcommand("list", "List parameters under a path, by name");
  auto* path = list->add_option("--path", l->path,
                                "Only names under this path, one level down unless "
                                "--recursive (default: every parameter)");
  list->add_flag("--recursive", l->recursive, "Every level below --path");
  list->add_flag("--with-decryption", l->with_decryption, "Show SecureString values");
  list->add_flag("--json", l->json, "GetParametersByPath's response shape");
  list->callback([&run, l, path] {
    // Without --path, list everything.
    if (path->count() == 0) l->recursive = true;
    run = [l] { return PrintParameters(*l); };
  });

  auto h = std::make_shared<Options>();
  auto* history = cmd->add_subcommand("history", "Show every kept version of a parameter");
  history->add_option("name", h->name, "Parameter name")->required();
  history->add_flag("--with-decryption", h->with_decryption, "Show SecureString values");
  history->add_flag("--json", h->json, "GetParameterHistory's response shape");
  history->callback([&run, h] { run = [h] { return PrintParameterHistory(*h); }; });
}

}  // namespace mlflowctl::cli
