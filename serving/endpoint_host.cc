#include "serving/endpoint_host.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "engine/base/ids.h"
#include "engine/base/status_macros.h"
#include "serving/capture_writer.h"
#include "steps/ml/csv.h"

namespace mlflowctl::serving {
namespace {

using Steady = std::chrono::steady_clock;

constexpr char kCsv[] = "text/csv";
constexpr char kJson[] = "application/json";
constexpr char kJsonLines[] = "application/jsonlines";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

bool Supported(const std::string& type) {
  return type == kCsv || type == kJson || type == kJsonLines;
}

// One generator per thread: variant choice and capture sampling never
// contend on a lock.
std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng(
      std::random_device{}() ^
      (static_cast<uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1));
  return rng;
}

double Uniform(double hi) {
  return std::uniform_real_distribution<double>(0.0, hi)(ThreadRng());
}

InvokeError MakeError(InvokeErrorKind kind, std::string message) {
  InvokeError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

std::string NotFoundMessage(std::string_view endpoint) {
  return fmt::format("Endpoint {} of account {} not found.", endpoint, kLocalAccount);
}

// The first media type of an Accept header that can be produced; "" for
// "*/*" (or empty: the request's type); nullopt when none can.
std::optional<std::string> AcceptedType(std::string_view accept) {
  if (accept.empty()) return std::string();
  while (!accept.empty()) {
    std::size_t comma = accept.find(',');
    std::string type = ml::MediaType(accept.substr(0, comma));
    accept.remove_prefix(comma == std::string_view::npos ? accept.size() : comma + 1);
    if (type == "*/*") return std::string();
    if (Supported(type)) return type;
  }
  return std::nullopt;
}

// The scores of a response the predictor rendered in `type`.
StatusOr<std::vector<double>> ParseScores(const std::string& body, const std::string& type) {
  std::vector<double> scores;
  if (type == kJson) {
    MLF_ASSIGN_OR_RETURN(Json j, ParseJson(body, "the model's response"));
    if (!j.is_object() || !j.contains("predictions") || !j["predictions"].is_array()) {
      return InternalError("the model's JSON response has no predictions");
    }
    for (const Json& p : j["predictions"]) {
      if (!p.is_object() || !p.contains("score") || !p["score"].is_number()) {
        return InternalError("a prediction has no numeric score");
      }
      scores.push_back(p["score"].get<double>());
    }
    return scores;
  }
  std::string_view rest(body);
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    if (type == kCsv) {
      double v = 0;
      auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
      if (ec != std::errc() || ptr != line.data() + line.size()) {
        return InternalError(fmt::format("'{}' is not a score", line));
      }
      scores.push_back(v);
    } else {
      MLF_ASSIGN_OR_RETURN(Json j, ParseJson(line, "the model's response"));
      if (!j.is_object() || !j.contains("score") || !j["score"].is_number()) {
        return InternalError("a prediction has no numeric score");
      }
      scores.push_back(j["score"].get<double>());
    }
  }
  return scores;
}

// Renders scores as the built-in containers do (see ml::EndpointPredictor).
std::string RenderScores(const std::vector<double>& scores, const std::string& type) {
  std::string out;
  if (type == kCsv) {
    for (double s : scores) out += ml::FormatDouble(s) + "\n";
  } else if (type == kJson) {
    Json list = Json::array();
    for (double s : scores) list.push_back({{"score", s}});
    out = DumpJson(Json{{"predictions", list}});
  } else {
    for (double s : scores) out += DumpJson(Json{{"score", s}}) + "\n";
  }
  return out;
}

// A ModelError quoting the model's status and message as SageMaker does.
InvokeError ModelError(int status, std::string message) {
  InvokeError e = MakeError(
      InvokeErrorKind::kModel,
      fmt::format("Received {} error ({}) from primary with message \"{}\".",
                  status >= 500 ? "server" : "client", status, message));
  e.original_status_code = status;
  e.original_message = std::move(message);
  return e;
}

}  // namespace

const char* InvokeErrorName(InvokeErrorKind kind) {
  switch (kind) {
    case InvokeErrorKind::kValidation: return "ValidationError";
    case InvokeErrorKind::kModel: return "ModelError";
    case InvokeErrorKind::kNotReady: return "ModelNotReadyException";
    case InvokeErrorKind::kInternal: return "InternalFailure";
  }
  return "InternalFailure";
}

