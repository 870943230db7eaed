// mlflowctl endpoints list|describe|invoke: the hosting records (endpoints,
// their configs, models and config history) and in-process prediction
// through the endpoint host, as `serve` answers it (data capture included).
// --json prints SageMaker's ListEndpoints / DescribeEndpoint shapes, with the
// local fields added.
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/services.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/store/sqlite_endpoint_store.h"

namespace mlflowctl::cli {

namespace {


// The endpoint's config and the models of its variants (missing ones are
// left out: the records may be inspected even when incomplete).
struct Deployment {
  std::optional<mlops::EndpointConfig> config;
  std::map<std::string, mlops::HostedModel> models;
};

Deployment LoadDeployment(store::SqliteEndpointStore& endpoints,
                          const std::string& config_name) {
  Deployment d;
  auto config = endpoints.GetEndpointConfig(config_name);
  if (!config.ok()) return d;
  d.config = std::move(*config);
  for (const auto& v : d.config->production_variants) {
    auto model = endpoints.GetModel(v.model_name);
    if (model.ok()) d.models.emplace(v.model_name, std::move(*model));
  }
  return d;
}

std::string ModelNames(const Deployment& d) {
  std::string out;
  if (!d.config) return "-";
  for (const auto& v : d.config->production_variants) {
    out += (out.empty() ? "" : ",") + v.model_name;
  }
  return out;
}

int PrintEndpoints(bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  Services services(**store, *SystemClock::Default(), HomeDir());
  store::SqliteEndpointStore& endpoints = services.endpoints;
  auto list = endpoints.ListEndpoints();
  if (!list.ok()) return Fail(list.status());
  if (json) {
    Json items = Json::array();
    for (const auto& e : *list) {
      items.push_back({{"EndpointName", e.name},
                       {"EndpointArn", mlops::EndpointArn(e.name)},
                       {"CreationTime", SecondsFromMillis(e.created_ms)},
                       {"LastModifiedTime", SecondsFromMillis(e.last_modified_ms)},
                       {"EndpointStatus", e.status}});
    }
    std::cout << Json{{"Endpoints", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : *list) {
    rows.push_back({e.name, e.status, e.config_name,
                    ModelNames(LoadDeployment(endpoints, e.config_name)),
                    FormatLocalTime(e.last_modified_ms)});
  }
  PrintTable({"NAME", "STATUS", "CONFIG", "MODEL", "UPDATED"}, rows);
  return kExitOk;
}

int PrintEndpoint(const std::string& name, bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  Services services(**store, *SystemClock::Default(), HomeDir());
  store::SqliteEndpointStore& endpoints = services.endpoints;
  auto endpoint = endpoints.GetEndpoint(name);
  if (!endpoint.ok()) return Fail(endpoint.status());
  auto history = endpoints.ListEndpointChanges(name);
  if (!history.ok()) return Fail(history.status());
  Deployment d = LoadDeployment(endpoints, endpoint->config_name);
  if (json) {
    Json out = mlops::DescribeEndpointJson(*endpoint, d.config ? &*d.config : nullptr,
                                           d.models);
    if (d.config) out["EndpointConfig"] = mlops::DescribeEndpointConfigJson(*d.config);
    Json models = Json::array();
    for (const auto& [model_name, model] : d.models) {
      models.push_back(mlops::DescribeModelJson(model));
    }
    out["Models"] = models;
    Json changes = Json::array();
    for (const auto& c : *history) changes.push_back(mlops::EndpointChangeJson(c));
    out["History"] = changes;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  const mlops::Endpoint& e = *endpoint;
  std::cout << fmt::format("endpoint:  {}\n", e.name)
            << fmt::format("arn:       {}\n", mlops::EndpointArn(e.name))
            << fmt::format("status:    {}\n", e.status);
  if (!e.failure_reason.empty()) {
    std::cout << fmt::format("failure:   {}\n", e.failure_reason);
  }
  std::cout << fmt::format("config:    {}\n", e.config_name);
  if (e.pending_config_name) {
    std::cout << fmt::format("pending:   {}\n", *e.pending_config_name);
  }
  std::cout << fmt::format("created:   {}\n", FormatLocalTime(e.created_ms))
            << fmt::format("updated:   {}\n", FormatLocalTime(e.last_modified_ms));
  if (d.config) {
    for (const auto& v : d.config->production_variants) {
      auto model = d.models.find(v.model_name);
      std::cout << fmt::format(
          "variant:   {} -> model {} ({}), weight {}, {} x {}\n", v.variant_name,
          v.model_name,
          model == d.models.end() ? "missing"
                                  : model->second.primary_container.model_data_url,
          v.initial_variant_weight, v.initial_instance_count, v.instance_type);
    }
    if (d.config->data_capture) {
      const auto& c = *d.config->data_capture;
      std::cout << fmt::format("capture:   {} {}% to {}\n", c.enable_capture ? "on" : "off",
                               c.initial_sampling_percentage, c.destination_s3_uri);
    }
  }
  if (!history->empty()) {
    std::cout << "\nconfig history:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *history) {
      rows.push_back({FormatLocalTime(c.changed_ms), c.from_config.value_or("-"), c.to_config,
                      c.outcome, c.changed_by, c.failure_reason});
    }
    PrintTable({"TIME", "FROM", "TO", "OUTCOME", "BY", "REASON"}, rows);
  }
  return kExitOk;
}

struct InvokeOptions {
  std::string name;
  std::string body;
  std::string body_file;
  std::string content_type = "text/csv";
  std::string accept;
  std::string target_variant;
  std::string inference_id;
  bool json = false;
};

// An invocation error as a Status for the exit code: the caller's mistake
// (unknown endpoint, input the model rejects) exits 2, a model that cannot
// be loaded or read exits 4.
Status InvokeFailure(const serving::InvokeError& e) {
  switch (e.kind) {
    case serving::InvokeErrorKind::kValidation:
      return InvalidArgumentError(e.message);
    case serving::InvokeErrorKind::kModel:
      return e.original_status_code >= 500 ? InternalError(e.message)
                                           : InvalidArgumentError(e.message);
    case serving::InvokeErrorKind::kNotReady:
    case serving::InvokeErrorKind::kInternal:
      return UnavailableError(e.message);
  }
  return InternalError(e.message);
}

// Through the same host as `run` and `serve`: the variant is drawn by
// weight and the request is captured when the endpoint's config says so.
int Invoke(const InvokeOptions& o) {
  std::string body = o.body;
  if (!o.body_file.empty()) {
    StatusOr<std::string> text = ReadFile(o.body_file);
    if (!text.ok()) return Fail(text.status());
    body = std::move(*text);
  }
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  Services services(**store, *SystemClock::Default(), HomeDir());
  serving::Invocation call;
  call.endpoint_name = o.name;
  call.body = std::move(body);
  call.content_type = o.content_type;
  call.accept = o.accept;
  call.target_variant = o.target_variant;
  call.inference_id = o.inference_id;
  serving::InvokeError error;
  std::optional<serving::InvocationResult> response = services.host.Invoke(call, &error);
  if (Status flushed = services.capture.Flush(); !flushed.ok()) {
    std::cerr << "mlflowctl: warning: " << flushed.message() << "\n";
  }
  if (!response) {
    // SageMaker says "not found" for an endpoint that is not InService;
    // the local record tells why.
    auto endpoint = services.endpoints.GetEndpoint(o.name);
    if (error.kind == serving::InvokeErrorKind::kValidation && endpoint.ok() &&
        endpoint->status != mlops::kEndpointInService) {
      error.message += fmt::format(" (endpoint {} is {}{})", o.name, endpoint->status,
                                   endpoint->failure_reason.empty()
                                       ? ""
                                       : ": " + endpoint->failure_reason);
    }
    return Fail(InvokeFailure(error));
  }
  if (o.json) {
    Json out{{"ContentType", response->content_type},
             {"InvokedProductionVariant", response->invoked_variant},
             {"Body", response->body}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << response->body;
  if (!response->body.empty() && response->body.back() != '\n') std::cout << "\n";
  return kExitOk;
}

}  // namespace

void AddEndpointsCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("endpoints", "Inspect and invoke model endpoints");
  cmd->require_subcommand(1);

  auto ljson = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List endpoints with their status, config and model");
  list->add_flag("--json", *ljson, "ListEndpoints' response shape");
  list->callback([&run, ljson] { run = [=] { return PrintEndpoints(*ljson); }; });

  auto name = std::make_shared<std::string>();
  auto djson = std::make_shared<bool>(false);
  auto* describe = cmd->add_subcommand(
      "describe", "Show an endpoint, its config, its models and its config history");
  describe->add_option("name", *name, "Endpoint name")->required();
  describe->add_flag("--json", *djson, "DescribeEndpoint's shape plus config, models, history");
  describe->callback([&run, name, djson] { run = [=] { return PrintEndpoint(*name, *djson); }; });

  auto o = std::make_shared<InvokeOptions>();
  auto* invoke = cmd->add_subcommand(
      "invoke", "Predict with an endpoint's model, in-process (no server); captures data "
      "when the endpoint's config says so");
  invoke->add_option("name", o->name, "Endpoint name")->required();
  auto* body = invoke->add_option("--body", o->body, "Request body");
  auto* file = invoke->add_option("--body-file", o->body_file, "Read the request body from a file");
  body->excludes(file);
  invoke->add_option("--content-type", o->content_type,
                     "text/csv (default), application/json or application/jsonlines");
  invoke->add_option("--accept", o->accept,
                     "Response type (default: the request's content type)");
  invoke->add_option("--target-variant", o->target_variant,
                     "Production variant to invoke (default: drawn by weight)");
  invoke->add_option("--inference-id", o->inference_id,
                     "InferenceId recorded with the captured request");
  invoke->add_flag("--json", o->json, "Print {ContentType, InvokedProductionVariant, Body}");
  invoke->callback([&run, o, body, file] {
    if (body->count() == 0 && file->count() == 0) {
      throw CLI::RequiredError("--body or --body-file");
    }
    run = [=] { return Invoke(*o); };
  });
}

}  // namespace mlflowctl::cli
