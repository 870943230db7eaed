#include "engine/mlops/endpoint_store.h"

#include <cctype>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/base/status_macros.h"

namespace mlflowctl::mlops {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Arn(std::string_view kind, std::string_view name) {
  return fmt::format("arn:aws:sagemaker:{}:{}:{}/{}", kLocalRegion,
                     kLocalAccount, kind, Lower(name));
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// Request readers: kInvalidArgument naming `where.key` on a type mismatch.
Status ReadString(const Json& in, const char* key, std::string_view where,
                  bool required, std::string* out) {
  if (!in.contains(key)) {
    if (!required) return Status::Ok();
    return InvalidArgumentError(fmt::format("{}{} is required", where, key));
  }
  if (!in[key].is_string()) {
    return InvalidArgumentError(
        fmt::format("{}{} must be a string", where, key));
  }
  *out = in[key].get<std::string>();
  return Status::Ok();
}

Status ReadStringList(const Json& in, const char* key, std::string_view where,
                      std::vector<std::string>* out) {
  if (!in.contains(key)) return Status::Ok();
  if (!in[key].is_array()) {
    return InvalidArgumentError(
        fmt::format("{}{} must be an array of strings", where, key));
  }
  out->clear();
  for (const Json& item : in[key]) {
    if (!item.is_string()) {
      return InvalidArgumentError(
          fmt::format("{}{} must be an array of strings", where, key));
    }
    out->push_back(item.get<std::string>());
  }
  return Status::Ok();
}

Status ReadNumber(const Json& in, const char* key, std::string_view where,
                  bool required, double* out) {
  if (!in.contains(key)) {
    if (!required) return Status::Ok();
    return InvalidArgumentError(fmt::format("{}{} is required", where, key));
  }
  if (!in[key].is_number()) {
    return InvalidArgumentError(
        fmt::format("{}{} must be a number", where, key));
  }
  *out = in[key].get<double>();
  return Status::Ok();
}

StatusOr<ContainerDefinition> ContainerFromJson(const Json& in,
                                                std::string_view where) {
  if (!in.is_object()) {
    return InvalidArgumentError(fmt::format("{} must be an object", where));
  }
  ContainerDefinition c;
  std::string prefix = fmt::format("{}.", where);
  MLF_RETURN_IF_ERROR(ReadString(in, "Image", prefix, false, &c.image));
  MLF_RETURN_IF_ERROR(
      ReadString(in, "ModelDataUrl", prefix, false, &c.model_data_url));
  if (in.contains("Environment")) {
    const Json& env = in["Environment"];
    if (!env.is_object()) {
      return InvalidArgumentError(
          fmt::format("{}Environment must be an object", prefix));
    }
    for (auto it = env.begin(); it != env.end(); ++it) {
      if (!it.value().is_string()) {
        return InvalidArgumentError(fmt::format(
            "{}Environment.{} must be a string", prefix, it.key()));
      }
      c.environment[it.key()] = it.value().get<std::string>();
    }
  }
  return c;
}

Json ContainerJson(const ContainerDefinition& c) {
  Json out = Json::object();
  if (!c.image.empty()) out["Image"] = c.image;
  out["Mode"] = "SingleModel";
  if (!c.model_data_url.empty()) out["ModelDataUrl"] = c.model_data_url;
  out["Environment"] = Json::object();
  for (const auto& [k, v] : c.environment) out["Environment"][k] = v;
  return out;
}

StatusOr<ProductionVariant> VariantFromJson(const Json& in, std::size_t i) {
  std::string where = fmt::format("ProductionVariants[{}].", i);
  if (!in.is_object()) {
    return InvalidArgumentError(
        fmt::format("ProductionVariants[{}] must be an object", i));
  }
  ProductionVariant v;
  MLF_RETURN_IF_ERROR(ReadString(in, "VariantName", where, true, &v.variant_name));
  MLF_RETURN_IF_ERROR(ReadString(in, "ModelName", where, true, &v.model_name));
  MLF_RETURN_IF_ERROR(ReadString(in, "InstanceType", where, false, &v.instance_type));
  if (in.contains("InitialInstanceCount")) {
    if (!in["InitialInstanceCount"].is_number_integer()) {
      return InvalidArgumentError(
          fmt::format("{}InitialInstanceCount must be an integer", where));
    }
    v.initial_instance_count = in["InitialInstanceCount"].get<int64_t>();
  }
  MLF_RETURN_IF_ERROR(ReadNumber(in, "InitialVariantWeight", where, false,
                                  &v.initial_variant_weight));
  return v;
}

StatusOr<DataCaptureConfig> DataCaptureFromJson(const Json& in) {
  constexpr std::string_view where = "DataCaptureConfig.";
  if (!in.is_object()) {
    return InvalidArgumentError("DataCaptureConfig must be an object");
  }
  DataCaptureConfig d;
  if (in.contains("EnableCapture")) {
    if (!in["EnableCapture"].is_boolean()) {
      return InvalidArgumentError(
          "DataCaptureConfig.EnableCapture must be a boolean");
    }
    d.enable_capture = in["EnableCapture"].get<bool>();
  }
  MLF_RETURN_IF_ERROR(ReadNumber(in, "InitialSamplingPercentage", where, true,
                                  &d.initial_sampling_percentage));
  MLF_RETURN_IF_ERROR(
      ReadString(in, "DestinationS3Uri", where, true, &d.destination_s3_uri));
  if (!in.contains("CaptureOptions") || !in["CaptureOptions"].is_array()) {
    return InvalidArgumentError(
        "DataCaptureConfig.CaptureOptions (an array of {\"CaptureMode\"}) is "
        "required");
  }
  d.capture_modes.clear();
  for (const Json& option : in["CaptureOptions"]) {
    std::string mode;
    if (!option.is_object()) {
      return InvalidArgumentError(
          "DataCaptureConfig.CaptureOptions items must be objects");
    }
    MLF_RETURN_IF_ERROR(ReadString(option, "CaptureMode",
                                    "DataCaptureConfig.CaptureOptions[].",
                                    true, &mode));
    d.capture_modes.push_back(mode);
  }
  if (in.contains("CaptureContentTypeHeader")) {
    const Json& header = in["CaptureContentTypeHeader"];
    if (!header.is_object()) {
      return InvalidArgumentError(
          "DataCaptureConfig.CaptureContentTypeHeader must be an object");
    }
    constexpr std::string_view h = "DataCaptureConfig.CaptureContentTypeHeader.";
    MLF_RETURN_IF_ERROR(
        ReadStringList(header, "CsvContentTypes", h, &d.csv_content_types));
    MLF_RETURN_IF_ERROR(
        ReadStringList(header, "JsonContentTypes", h, &d.json_content_types));
  }
  return d;
}

Json DataCaptureJson(const DataCaptureConfig& d) {
  Json options = Json::array();
  for (const std::string& mode : d.capture_modes) {
    options.push_back({{"CaptureMode", mode}});
  }
  Json out{{"EnableCapture", d.enable_capture},
           {"InitialSamplingPercentage", d.initial_sampling_percentage},
           {"DestinationS3Uri", d.destination_s3_uri},
           {"CaptureOptions", options}};
  if (!d.csv_content_types.empty() || !d.json_content_types.empty()) {
    Json header = Json::object();
    if (!d.csv_content_types.empty()) header["CsvContentTypes"] = d.csv_content_types;
    if (!d.json_content_types.empty()) header["JsonContentTypes"] = d.json_content_types;
    out["CaptureContentTypeHeader"] = header;
  }
  return out;
}

Status InvalidName(std::string_view what, std::string_view name) {
  std::string why = CheckHostingName(name);
  if (why.empty()) return Status::Ok();
  return InvalidArgumentError(fmt::format(
      "{} '{}' must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,62}}: {}", what, name,
      why));
}

}  // namespace

std::string ModelArn(std::string_view name) { return Arn("model", name); }
std::string EndpointConfigArn(std::string_view name) {
  return Arn("endpoint-config", name);
}
std::string EndpointArn(std::string_view name) { return Arn("endpoint", name); }

std::string CheckHostingName(std::string_view name) {
  if (name.empty()) return "a name must not be empty";
  if (name.size() > 63) return "a name has at most 63 characters";
  if (!IsAsciiAlnum(name.front()) || !IsAsciiAlnum(name.back())) {
    return "a name starts and ends with a letter or digit";
  }
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '-') {
      return fmt::format(
          "'{}' is not allowed (only letters, digits and hyphens)", c);
    }
  }
  return "";
}

