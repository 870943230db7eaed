#include "server/endpoint_route.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "engine/base/json_util.h"

namespace mlflowctl::server {
namespace {

constexpr std::string_view kPrefix = "/endpoints/";
constexpr std::string_view kSuffix = "/invocations";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path segment; nullopt for a bad escape.
std::optional<std::string> UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The raw (still encoded) endpoint name of an invocation path.
std::optional<std::string_view> RawName(std::string_view path) {
  if (path.size() <= kPrefix.size() + kSuffix.size() || path.substr(0, kPrefix.size()) != kPrefix ||
      path.substr(path.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view name =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return name;
}

http::Response ErrorResponse(int status, std::string_view type, Json body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  // botocore's rest-json parser reads the code from this header (the part
  // before any ':') and the message from the body's "message".
  r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  r.body = DumpJson(body);
  return r;
}

http::Response Validation(std::string message) {
  return ErrorResponse(400, "ValidationError", Json{{"message", std::move(message)}});
}

}  // namespace

bool IsInvocationPath(std::string_view path) { return RawName(path).has_value(); }

http::Response HandleInvocation(serving::EndpointHost& host, http::Request request) {
  std::optional<std::string_view> raw = RawName(request.path());
  std::optional<std::string> name = raw ? UrlDecode(*raw) : std::nullopt;
  if (!name || name->empty()) {
    return Validation("the path is not /endpoints/<EndpointName>/invocations");
  }
  if (request.method != "POST") {
    http::Response r = ErrorResponse(
        405, "MethodNotAllowed",
        Json{{"message", "InvokeEndpoint is POST /endpoints/<EndpointName>/invocations"}});
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  std::string_view custom = request.header("X-Amzn-SageMaker-Custom-Attributes");
  if (custom.size() > 1024) {
    return Validation(
        "1 validation error detected: Value at 'customAttributes' failed to satisfy "
        "constraint: Member must have length less than or equal to 1024");
  }
  std::string_view inference_id = request.header("X-Amzn-SageMaker-Inference-Id");
  if (inference_id.size() > 64) {
    return Validation(
        "1 validation error detected: Value at 'inferenceId' failed to satisfy "
        "constraint: Member must have length less than or equal to 64");
  }

  serving::Invocation in;
  in.endpoint_name = std::move(*name);
  in.body = std::move(request.body);
  in.content_type = std::string(request.header("Content-Type"));
  in.accept = std::string(request.header("Accept"));
  in.target_variant = std::string(request.header("X-Amzn-SageMaker-Target-Variant"));
  in.target_model = std::string(request.header("X-Amzn-SageMaker-Target-Model"));
  in.inference_id = std::string(inference_id);
  in.custom_attributes = std::string(custom);

  serving::InvokeError error;
  std::optional<serving::InvocationResult> result = host.Invoke(in, &error);
  if (!result) {
    Json body{{"message", error.message}};
    if (error.kind == serving::InvokeErrorKind::kModel) {
      // ModelError's members (botocore sagemaker-runtime).
      body["OriginalStatusCode"] = error.original_status_code;
      body["OriginalMessage"] = error.original_message;
    }
    http::Response r = ErrorResponse(serving::InvokeErrorHttpStatus(error.kind),
                                     serving::InvokeErrorName(error.kind), std::move(body));
    if (!error.variant.empty()) {
      r.headers.emplace_back("x-Amzn-Invoked-Production-Variant", error.variant);
    }
    return r;
  }
  http::Response r;
  r.status = 200;
  r.content_type = result->content_type;
  r.body = std::move(result->body);
  r.headers.emplace_back("x-Amzn-Invoked-Production-Variant", result->invoked_variant);
  if (!in.custom_attributes.empty()) {
    r.headers.emplace_back("X-Amzn-SageMaker-Custom-Attributes", in.custom_attributes);
  }
  return r;
}

}  // namespace mlflowctl::server
