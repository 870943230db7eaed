// HttpServer: an HTTP/1.1 server on Boost.Beast for `mlflowctl serve`.
// Keep-alive, request size limits, read and idle timeouts, an access-log
// line per request and an optional token check. A Handler sees each parsed
// request once and answers through Reply, now or later, from any thread
// (StartSyncExecution answers when its execution ends).
//
// Threading: the server runs on the io_context it is given; the caller runs
// that io_context on as many threads as it likes (each connection is on its
// own strand). Start/Stop are called from one thread.
#ifndef MLFLOWCTL_SERVER_HTTP_HTTP_SERVER_H_
#define MLFLOWCTL_SERVER_HTTP_HTTP_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace mlflowctl::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent: "/endpoints/x/invocations"
  Headers headers;     // as sent
  std::string body;
  std::string remote;  // "127.0.0.1:53211"

  // The first header of that name (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;
  // `target` without the query string.
  std::string_view path() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;  // extra headers (Content-Type/Length are set from above)
  std::string body;
};

// Answers the request; call exactly once, from any thread. It keeps the
// connection alive until called; later calls are ignored. A Handler that
// throws gets its request answered 500 InternalFailure.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request, Reply)>;

struct AccessLogEntry {
  std::string remote;
  std::string method;
  std::string target;
  int status = 0;
  std::size_t request_bytes = 0;
  std::size_t response_bytes = 0;
  int64_t micros = 0;  // from the request's last byte read to the reply written
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  // When not empty, every request must carry it (see CheckToken); others get
  // 400 UnrecognizedClientException, AWS-shaped (AWS uses 400, not 401, for
  // that error). The check runs once the headers are in, before the body.
  std::string auth_token;
  // Over these: 431 RequestHeaderFieldsTooLarge, 413 RequestEntityTooLarge
  // (the body is not read); the connection closes after the reply.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 6 * 1024 * 1024;  // SageMaker's payload limit
  // A request must arrive whole within this (counted from the accept for
  // the first request, from its first byte for later ones); a connection
  // idle between requests is closed after idle_timeout. Replies are written
  // within max(read_timeout, idle_timeout). Deadlines are checked every
  // quarter of the shorter timeout, so a connection may outlive one by up
  // to that much.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // Connections beyond this get a 503 ServiceUnavailable and are closed.
  std::size_t max_connections = 1024;
  // Called on the connection's strand after each reply is written (also for
  // the server's own error replies); may be empty. Must be thread-safe.
  std::function<void(const AccessLogEntry&)> access_log;
};

// True when `request` carries `token`: "Authorization: Bearer <token>", or
// a SigV4 "Authorization: AWS4-HMAC-SHA256 Credential=<token>/..." (the
// AWS CLI and SDKs send the access key id there, so clients set
// AWS_ACCESS_KEY_ID to the token). Compared in constant time; an empty
// `token` never matches.
bool CheckToken(const Request& request, std::string_view token);

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. kInvalidArgument for a bad address,
  // kUnavailable when the port cannot be bound (the message says which),
  // kFailedPrecondition when called twice.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting and closes idle connections; requests being read or
  // handled are still answered (Connection: close), then their connections
  // close. The io_context's run() returns once they are done. Idempotent;
  // the destructor calls it. Handler and access_log may still be called
  // until then, so keep what they use alive until run() returns.
  void Stop();
  // Connections open now.
  std::size_t connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mlflowctl::http

#endif  // MLFLOWCTL_SERVER_HTTP_HTTP_SERVER_H_