Status ValidateModel(const HostedModel& model) {
  MLF_RETURN_IF_ERROR(InvalidName("ModelName", model.name));
  if (model.primary_container.environment.size() > 16) {
    return InvalidArgumentError(
        "PrimaryContainer.Environment has at most 16 entries");
  }
  return Status::Ok();
}

Status ValidateEndpointConfig(const EndpointConfig& config) {
  MLF_RETURN_IF_ERROR(InvalidName("EndpointConfigName", config.name));
  const auto& variants = config.production_variants;
  if (variants.empty() || variants.size() > 10) {
    return InvalidArgumentError(
        "ProductionVariants must hold 1 to 10 variants");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const ProductionVariant& v = variants[i];
    MLF_RETURN_IF_ERROR(InvalidName(
        fmt::format("ProductionVariants[{}].VariantName", i), v.variant_name));
    MLF_RETURN_IF_ERROR(InvalidName(
        fmt::format("ProductionVariants[{}].ModelName", i), v.model_name));
    if (!names.insert(Lower(v.variant_name)).second) {
      return InvalidArgumentError(fmt::format(
          "ProductionVariants: the variant name '{}' is used twice",
          v.variant_name));
    }
    if (v.initial_instance_count < 1) {
      return InvalidArgumentError(fmt::format(
          "ProductionVariants[{}].InitialInstanceCount must be at least 1", i));
    }
    if (!(v.initial_variant_weight >= 0)) {
      return InvalidArgumentError(fmt::format(
          "ProductionVariants[{}].InitialVariantWeight must be at least 0", i));
    }
  }
  if (config.data_capture.has_value()) {
    const DataCaptureConfig& d = *config.data_capture;
    if (!(d.initial_sampling_percentage >= 0 &&
          d.initial_sampling_percentage <= 100)) {
      return InvalidArgumentError(
          "DataCaptureConfig.InitialSamplingPercentage must be in [0, 100]");
    }
    if (d.destination_s3_uri.empty()) {
      return InvalidArgumentError(
          "DataCaptureConfig.DestinationS3Uri must not be empty");
    }
    if (d.capture_modes.empty() || d.capture_modes.size() > 2) {
      return InvalidArgumentError(
          "DataCaptureConfig.CaptureOptions must hold 1 or 2 options");
    }
    for (const std::string& mode : d.capture_modes) {
      if (mode != "Input" && mode != "Output") {
        return InvalidArgumentError(fmt::format(
            "DataCaptureConfig.CaptureOptions: CaptureMode '{}' is not Input "
            "or Output",
            mode));
      }
    }
  }
  return Status::Ok();
}