int InvokeErrorHttpStatus(InvokeErrorKind kind) {
  // botocore sagemaker-runtime 2017-05-13: the shapes' httpStatusCode.
  switch (kind) {
    case InvokeErrorKind::kValidation: return 400;
    case InvokeErrorKind::kModel: return 424;
    case InvokeErrorKind::kNotReady: return 429;
    case InvokeErrorKind::kInternal: return 500;
  }
  return 500;
}

struct EndpointHost::Impl {
  struct Slot {
    std::shared_ptr<const Deployment> deployment;  // null until loaded
    Steady::time_point next_check;
    // Held while this endpoint is loaded from the store, so concurrent
    // first requests load it once.
    std::shared_ptr<std::mutex> load_mu = std::make_shared<std::mutex>();
  };

  Impl(mlops::EndpointStore& s, UriResolver r, const Clock& c, CaptureWriter* w,
       std::chrono::milliseconds i)
      : store(s), resolve(std::move(r)), clock(c), capture(w), recheck(i) {}

  // The deployment serving `name`, loaded or rechecked as needed; null
  // with `*error` set when there is none.
  std::shared_ptr<const Deployment> Current(const std::string& name, InvokeError* error);
  // Reads the endpoint's record and returns the deployment of its serving
  // config, reusing `seen` when that is still it; installs what it loads
  // unless the slot changed meanwhile.
  std::shared_ptr<const Deployment> Refresh(const std::string& name,
                                            std::shared_ptr<const Deployment> seen,
                                            InvokeError* error);
  StatusOr<std::shared_ptr<const Deployment>> Load(const std::string& config_name);

  mlops::EndpointStore& store;
  const UriResolver resolve;
  const Clock& clock;
  CaptureWriter* const capture;
  const std::chrono::milliseconds recheck;

  std::mutex mu;
  std::map<std::string, Slot> slots;  // guarded by mu; keyed by lower-cased name
};

std::shared_ptr<const Deployment> EndpointHost::Impl::Current(const std::string& name,
                                                              InvokeError* error) {
  const std::string key = Lower(name);
  std::shared_ptr<const Deployment> current;
  std::shared_ptr<std::mutex> load_mu;
  {
    std::lock_guard<std::mutex> l(mu);
    Slot& slot = slots[key];
    current = slot.deployment;
    Steady::time_point now = Steady::now();
    if (current && now < slot.next_check) return current;
    // This request rechecks; the others keep serving `current` meanwhile.
    if (current) slot.next_check = now + recheck;
    load_mu = slot.load_mu;
  }
  if (current) return Refresh(name, current, error);
  std::lock_guard<std::mutex> loading(*load_mu);
  {
    std::lock_guard<std::mutex> l(mu);
    auto it = slots.find(key);
    if (it != slots.end() && it->second.deployment) return it->second.deployment;
  }
  return Refresh(name, nullptr, error);
}

std::shared_ptr<const Deployment> EndpointHost::Impl::Refresh(
    const std::string& name, std::shared_ptr<const Deployment> seen, InvokeError* error) {
  const std::string key = Lower(name);
  // Drops the slot unless another thread installed a deployment meanwhile.
  auto forget = [&] {
    std::lock_guard<std::mutex> l(mu);
    auto it = slots.find(key);
    if (it != slots.end() && it->second.deployment == seen) slots.erase(it);
  };
  StatusOr<mlops::Endpoint> endpoint = store.GetEndpoint(name);
  if (!endpoint.ok()) {
    if (endpoint.status().code() == StatusCode::kNotFound) {
      forget();
      *error = MakeError(InvokeErrorKind::kValidation, NotFoundMessage(name));
      return nullptr;
    }
    if (seen) return seen;  // the store is unreadable: keep serving
    *error = MakeError(InvokeErrorKind::kInternal,
                       fmt::format("cannot read endpoint {}: {}", name,
                                   endpoint.status().message()));
    return nullptr;
  }
  // SageMaker's runtime knows an endpoint only once it is InService (an
  // Updating endpoint serves its current config meanwhile).
  if (endpoint->status != mlops::kEndpointInService &&
      endpoint->status != mlops::kEndpointUpdating) {
    forget();
    *error = MakeError(InvokeErrorKind::kValidation, NotFoundMessage(name));
    return nullptr;
  }
  if (seen && EqualsIgnoreCase(seen->endpoint_config_name, endpoint->config_name)) {
    return seen;
  }
  StatusOr<std::shared_ptr<const Deployment>> loaded = Load(endpoint->config_name);
  if (!loaded.ok()) {
    if (seen) return seen;  // keep the model that works
    *error = MakeError(InvokeErrorKind::kInternal,
                       fmt::format("endpoint {}: config {} cannot be loaded: {}", name,
                                   endpoint->config_name, loaded.status().message()));
    return nullptr;
  }
  std::lock_guard<std::mutex> l(mu);
  Slot& slot = slots[key];
  if (slot.deployment != seen) return slot.deployment ? slot.deployment : *loaded;
  slot.deployment = *loaded;
  slot.next_check = Steady::now() + recheck;
  return *loaded;
}

