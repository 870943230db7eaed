// Wire helpers of the HTTP server (private to mlf_http): the serialized
// response head, AWS-shaped error responses and the constant-time compare
// used by CheckToken. Pure functions; safe from any thread.
#ifndef MLFLOWCTL_SERVER_HTTP_WIRE_H_
#define MLFLOWCTL_SERVER_HTTP_WIRE_H_

#include <string>
#include <string_view>

#include "server/http/http_server.h"

namespace mlflowctl::http {

// AWS error names used by the transport (the handler picks its own).
inline constexpr std::string_view kSerializationException = "SerializationException";
inline constexpr std::string_view kRequestEntityTooLarge = "RequestEntityTooLarge";
inline constexpr std::string_view kRequestHeaderFieldsTooLarge = "RequestHeaderFieldsTooLarge";
inline constexpr std::string_view kUnrecognizedClientException = "UnrecognizedClientException";
inline constexpr std::string_view kInternalFailure = "InternalFailure";
inline constexpr std::string_view kServiceUnavailable = "ServiceUnavailable";

// AWS answers UnrecognizedClientException (a missing or unknown access key)
// with HTTP 400, not 401; the AWS CLI and SDKs only look at the error name,
// so we keep AWS's status.
inline constexpr int kUnrecognizedClientStatus = 400;

// Content type of transport errors: the Step Functions API's (awsJson1_0).
inline constexpr std::string_view kAwsJsonContentType = "application/x-amz-json-1.0";

// {"__type":"<type>","message":"<message>"} with header x-amzn-ErrorType.
Response ErrorResponse(int status, std::string_view type, std::string_view message);

// Replaces `out` with the status line and headers of `response` (Server,
// Content-Type, Content-Length, its extra headers, Connection), ending with
// the blank line. Extra headers that would break the framing (Content-Length,
// Transfer-Encoding, Connection, Server, Content-Type, or any name or value
// with CR/LF) are dropped. A status outside 100..599 is sent as 500.
// `http10_client` adds "Connection: keep-alive" when keeping an HTTP/1.0
// connection open.
void SerializeResponseHead(const Response& response, bool keep_alive, bool http10_client,
                           std::string& out);

// ASCII case-insensitive equality (header names, schemes).
bool IEquals(std::string_view a, std::string_view b);

// Equal contents, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace mlflowctl::http

#endif  // MLFLOWCTL_SERVER_HTTP_WIRE_H_