StatusOr<HostedModel> ModelFromCreateRequest(const Json& request) {
  if (!request.is_object()) {
    return InvalidArgumentError("the request must be a JSON object");
  }
  HostedModel model;
  MLF_RETURN_IF_ERROR(ReadString(request, "ModelName", "", true, &model.name));
  MLF_RETURN_IF_ERROR(ReadString(request, "ExecutionRoleArn", "", false,
                                  &model.execution_role_arn));
  if (request.contains("PrimaryContainer")) {
    StatusOr<ContainerDefinition> c =
        ContainerFromJson(request["PrimaryContainer"], "PrimaryContainer");
    if (!c.ok()) return c.status();
    model.primary_container = std::move(*c);
  } else if (request.contains("Containers") &&
             request["Containers"].is_array() &&
             request["Containers"].size() == 1) {
    StatusOr<ContainerDefinition> c =
        ContainerFromJson(request["Containers"][0], "Containers[0]");
    if (!c.ok()) return c.status();
    model.primary_container = std::move(*c);
  } else {
    return InvalidArgumentError(
        "PrimaryContainer (or Containers with one container) is required");
  }
  return model;
}

StatusOr<EndpointConfig> EndpointConfigFromCreateRequest(const Json& request) {
  if (!request.is_object()) {
    return InvalidArgumentError("the request must be a JSON object");
  }
  EndpointConfig config;
  MLF_RETURN_IF_ERROR(
      ReadString(request, "EndpointConfigName", "", true, &config.name));
  if (!request.contains("ProductionVariants") ||
      !request["ProductionVariants"].is_array()) {
    return InvalidArgumentError("ProductionVariants (an array) is required");
  }
  const Json& variants = request["ProductionVariants"];
  for (std::size_t i = 0; i < variants.size(); ++i) {
    StatusOr<ProductionVariant> v = VariantFromJson(variants[i], i);
    if (!v.ok()) return v.status();
    config.production_variants.push_back(std::move(*v));
  }
  if (request.contains("DataCaptureConfig")) {
    StatusOr<DataCaptureConfig> d =
        DataCaptureFromJson(request["DataCaptureConfig"]);
    if (!d.ok()) return d.status();
    config.data_capture = std::move(*d);
  }
  return config;
}

