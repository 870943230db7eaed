// http::Server's limits, timeouts, token check and Stop().
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "server/http/http_server.h"
#include "tests/unit/http/server_fixture.h"
#include "tests/unit/http/test_client.h"

namespace mlflowctl::http {
namespace {

using testing::Echo;
using testing::PendingReplies;
using testing::TestClient;

class HttpServerLimitsTest : public testing::ServerFixture {
 protected:
  // Echo, counting the requests that reached the handler.
  Handler CountingEcho() {
    return [this](Request request, Reply reply) {
      ++handled_;
      Echo(std::move(request), std::move(reply));
    };
  }
  std::atomic<int> handled_{0};
};

void ExpectAwsError(const std::optional<testing::TestResponse>& response, int status,
                    const std::string& type) {
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->header("x-amzn-errortype"), type);
  EXPECT_NE(response->body.find("\"__type\":\"" + type + "\""), std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find("\"message\":"), std::string::npos);
}

TEST_F(HttpServerLimitsTest, TooLargeBodyIsRefusedWith413WithoutReadingIt) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n"));
  ExpectAwsError(client.Read(), 413, "RequestEntityTooLarge");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerLimitsTest, TooLargeBodySentAtOnceStillGetsThe413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/", std::string(64 * 1024, 'z'))));
  ExpectAwsError(client.Read(), 413, "RequestEntityTooLarge");
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerLimitsTest, TooLargeChunkedBodyIsRefusedWith413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options, CountingEcho());
  TestClient client(port());
  const std::string chunk(800, 'c');
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "320\r\n" +
                  chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  ExpectAwsError(client.Read(), 413, "RequestEntityTooLarge");
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerLimitsTest, HugeHeadersAreRefusedWith431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'h') + "\r\n\r\n"));
  ExpectAwsError(client.Read(), 431, "RequestHeaderFieldsTooLarge");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerLimitsTest, GarbageIsRefusedWith400AndTheConnectionClosed) {
  StartServer({}, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(client.Send("HELLO\r\n\r\n"));
  ExpectAwsError(client.Read(), 400, "SerializationException");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerLimitsTest, SlowClientIsCutOffWhileOthersAreServed) {
  ServerOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  StartServer(options, CountingEcho());
  TestClient slow_header(port());
  ASSERT_TRUE(slow_header.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-"));
  TestClient slow_body(port());
  ASSERT_TRUE(slow_body.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf"));
  TestClient silent(port());

  TestClient good(port());
  ASSERT_TRUE(good.Send(Post("/", "fine")));
  const auto response = good.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "fine");

  EXPECT_TRUE(slow_header.WaitClosed());
  EXPECT_TRUE(slow_body.WaitClosed());
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(HttpServerLimitsTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  StartServer(options, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/", "once")));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerLimitsTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions options;
  options.max_connections = 1;
  StartServer(options, CountingEcho());
  TestClient first(port());
  ASSERT_TRUE(first.Send(Post("/", "1")));
  ASSERT_TRUE(first.Read().has_value());

  TestClient second(port());
  // Either the 503 arrives or the connection is simply closed.
  const auto refused = second.Read();
  if (refused.has_value()) {
    EXPECT_EQ(refused->status, 503);
    EXPECT_EQ(refused->header("x-amzn-errortype"), "ServiceUnavailable");
  }
  EXPECT_TRUE(second.WaitClosed());

  ASSERT_TRUE(first.Send(Post("/", "2")));
  const auto response = first.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "2");
  EXPECT_EQ(handled_.load(), 2);
}

TEST_F(HttpServerLimitsTest, TokenIsRequiredWhenConfigured) {
  ServerOptions options;
  options.auth_token = "s3cret-token";
  StartServer(options, CountingEcho());
  TestClient client(port());

  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ExpectAwsError(client.Read(), 400, "UnrecognizedClientException");

  // Same connection: a refused request without a body keeps it open.
  ASSERT_TRUE(client.Send(Post("/", "bearer", "Authorization: Bearer s3cret-token\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "bearer");

  ASSERT_TRUE(client.Send(Post("/", "sigv4",
                               "Authorization: AWS4-HMAC-SHA256 Credential=s3cret-token/20260101/"
                               "us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, "
                               "Signature=0123abcd\r\n")));
  response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "sigv4");

  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nAuthorization: Bearer s3cret-tokex\r\n\r\n"));
  ExpectAwsError(client.Read(), 400, "UnrecognizedClientException");

  // A refused request whose body was not read closes the connection.
  ASSERT_TRUE(
      client.Send(Post("/", "wrong",
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
                       "us-east-1/states/aws4_request, SignedHeaders=host, Signature=00\r\n")));
  const auto refused = client.Read();
  ExpectAwsError(refused, 400, "UnrecognizedClientException");
  EXPECT_EQ(refused->header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(handled_.load(), 2);
}

TEST_F(HttpServerLimitsTest, RefusedTokenWithUnreadBodyClosesTheConnection) {
  ServerOptions options;
  options.auth_token = "s3cret-token";
  StartServer(options, CountingEcho());
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  "Content-Length: 5000\r\n\r\n"));
  // Refused before the 100 Continue, so the body is never asked for.
  ExpectAwsError(client.Read(), 400, "UnrecognizedClientException");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerLimitsTest, StopAnswersTheRequestInFlightThenRunReturns) {
  PendingReplies pending;
  StartServer(
      {}, [&](Request request, Reply reply) { pending.Add(std::move(request), std::move(reply)); });
  TestClient idle(port());
  ASSERT_TRUE(idle.Send(Post("/", "warm-up")));
  auto warm_up = pending.Take();
  ASSERT_TRUE(warm_up.has_value());
  warm_up->second(Response{});
  ASSERT_TRUE(idle.Read().has_value());

  TestClient busy(port());
  ASSERT_TRUE(busy.Send(Post("/slow", "work")));
  auto held = pending.Take();
  ASSERT_TRUE(held.has_value());

  server_->Stop();
  EXPECT_TRUE(idle.WaitClosed());
  // New connections are no longer accepted (refused or closed at once).
  TestClient late(port());
  if (late.connected()) {
    EXPECT_TRUE(late.WaitClosed());
  }

  std::thread answerer([held = std::move(*held)]() mutable {
    Response response;
    response.body = "done " + held.first.body;
    held.second(std::move(response));
  });
  answerer.join();
  const auto response = busy.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done work");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(busy.WaitClosed());
  EXPECT_TRUE(WaitRunReturns());
  EXPECT_EQ(server_->connections(), 0u);
}

TEST_F(HttpServerLimitsTest, StopClosesIdleAndSilentConnections) {
  StartServer({}, CountingEcho());
  TestClient idle(port());
  ASSERT_TRUE(idle.Send(Post("/", "x")));
  ASSERT_TRUE(idle.Read().has_value());
  TestClient silent(port());
  ASSERT_TRUE(silent.connected());
  server_->Stop();
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_TRUE(WaitRunReturns());
}

}  // namespace
}  // namespace mlflowctl::http