StatusOr<std::shared_ptr<const Deployment>> EndpointHost::Impl::Load(
    const std::string& config_name) {
  MLF_ASSIGN_OR_RETURN(mlops::EndpointConfig config, store.GetEndpointConfig(config_name));
  auto deployment = std::make_shared<Deployment>();
  deployment->endpoint_config_name = config.name;
  deployment->data_capture = config.data_capture;
  for (const mlops::ProductionVariant& v : config.production_variants) {
    StatusOr<mlops::HostedModel> model = store.GetModel(v.model_name);
    if (!model.ok()) {
      return Status(model.status().code(),
                    fmt::format("variant \"{}\": model \"{}\": {}", v.variant_name,
                                v.model_name, model.status().message()));
    }
    const std::string& url = model->primary_container.model_data_url;
    if (url.empty()) {
      return FailedPreconditionError(fmt::format(
          "variant \"{}\": model \"{}\" has no ModelDataUrl", v.variant_name, v.model_name));
    }
    auto predictor = ml::EndpointPredictor::Load(resolve(url), resolve);
    if (!predictor.ok()) {
      return Status(predictor.status().code(),
                    fmt::format("variant \"{}\": failed to load model \"{}\" from {}: {}",
                                v.variant_name, v.model_name, url,
                                predictor.status().message()));
    }
    LoadedVariant loaded;
    loaded.variant_name = v.variant_name;
    loaded.model_name = v.model_name;
    loaded.weight = v.initial_variant_weight;
    loaded.predictor = std::shared_ptr<const ml::EndpointPredictor>(std::move(*predictor));
    deployment->variants.push_back(std::move(loaded));
  }
  if (deployment->variants.empty()) {
    return FailedPreconditionError(
        fmt::format("endpoint configuration \"{}\" has no production variants", config_name));
  }
  return std::shared_ptr<const Deployment>(std::move(deployment));
}

EndpointHost::EndpointHost(mlops::EndpointStore& store, UriResolver resolve,
                           const Clock& clock, CaptureWriter* capture,
                           std::chrono::milliseconds recheck_interval)
    : impl_(std::make_unique<Impl>(store, std::move(resolve), clock, capture,
                                   recheck_interval)) {}

EndpointHost::~EndpointHost() = default;

StatusOr<std::shared_ptr<const Deployment>> EndpointHost::Load(
    const std::string& config_name) {
  return impl_->Load(config_name);
}

void EndpointHost::Install(const std::string& endpoint_name,
                           std::shared_ptr<const Deployment> deployment) {
  std::shared_ptr<const Deployment> old;  // released outside the lock
  std::lock_guard<std::mutex> l(impl_->mu);
  Impl::Slot& slot = impl_->slots[Lower(endpoint_name)];
  old = std::exchange(slot.deployment, std::move(deployment));
  slot.next_check = Steady::now() + impl_->recheck;
}

void EndpointHost::Evict(const std::string& endpoint_name) {
  std::shared_ptr<const Deployment> old;
  std::lock_guard<std::mutex> l(impl_->mu);
  auto it = impl_->slots.find(Lower(endpoint_name));
  if (it == impl_->slots.end()) return;
  old = std::move(it->second.deployment);
  impl_->slots.erase(it);
}

