// CheckToken and the wire helpers (server/http/wire.h), without sockets.
#include <gtest/gtest.h>

#include <string>

#include "server/http/http_server.h"
#include "server/http/wire.h"

namespace mlflowctl::http {
namespace {

Request WithAuthorization(std::string value) {
  Request request;
  request.headers = {{"Host", "x"}, {"authorization", std::move(value)}};
  return request;
}

TEST(CheckTokenTest, AcceptsBearerToken) {
  EXPECT_TRUE(CheckToken(WithAuthorization("Bearer abc123"), "abc123"));
  EXPECT_TRUE(CheckToken(WithAuthorization("bearer   abc123 "), "abc123"));
}

TEST(CheckTokenTest, AcceptsSigV4CredentialAccessKey) {
  EXPECT_TRUE(CheckToken(WithAuthorization("AWS4-HMAC-SHA256 Credential=abc123/20260101/"
                                           "us-east-1/states/aws4_request, "
                                           "SignedHeaders=host;x-amz-date, Signature=ff"),
                         "abc123"));
  EXPECT_TRUE(CheckToken(WithAuthorization("AWS4-HMAC-SHA256 SignedHeaders=host,"
                                           "Credential=abc123/20260101/us-east-1/s/aws4_request"),
                         "abc123"));
}

TEST(CheckTokenTest, RefusesWrongMissingOrMalformedTokens) {
  EXPECT_FALSE(CheckToken(Request{}, "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearer abc124"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearer abc12"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearer abc1234"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearer"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearerabc123"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("Basic abc123"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("abc123"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("AWS4-HMAC-SHA256 Credential=abc123"), "abc123"));
  EXPECT_FALSE(
      CheckToken(WithAuthorization("AWS4-HMAC-SHA256 Credential=other/2026/r/s/aws4"), "abc123"));
  EXPECT_FALSE(CheckToken(WithAuthorization("AWS4-HMAC-SHA256 Signature=abc123/x"), "abc123"));
}

TEST(CheckTokenTest, EmptyTokenNeverMatches) {
  EXPECT_FALSE(CheckToken(WithAuthorization("Bearer "), ""));
  EXPECT_FALSE(CheckToken(Request{}, ""));
}

TEST(WireTest, ConstantTimeEqualsComparesContentsAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("token", std::string_view("token\0", 6)));
  EXPECT_FALSE(ConstantTimeEquals("tok", "token"));
  EXPECT_FALSE(ConstantTimeEquals("", "t"));
}

TEST(WireTest, ErrorResponseIsAwsShaped) {
  const Response response = ErrorResponse(413, kRequestEntityTooLarge, "too \"big\"\n");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body,
            "{\"__type\":\"RequestEntityTooLarge\","
            "\"message\":\"too \\\"big\\\"\\n\"}");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "x-amzn-ErrorType");
  EXPECT_EQ(response.headers[0].second, "RequestEntityTooLarge");
}

TEST(WireTest, ResponseHeadDropsHeadersThatWouldBreakFraming) {
  Response response;
  response.status = 404;
  response.content_type = "text/csv";
  response.body = "abc";
  response.headers = {{"x-ok", "1"},
                      {"Content-Length", "99"},
                      {"connection", "keep-alive"},
                      {"x-split", "a\r\nInjected: yes"},
                      {"", "empty"}};
  std::string head;
  SerializeResponseHead(response, /*keep_alive=*/true, /*http10_client=*/false, head);
  EXPECT_EQ(head,
            "HTTP/1.1 404 Not Found\r\nServer: mlflowctl\r\n"
            "Content-Type: text/csv\r\nContent-Length: 3\r\nx-ok: 1\r\n\r\n");
  SerializeResponseHead(response, /*keep_alive=*/false,
                        /*http10_client=*/false, head);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  SerializeResponseHead(response, /*keep_alive=*/true, /*http10_client=*/true, head);
  EXPECT_NE(head.find("Connection: keep-alive\r\n"), std::string::npos);
  response.status = 42;
  SerializeResponseHead(response, true, false, head);
  EXPECT_EQ(head.rfind("HTTP/1.1 500 ", 0), 0u);
}

}  // namespace
}  // namespace mlflowctl::http
