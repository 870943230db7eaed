// mlflowctl models list|describe: the model registry (model package groups,
// versions, aliases and their moves). --json prints SageMaker's
// ListModelPackages / DescribeModelPackage(Group) shapes, with the local
// fields (metrics, lineage, aliases) added.
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/base/clock.h"
#include "engine/store/sqlite_model_registry.h"

namespace mlflowctl::cli {

namespace {


std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string MetricsSummary(const Json& metrics) {
  std::string out;
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    if (!out.empty()) out += " ";
    out += it.value().is_number() ? fmt::format("{}={:.6g}", it.key(), it.value().get<double>())
                                  : fmt::format("{}={}", it.key(), DumpJson(it.value()));
  }
  return out;
}

Json PackageSummaryJson(const mlops::ModelPackage& p) {
  return Json{{"ModelPackageGroupName", p.group},
              {"ModelPackageVersion", p.version},
              {"ModelPackageArn", mlops::ModelPackageArn(p.group, p.version)},
              {"CreationTime", SecondsFromMillis(p.created_ms)},
              {"ModelPackageStatus", "Completed"},
              {"Aliases", p.aliases}};
}

Json PackageJson(const mlops::ModelPackage& p) {
  Json j = PackageSummaryJson(p);
  j["InferenceSpecification"] = {
      {"Containers", Json::array({{{"ModelDataUrl", p.artifact_uri},
                                   {"Framework", p.algorithm}}})}};
  j["Metrics"] = p.metrics;
  j["Lineage"] = p.lineage;
  return j;
}

int PrintModels(const std::string& group, bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteModelRegistry models(store->get(), SystemClock::Default());
  std::vector<std::string> groups;
  if (!group.empty()) {
    groups.push_back(group);
  } else {
    auto all = models.ListModelPackageGroups();
    if (!all.ok()) return Fail(all.status());
    for (const auto& g : *all) groups.push_back(g.name);
  }
  std::vector<mlops::ModelPackage> packages;
  for (const std::string& name : groups) {
    auto list = models.ListModelPackages(name);
    if (!list.ok()) return Fail(list.status());
    packages.insert(packages.end(), list->begin(), list->end());
  }
  if (json) {
    Json items = Json::array();
    for (const auto& p : packages) items.push_back(PackageSummaryJson(p));
    std::cout << Json{{"ModelPackageSummaryList", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : packages) {
    rows.push_back({p.group, std::to_string(p.version), p.algorithm, Join(p.aliases),
                    MetricsSummary(p.metrics), FormatLocalTime(p.created_ms)});
  }
  PrintTable({"GROUP", "VERSION", "ALGORITHM", "ALIASES", "METRICS", "CREATED"}, rows);
  return kExitOk;
}

int DescribeGroup(store::SqliteModelRegistry& models, const std::string& name, bool json) {
  auto group = models.GetModelPackageGroup(name);
  if (!group.ok()) return Fail(group.status());
  auto moves = models.ListAliasMoves(name);
  if (!moves.ok()) return Fail(moves.status());
  if (json) {
    Json history = Json::array();
    for (const auto& m : *moves) {
      history.push_back({{"Alias", m.alias},
                         {"FromVersion", m.from_version ? Json(*m.from_version) : Json()},
                         {"ToVersion", m.to_version},
                         {"MovedBy", m.moved_by},
                         {"Time", SecondsFromMillis(m.moved_ms)}});
    }
    Json out{{"ModelPackageGroupName", group->name},
             {"ModelPackageGroupArn", mlops::ModelPackageGroupArn(group->name)},
             {"CreationTime", SecondsFromMillis(group->created_ms)},
             {"ModelPackageGroupStatus", "Completed"},
             {"ModelPackageCount", group->package_count},
             {"LatestModelPackageVersion", group->latest_version},
             {"Aliases", group->aliases},
             {"AliasHistory", history}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("group:     {}\n", group->name)
            << fmt::format("arn:       {}\n", mlops::ModelPackageGroupArn(group->name))
            << fmt::format("created:   {}\n", FormatLocalTime(group->created_ms))
            << fmt::format("versions:  {} (latest {})\n", group->package_count,
                           group->latest_version);
  for (const auto& [alias, version] : group->aliases) {
    std::cout << fmt::format("alias:     {} -> {}\n", alias, version);
  }
  if (!moves->empty()) {
    std::cout << "\nalias moves:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : *moves) {
      rows.push_back({FormatLocalTime(m.moved_ms), m.alias,
                      m.from_version ? std::to_string(*m.from_version) : "-",
                      std::to_string(m.to_version), m.moved_by});
    }
    PrintTable({"TIME", "ALIAS", "FROM", "TO", "BY"}, rows);
  }
  return kExitOk;
}

// GROUP/VERSION or GROUP/ALIAS.
int DescribePackage(store::SqliteModelRegistry& models, const std::string& group,
                    const std::string& which, bool json) {
  StatusOr<mlops::ModelPackage> package = NotFoundError("");
  if (!which.empty() && which.find_first_not_of("0123456789") == std::string::npos &&
      which.size() < 16) {
    package = models.GetModelPackage(group, std::stoll(which));
  } else {
    auto aliased = models.GetAliasedPackage(group, which);
    if (!aliased.ok()) return Fail(aliased.status());
    if (!aliased->has_value()) {
      return Fail(NotFoundError(fmt::format(
          "'{}' is neither a version nor an alias of model group '{}'", which, group)));
    }
    package = std::move(**aliased);
  }
  if (!package.ok()) return Fail(package.status());
  const mlops::ModelPackage& p = *package;
  if (json) {
    std::cout << PackageJson(p).dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("group:      {}\n", p.group)
            << fmt::format("version:    {}\n", p.version)
            << fmt::format("arn:        {}\n", mlops::ModelPackageArn(p.group, p.version))
            << fmt::format("algorithm:  {}\n", p.algorithm)
            << fmt::format("model:      {}\n", p.artifact_uri)
            << fmt::format("created:    {}\n", FormatLocalTime(p.created_ms))
            << fmt::format("aliases:    {}\n", p.aliases.empty() ? "-" : Join(p.aliases))
            << fmt::format("metrics:    {}\n", MetricsSummary(p.metrics))
            << fmt::format("lineage:    {}\n", DumpJson(p.lineage));
  return kExitOk;
}

int PrintModel(const std::string& id, bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteModelRegistry models(store->get(), SystemClock::Default());
  std::size_t slash = id.find('/');
  if (slash == std::string::npos) return DescribeGroup(models, id, json);
  return DescribePackage(models, id.substr(0, slash), id.substr(slash + 1), json);
}

}  // namespace

void AddModelsCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("models", "Inspect the model registry");
  cmd->require_subcommand(1);

  auto group = std::make_shared<std::string>();
  auto ljson = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List model versions, by group and version");
  list->add_option("--group", *group, "Only this model group");
  list->add_flag("--json", *ljson, "ListModelPackages' response shape");
  list->callback([&run, group, ljson] { run = [=] { return PrintModels(*group, *ljson); }; });

  auto id = std::make_shared<std::string>();
  auto djson = std::make_shared<bool>(false);
  auto* describe = cmd->add_subcommand(
      "describe", "Show a model group (aliases, alias moves) or one version");
  describe->add_option("model", *id, "GROUP, GROUP/VERSION or GROUP/ALIAS")->required();
  describe->add_flag("--json", *djson, "DescribeModelPackage(Group)'s response shape");
  describe->callback([&run, id, djson] { run = [=] { return PrintModel(*id, *djson); }; });
}

}  // namespace mlflowctl::cli
