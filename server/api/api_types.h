// Values shared by the Step Functions API's actions: the reply sent to the
// HTTP layer, an AWS-shaped error, and the result of one action (a JSON body
// or an error). Plain value types; thread-compatible.
#ifndef MLFLOWCTL_SERVER_API_API_TYPES_H_
#define MLFLOWCTL_SERVER_API_API_TYPES_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "engine/base/json_util.h"
#include "engine/base/status.h"

namespace mlflowctl::api {

// What the HTTP layer sends back: the status and an AWS JSON 1.0 body.
struct ApiReply {
  int http_status = 200;
  std::string body;
};

using ReplyFn = std::function<void(ApiReply)>;

// An error as AWS JSON 1.0 services send it: {"__type": type, "message": ...}.
// Client mistakes are 400 (SDKs retry 5xx and 429, so those are for the
// server's own failures only).
struct ApiError {
  std::string type;
  std::string message;
  int http_status = 400;
};

// The outcome of one action.
struct ApiResult {
  std::optional<ApiError> error;
  Json body = Json::object();

  static ApiResult Ok(Json body) { return ApiResult{std::nullopt, std::move(body)}; }
  static ApiResult Fail(std::string type, std::string message, int http_status = 400) {
    return ApiResult{ApiError{std::move(type), std::move(message), http_status}, Json::object()};
  }
  static ApiResult Fail(ApiError error) { return ApiResult{std::move(error), Json::object()}; }
  bool ok() const { return !error.has_value(); }

  ApiReply ToReply() const;
};

// A store or engine failure that is not the client's fault: InternalFailure
// (HTTP 500), or ServiceUnavailable (503) when the store is busy or I/O
// failed, which SDKs retry.
ApiResult InternalFailure(const Status& status);

}  // namespace mlflowctl::api

#endif  // MLFLOWCTL_SERVER_API_API_TYPES_H_
