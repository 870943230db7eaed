#include "server/router.h"

#include <memory>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>

#include "engine/base/json_util.h"
#include "server/endpoint_route.h"

namespace mlflowctl::server {

namespace {

constexpr std::string_view kTargetPrefix = "AWSStepFunctions.";

http::Response AwsError(int status, std::string_view type, std::string_view message) {
  http::Response r;
  r.status = status;
  r.content_type = kAmzJson10;
  r.body = DumpJson(Json{{"__type", type}, {"message", message}});
  // Clients that read the code from the header (as botocore does for
  // rest-json services) find it there too.
  r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  return r;
}

void HandleApi(boost::asio::io_context& engine_io, api::StepFunctionsApi& api,
               http::Request request, http::Reply reply) {
  std::string_view target = request.header("X-Amz-Target");
  if (target.rfind(kTargetPrefix, 0) != 0) {
    return reply(AwsError(400, "UnknownOperationException",
                          target.empty() ? "Missing X-Amz-Target header"
                                         : "Unknown operation: " + std::string(target)));
  }
  std::string action(target.substr(kTargetPrefix.size()));
  auto shared = std::make_shared<http::Request>(std::move(request));
  boost::asio::post(engine_io, [&api, shared, action = std::move(action),
                                reply = std::move(reply)]() mutable {
    api.Handle(action, shared->body, [reply = std::move(reply)](api::ApiReply r) {
      http::Response response;
      response.status = r.http_status;
      response.content_type = kAmzJson10;
      response.body = std::move(r.body);
      reply(std::move(response));
    });
  });
}

}  // namespace

http::Handler MakeRouter(boost::asio::io_context& engine_io, api::StepFunctionsApi& api,
                         serving::EndpointHost* host) {
  return [&engine_io, &api, host](http::Request request, http::Reply reply) {
    std::string_view path = request.path();
    if (request.method == "POST" && path == "/") {
      return HandleApi(engine_io, api, std::move(request), std::move(reply));
    }
    if (path == "/ping" && (request.method == "GET" || request.method == "HEAD")) {
      http::Response r;
      r.body = R"({"status":"ok"})";
      return reply(std::move(r));
    }
    if (host != nullptr && IsInvocationPath(path)) {
      if (request.method != "POST") {
        return reply(AwsError(405, "ValidationError", "Invocations must be POST requests"));
      }
      return reply(HandleInvocation(*host, std::move(request)));
    }
    reply(AwsError(404, "UnknownOperationException",
                   "No route for " + request.method + " " + std::string(path)));
  };
}

}  // namespace mlflowctl::server