Json DescribeModelJson(const HostedModel& model) {
  Json out{{"ModelName", model.name},
           {"ModelArn", ModelArn(model.name)},
           {"PrimaryContainer", ContainerJson(model.primary_container)},
           {"CreationTime", Seconds(model.created_ms)}};
  if (!model.execution_role_arn.empty()) {
    out["ExecutionRoleArn"] = model.execution_role_arn;
  }
  return out;
}

Json DescribeEndpointConfigJson(const EndpointConfig& config) {
  Json variants = Json::array();
  for (const ProductionVariant& v : config.production_variants) {
    variants.push_back({{"VariantName", v.variant_name},
                        {"ModelName", v.model_name},
                        {"InitialInstanceCount", v.initial_instance_count},
                        {"InstanceType", v.instance_type},
                        {"InitialVariantWeight", v.initial_variant_weight}});
  }
  Json out{{"EndpointConfigName", config.name},
           {"EndpointConfigArn", EndpointConfigArn(config.name)},
           {"ProductionVariants", variants},
           {"CreationTime", Seconds(config.created_ms)}};
  if (config.data_capture.has_value()) {
    out["DataCaptureConfig"] = DataCaptureJson(*config.data_capture);
  }
  return out;
}

Json DescribeEndpointJson(const Endpoint& endpoint, const EndpointConfig* config,
                          const std::map<std::string, HostedModel>& models) {
  Json out{{"EndpointName", endpoint.name},
           {"EndpointArn", EndpointArn(endpoint.name)},
           {"EndpointConfigName", endpoint.config_name},
           {"EndpointStatus", endpoint.status},
           {"CreationTime", Seconds(endpoint.created_ms)},
           {"LastModifiedTime", Seconds(endpoint.last_modified_ms)}};
  if (!endpoint.failure_reason.empty()) {
    out["FailureReason"] = endpoint.failure_reason;
  }
  // SageMaker lists the variants once the endpoint has served.
  const bool serving = endpoint.status == kEndpointInService ||
                       endpoint.status == kEndpointUpdating;
  if (config != nullptr && serving) {
    Json variants = Json::array();
    for (const ProductionVariant& v : config->production_variants) {
      Json images = Json::array();
      auto model = models.find(v.model_name);
      if (model != models.end() &&
          !model->second.primary_container.image.empty()) {
        const std::string& image = model->second.primary_container.image;
        images.push_back({{"SpecifiedImage", image},
                          {"ResolvedImage", image},
                          {"ResolutionTime", Seconds(endpoint.last_modified_ms)}});
      }
      variants.push_back({{"VariantName", v.variant_name},
                          {"DeployedImages", images},
                          {"CurrentWeight", v.initial_variant_weight},
                          {"DesiredWeight", v.initial_variant_weight},
                          {"CurrentInstanceCount", v.initial_instance_count},
                          {"DesiredInstanceCount", v.initial_instance_count}});
    }
    out["ProductionVariants"] = variants;
    if (config->data_capture.has_value()) {
      const DataCaptureConfig& d = *config->data_capture;
      out["DataCaptureConfig"] = {
          {"EnableCapture", d.enable_capture},
          {"CaptureStatus", d.enable_capture ? "Started" : "Stopped"},
          {"CurrentSamplingPercentage", d.initial_sampling_percentage},
          {"DestinationS3Uri", d.destination_s3_uri}};
    }
  }
  if (endpoint.pending_config_name.has_value()) {
    out["PendingDeploymentSummary"] = {
        {"EndpointConfigName", *endpoint.pending_config_name},
        {"StartTime", Seconds(endpoint.last_modified_ms)}};
  }
  return out;
}

Json EndpointChangeJson(const EndpointChange& change) {
  Json out{{"FromConfig", change.from_config ? Json(*change.from_config) : Json()},
           {"ToConfig", change.to_config},
           {"Outcome", change.outcome},
           {"ChangedBy", change.changed_by},
           {"Time", Seconds(change.changed_ms)}};
  if (!change.failure_reason.empty()) {
    out["FailureReason"] = change.failure_reason;
  }
  return out;
}

}  // namespace mlflowctl::mlops
