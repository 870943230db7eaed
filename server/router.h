// Router: the http::Handler of `mlflowctl serve`, Beast-example style: it
// looks at the method and path and hands the request to the one place that
// answers it.
//   POST /  with X-Amz-Target: AWSStepFunctions.<Action>
//       -> StepFunctionsApi::Handle, posted to the engine's io_context
//          (replies application/x-amz-json-1.0, possibly later, from the
//          engine's thread);
//   GET  /ping -> 200 {"status":"ok"} on the HTTP thread;
//   POST /endpoints/<name>/invocations -> HandleInvocation on the HTTP
//          thread (SageMaker runtime InvokeEndpoint);
//   anything else -> 404 with an AWS-shaped UnknownOperationException.
// Thread-safe: the handler may run on any HTTP thread at once; everything
// it touches is either posted to the engine's thread or thread-safe.
#ifndef MLFLOWCTL_SERVER_ROUTER_H_
#define MLFLOWCTL_SERVER_ROUTER_H_

#include <boost/asio/io_context.hpp>

#include "server/api/step_functions_api.h"
#include "server/http/http_server.h"
#include "serving/endpoint_host.h"

namespace mlflowctl::server {

// The JSON 1.0 content type of every Step Functions reply.
inline constexpr char kAmzJson10[] = "application/x-amz-json-1.0";

// `engine_io` runs the engine and `api`; `host` may be null (no endpoint
// routes then). All must outlive the handler's use.
http::Handler MakeRouter(boost::asio::io_context& engine_io, api::StepFunctionsApi& api,
                         serving::EndpointHost* host);

}  // namespace mlflowctl::server

#endif  // MLFLOWCTL_SERVER_ROUTER_H_
