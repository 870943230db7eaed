// The SageMaker runtime route: `POST /endpoints/<name>/invocations` as
// InvokeEndpoint (botocore sagemaker-runtime): request headers Content-Type,
// Accept, X-Amzn-SageMaker-Custom-Attributes, -Target-Variant,
// -Target-Model, -Inference-Id; response body with Content-Type and
// X-Amzn-Invoked-Production-Variant; errors as {"message": ...} with the
// code in the x-amzn-ErrorType header and the model's HTTP status
// (ValidationError 400, ModelError 424, ...).
// Thread-safe: runs on the HTTP threads.
#ifndef MLFLOWCTL_SERVER_ENDPOINT_ROUTE_H_
#define MLFLOWCTL_SERVER_ENDPOINT_ROUTE_H_

#include <string_view>

#include "server/http/http_server.h"
#include "serving/endpoint_host.h"

namespace mlflowctl::server {

// True when `path` is an invocation path ("/endpoints/<name>/invocations").
bool IsInvocationPath(std::string_view path);

// Answers an invocation request.
http::Response HandleInvocation(serving::EndpointHost& host, http::Request request);

}  // namespace mlflowctl::server

#endif  // MLFLOWCTL_SERVER_ENDPOINT_ROUTE_H_