namespace {

// The variant that answers: the target when given, else one drawn by
// weight (all weights 0: uniformly). Null when the target is unknown.
const LoadedVariant* ChooseVariant(const Deployment& d, const std::string& target) {
  if (!target.empty()) {
    for (const LoadedVariant& v : d.variants) {
      if (v.variant_name == target) return &v;
    }
    return nullptr;
  }
  if (d.variants.size() == 1) return &d.variants[0];
  double total = 0;
  for (const LoadedVariant& v : d.variants) total += v.weight > 0 ? v.weight : 0;
  if (total <= 0) {
    auto i = static_cast<std::size_t>(Uniform(static_cast<double>(d.variants.size())));
    return &d.variants[std::min(i, d.variants.size() - 1)];
  }
  double pick = Uniform(total);
  for (const LoadedVariant& v : d.variants) {
    double w = v.weight > 0 ? v.weight : 0;
    if (pick < w) return &v;
    pick -= w;
  }
  for (auto it = d.variants.rbegin(); it != d.variants.rend(); ++it) {
    if (it->weight > 0) return &*it;  // rounding at the top end
  }
  return &d.variants.back();
}

bool Sampled(const mlops::DataCaptureConfig& c) {
  if (!c.enable_capture || c.initial_sampling_percentage <= 0) return false;
  if (c.initial_sampling_percentage >= 100) return true;
  return Uniform(100.0) < c.initial_sampling_percentage;
}

bool HasMode(const mlops::DataCaptureConfig& c, std::string_view mode) {
  for (const std::string& m : c.capture_modes) {
    if (EqualsIgnoreCase(m, mode)) return true;
  }
  return false;
}

}  // namespace

std::optional<InvocationResult> EndpointHost::Invoke(const Invocation& in,
                                                     InvokeError* error) {
  InvokeError ignored;
  if (error == nullptr) error = &ignored;
  const int64_t arrived_ms = ToEpochMillis(impl_->clock.Now());
  if (in.endpoint_name.empty()) {
    *error = MakeError(InvokeErrorKind::kValidation,
                       "1 validation error detected: Value null at 'endpointName' failed "
                       "to satisfy constraint: Member must not be null");
    return std::nullopt;
  }
  std::shared_ptr<const Deployment> deployment = impl_->Current(in.endpoint_name, error);
  if (!deployment) return std::nullopt;
  const LoadedVariant* variant = ChooseVariant(*deployment, in.target_variant);
  if (variant == nullptr) {
    *error = MakeError(InvokeErrorKind::kValidation,
                       fmt::format("Target variant {} not found for Endpoint {}.",
                                   in.target_variant, in.endpoint_name));
    return std::nullopt;
  }

  const std::string content_type = in.content_type.empty() ? kCsv : in.content_type;
  const std::string request_type = ml::MediaType(content_type);
  std::optional<std::string> accepted = AcceptedType(in.accept);
  InvocationResult result;
  result.invoked_variant = variant->variant_name;
  if (!Supported(request_type)) {
    *error = ModelError(415, fmt::format("content type '{}' is not supported (text/csv, "
                                         "application/json, application/jsonlines)",
                                         content_type));
  } else if (!accepted) {
    *error = ModelError(406, fmt::format("Accept '{}' is not supported (text/csv, "
                                         "application/json, application/jsonlines)",
                                         in.accept));
  } else if (auto response = variant->predictor->Invoke(in.body, content_type);
             !response.ok()) {
    *error = ModelError(response.status().code() == StatusCode::kInvalidArgument ? 400 : 500,
                        response.status().message());
  } else if (accepted->empty() || *accepted == response->content_type) {
    result.body = std::move(response->body);
    result.content_type = std::move(response->content_type);
  } else if (auto scores = ParseScores(response->body, response->content_type);
             !scores.ok()) {
    *error = ModelError(500, scores.status().message());
  } else {
    result.body = RenderScores(*scores, *accepted);
    result.content_type = *accepted;
  }
  if (!result.content_type.empty()) {
    error->variant.clear();
  } else {
    error->variant = variant->variant_name;
    return std::nullopt;
  }

  if (impl_->capture != nullptr && deployment->data_capture &&
      Sampled(*deployment->data_capture)) {
    const mlops::DataCaptureConfig& c = *deployment->data_capture;
    CaptureRecord record;
    record.endpoint_name = in.endpoint_name;
    record.variant_name = variant->variant_name;
    record.time_ms = arrived_ms;
    record.event_id = NewUuid();
    record.inference_id = in.inference_id;
    record.capture_input = HasMode(c, "Input");
    record.capture_output = HasMode(c, "Output");
    record.input_content_type = content_type;
    record.input_encoding =
        CaptureEncoding(content_type, c.csv_content_types, c.json_content_types);
    if (record.capture_input) record.input_body = in.body;
    record.output_content_type = result.content_type;
    record.output_encoding =
        CaptureEncoding(result.content_type, c.csv_content_types, c.json_content_types);
    if (record.capture_output) record.output_body = result.body;
    if (record.capture_input || record.capture_output) impl_->capture->Append(std::move(record));
  }
  return result;
}

}  // namespace mlflowctl::serving
