#include "server/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/http/server_fixture.h"
#include "tests/unit/http/test_client.h"

namespace mlflowctl::http {
namespace {

using testing::Echo;
using testing::PendingReplies;
using testing::TestClient;
using testing::TestResponse;

class HttpServerTest : public testing::ServerFixture {};

TEST_F(HttpServerTest, KeepAliveAnswersSeveralRequestsOnOneConnection) {
  StartServer({}, Echo);
  TestClient client(port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    const std::string body = "request " + std::to_string(i);
    ASSERT_TRUE(client.Send(Post("/echo?i=" + std::to_string(i), body)));
    const auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
    EXPECT_EQ(response->header("x-method"), "POST");
    EXPECT_EQ(response->header("x-target"), "/echo?i=" + std::to_string(i));
    EXPECT_EQ(response->header("server"), "mlflowctl");
    EXPECT_EQ(response->header("content-type"), "text/plain");
    EXPECT_EQ(response->header("connection"), "");
  }
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer({}, Echo);
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/", "first") + Post("/", "second") +
                          "GET /third HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto first = client.Read();
  const auto second = client.Read();
  const auto third = client.Read();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->body, "first");
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(third->header("x-target"), "/third");
  EXPECT_EQ(third->header("x-method"), "GET");
}

TEST_F(HttpServerTest, RequestCarriesHeadersPathAndRemote) {
  PendingReplies pending;
  StartServer(
      {}, [&](Request request, Reply reply) { pending.Add(std::move(request), std::move(reply)); });
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/endpoints/x/invocations?a=1", "{}", "X-Amz-Target: Foo.Bar\r\n")));
  auto held = pending.Take();
  ASSERT_TRUE(held.has_value());
  const Request& request = held->first;
  EXPECT_EQ(request.path(), "/endpoints/x/invocations");
  EXPECT_EQ(request.header("x-amz-target"), "Foo.Bar");
  EXPECT_EQ(request.header("content-length"), "2");
  EXPECT_EQ(request.header("absent"), "");
  EXPECT_EQ(request.remote.rfind("127.0.0.1:", 0), 0u) << request.remote;
  held->second(Response{});
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-length"), "0");
}

TEST_F(HttpServerTest, ReplyMayComeLaterFromAnotherThread) {
  PendingReplies pending;
  StartServer(
      {}, [&](Request request, Reply reply) { pending.Add(std::move(request), std::move(reply)); });
  TestClient client(port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send(Post("/later", "x" + std::to_string(i))));
    auto held = pending.Take();
    ASSERT_TRUE(held.has_value());
    std::thread answerer([held = std::move(*held)]() mutable {
      Response response;
      response.status = 201;
      response.body = "late " + held.first.body;
      response.headers = {{"x-amzn-RequestId", "abc"}};
      held.second(std::move(response));
      // A second call is a handler bug; it must not disturb the connection.
      held.second(Response{});
    });
    answerer.join();
    const auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(response->body, "late x" + std::to_string(i));
    EXPECT_EQ(response->header("x-amzn-requestid"), "abc");
  }
}

TEST_F(HttpServerTest, ConcurrentClientsAreAllServed) {
  StartServer({}, Echo);
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      TestClient client(port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        if (!client.Send(Post("/", body))) return;
        const auto response = client.Read();
        if (!response || response->status != 200 || response->body != body) {
          return;
        }
        ++ok;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer({}, Echo);
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/", "bye", "Connection: close\r\n")));
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "bye");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  StartServer({}, Echo);
  TestClient keep(port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(keep.Send("GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto response = keep.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->header("connection"), "keep-alive");
  }
  TestClient once(port());
  ASSERT_TRUE(once.Send("GET /once HTTP/1.0\r\n\r\n"));
  const auto response = once.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-target"), "/once");
  EXPECT_TRUE(once.WaitClosed());
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponseBeforeTheBody) {
  StartServer({}, Echo);
  TestClient client(port());
  const std::string body(256 * 1024, 'b');
  ASSERT_TRUE(
      client.Send("POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  "Content-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n"));
  const auto interim = client.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send(body));
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), body.size());
  EXPECT_TRUE(response->body == body);
}

TEST_F(HttpServerTest, ChunkedBodyIsReassembled) {
  StartServer({}, Echo);
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(HttpServerTest, ThrowingHandlerIsAnswered500InternalFailure) {
  StartServer({}, [](Request, Reply) -> void { throw std::runtime_error("boom"); });
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/", "x")));
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->header("x-amzn-errortype"), "InternalFailure");
  EXPECT_NE(response->body.find("\"__type\":\"InternalFailure\""), std::string::npos);
  EXPECT_NE(response->body.find("boom"), std::string::npos);
  // The connection survives.
  ASSERT_TRUE(client.Send(Post("/", "y")));
  const auto again = client.Read();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 500);
}

TEST_F(HttpServerTest, DroppedReplyDoesNotLeakTheConnection) {
  StartServer({}, [](Request, Reply) {});  // never answers
  {
    TestClient client(port());
    ASSERT_TRUE(client.Send(Post("/", "x")));
    // The Reply is gone, so the connection is: the client sees the close.
    EXPECT_TRUE(client.WaitClosed());
  }
}

TEST_F(HttpServerTest, AccessLogSeesEachReplyWithItsStatus) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<AccessLogEntry> entries;
  ServerOptions options;
  options.access_log = [&](const AccessLogEntry& entry) {
    std::lock_guard<std::mutex> lock(mu);
    entries.push_back(entry);
    cv.notify_all();
  };
  StartServer(options, [](Request request, Reply reply) {
    Response response;
    response.status = request.path() == "/missing" ? 404 : 200;
    response.body = "{}";
    reply(std::move(response));
  });
  TestClient client(port());
  ASSERT_TRUE(client.Send(Post("/found", "abc")));
  ASSERT_TRUE(client.Read().has_value());
  ASSERT_TRUE(client.Send("GET /missing?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);

  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, testing::kBound, [&] { return entries.size() >= 2; }));
  EXPECT_EQ(entries[0].method, "POST");
  EXPECT_EQ(entries[0].target, "/found");
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_GT(entries[0].request_bytes, 3u);
  EXPECT_GT(entries[0].response_bytes, 2u);
  EXPECT_GE(entries[0].micros, 0);
  EXPECT_EQ(entries[0].remote.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(entries[1].method, "GET");
  EXPECT_EQ(entries[1].target, "/missing?q=1");
  EXPECT_EQ(entries[1].status, 404);
}

TEST_F(HttpServerTest, StartReportsBadAddressAndBusyPort) {
  boost::asio::io_context io;
  ServerOptions bad;
  bad.bind = "not-an-address";
  Server bad_server(io, bad, Echo);
  EXPECT_EQ(bad_server.Start().code(), StatusCode::kInvalidArgument);

  ServerOptions first_options;
  first_options.port = 0;
  Server first(io, first_options, Echo);
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), StatusCode::kFailedPrecondition);
  ServerOptions second_options;
  second_options.port = first.port();
  Server second(io, second_options, Echo);
  const Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(std::to_string(first.port())), std::string::npos);
  first.Stop();
  second.Stop();
  bad_server.Stop();
  io.run();  // returns: no work is left
}

}  // namespace
}  // namespace mlflowctl::http
