#include "server/endpoint_route.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "engine/base/json_util.h"
#include "serving/endpoint_host.h"
#include "tests/unit/serving/serving_fixture.h"

namespace mlflowctl::server {
namespace {

class EndpointRouteTest : public testing_serving::ServingFixture {
 protected:
  EndpointRouteTest()
      : host_(endpoints_, Resolver(), temp_.clock(), /*capture=*/nullptr) {
    MakeModel("model-a", 100);  // "1,1" -> 101
    MakeConfig("config-a", {{"AllTraffic", "model-a"}});
    MakeEndpoint("car-price", "config-a");
  }

  static http::Request Post(const std::string& target, const std::string& body,
                            http::Headers headers = {{"Content-Type", "text/csv"}}) {
    http::Request r;
    r.method = "POST";
    r.target = target;
    r.headers = std::move(headers);
    r.body = body;
    return r;
  }

  static std::string Header(const http::Response& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "<none>";
  }

  serving::EndpointHost host_;
};

TEST_F(EndpointRouteTest, RecognisesInvocationPaths) {
  EXPECT_TRUE(IsInvocationPath("/endpoints/car-price/invocations"));
  EXPECT_TRUE(IsInvocationPath("/endpoints/car%2Dprice/invocations"));
  EXPECT_FALSE(IsInvocationPath("/endpoints//invocations"));
  EXPECT_FALSE(IsInvocationPath("/endpoints/a/b/invocations"));
  EXPECT_FALSE(IsInvocationPath("/endpoints/car-price"));
  EXPECT_FALSE(IsInvocationPath("/"));
}

TEST_F(EndpointRouteTest, AnswersWithTheBodyTypeAndVariant) {
  http::Response r = HandleInvocation(
      host_, Post("/endpoints/car%2Dprice/invocations", "1,1",
                  {{"content-type", "text/csv"},
                   {"X-Amzn-SageMaker-Custom-Attributes", "trace=7"},
                   {"X-Amzn-SageMaker-Inference-Id", "abc"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv");
  EXPECT_NEAR(std::stod(r.body), 101, 1e-6);
  EXPECT_EQ(Header(r, "x-Amzn-Invoked-Production-Variant"), "AllTraffic");
  EXPECT_EQ(Header(r, "X-Amzn-SageMaker-Custom-Attributes"), "trace=7");

  http::Response json = HandleInvocation(
      host_, Post("/endpoints/car-price/invocations", "1,1",
                  {{"Content-Type", "text/csv"}, {"Accept", "application/json"}}));
  EXPECT_EQ(json.status, 200);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(Header(json, "X-Amzn-SageMaker-Custom-Attributes"), "<none>");
  StatusOr<Json> body = ParseJson(json.body);
  ASSERT_TRUE(body.ok());
  EXPECT_NEAR((*body)["predictions"][0]["score"].get<double>(), 101, 1e-6);
}

TEST_F(EndpointRouteTest, UnknownEndpointIsAValidationErrorAsBotocoreReadsIt) {
  http::Response r = HandleInvocation(host_, Post("/endpoints/nope/invocations", "1,1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Header(r, "x-amzn-ErrorType"), "ValidationError");
  EXPECT_EQ(r.content_type, "application/json");
  StatusOr<Json> body = ParseJson(r.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, Json({{"message", "Endpoint nope of account 123456789012 not found."}}));
}

TEST_F(EndpointRouteTest, RejectedInputIsAModelError) {
  http::Response r = HandleInvocation(host_, Post("/endpoints/car-price/invocations", "1,2,3"));
  EXPECT_EQ(r.status, 424);
  EXPECT_EQ(Header(r, "x-amzn-ErrorType"), "ModelError");
  EXPECT_EQ(Header(r, "x-Amzn-Invoked-Production-Variant"), "AllTraffic");
  StatusOr<Json> body = ParseJson(r.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["OriginalStatusCode"], 400);
  EXPECT_NE((*body)["message"].get<std::string>().find("row 1 has 3 values"), std::string::npos);
}

TEST_F(EndpointRouteTest, ChecksTheMethodAndHeaderLimits) {
  http::Request get = Post("/endpoints/car-price/invocations", "");
  get.method = "GET";
  EXPECT_EQ(HandleInvocation(host_, get).status, 405);
  http::Response long_id = HandleInvocation(
      host_, Post("/endpoints/car-price/invocations", "1,1",
                  {{"X-Amzn-SageMaker-Inference-Id", std::string(65, 'x')}}));
  EXPECT_EQ(long_id.status, 400);
  EXPECT_EQ(Header(long_id, "x-amzn-ErrorType"), "ValidationError");
  EXPECT_EQ(HandleInvocation(host_, Post("/endpoints/a%zz/invocations", "1,1")).status, 400);
}

}  // namespace
}  // namespace mlflowctl::server
