#include "serving/endpoint_host.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/json_util.h"
#include "serving/capture_writer.h"
#include "tests/unit/serving/serving_fixture.h"

namespace mlflowctl::serving {
namespace {

using testing_serving::CaptureLines;
using testing_serving::ServingFixture;

class EndpointHostTest : public ServingFixture {
 protected:
  EndpointHostTest() {
    MakeModel("model-a", 100);  // "1,1" -> 101
    MakeModel("model-b", 200);  // "1,1" -> 201
  }

  std::unique_ptr<EndpointHost> NewHost(CaptureWriter* capture = nullptr,
                                        std::chrono::milliseconds recheck =
                                            std::chrono::milliseconds(1000)) {
    return std::make_unique<EndpointHost>(endpoints_, Resolver(), temp_.clock(), capture,
                                          recheck);
  }

  static Invocation Csv(const std::string& endpoint, const std::string& body = "1,1") {
    Invocation in;
    in.endpoint_name = endpoint;
    in.body = body;
    in.content_type = "text/csv";
    return in;
  }

  // The single CSV prediction of a successful invocation.
  static double Predict(EndpointHost& host, const Invocation& in,
                        std::string* variant = nullptr) {
    InvokeError error;
    std::optional<InvocationResult> r = host.Invoke(in, &error);
    EXPECT_TRUE(r.has_value()) << error.message;
    if (!r) return NAN;
    if (variant != nullptr) *variant = r->invoked_variant;
    return std::stod(r->body);
  }
};

TEST_F(EndpointHostTest, LoadsAnEndpointFromTheStoreOnFirstUse) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost();
  InvokeError error;
  std::optional<InvocationResult> r = host->Invoke(Csv("car-price", "1,1\n3,0\n"), &error);
  ASSERT_TRUE(r.has_value()) << error.message;
  EXPECT_EQ(r->content_type, "text/csv");
  EXPECT_EQ(r->invoked_variant, "AllTraffic");
  std::vector<double> values;
  for (size_t start = 0; start < r->body.size();) {
    size_t nl = r->body.find('\n', start);
    values.push_back(std::stod(r->body.substr(start, nl - start)));
    start = nl + 1;
  }
  ASSERT_EQ(values.size(), 2u);
  EXPECT_NEAR(values[0], 101, 1e-6);
  EXPECT_NEAR(values[1], 106, 1e-6);
  // Names are case-insensitive, as SageMaker's.
  EXPECT_NEAR(Predict(*host, Csv("Car-Price")), 101, 1e-6);
}

TEST_F(EndpointHostTest, UnknownEndpointIsAValidationError) {
  auto host = NewHost();
  InvokeError error;
  EXPECT_FALSE(host->Invoke(Csv("nope"), &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kValidation);
  EXPECT_EQ(error.message, "Endpoint nope of account 123456789012 not found.");
  EXPECT_STREQ(InvokeErrorName(error.kind), "ValidationError");
  EXPECT_EQ(InvokeErrorHttpStatus(error.kind), 400);
}

TEST_F(EndpointHostTest, EndpointNotInServiceIsNotFound) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  ASSERT_TRUE(endpoints_.CreateEndpoint("creating", "config-a").ok());
  ASSERT_TRUE(endpoints_.CreateEndpoint("failed", "config-a").ok());
  ASSERT_TRUE(endpoints_.FinishChange("failed", false, "no model", "test").ok());
  auto host = NewHost();
  for (const char* name : {"creating", "failed"}) {
    InvokeError error;
    EXPECT_FALSE(host->Invoke(Csv(name), &error).has_value());
    EXPECT_EQ(error.kind, InvokeErrorKind::kValidation);
    EXPECT_EQ(error.message, fmt::format("Endpoint {} of account 123456789012 not found.", name));
  }
}

TEST_F(EndpointHostTest, BadInputIsAModelErrorQuotingTheModel) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost();
  InvokeError error;
  EXPECT_FALSE(host->Invoke(Csv("car-price", "1,2,3"), &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kModel);
  EXPECT_EQ(InvokeErrorHttpStatus(error.kind), 424);
  EXPECT_EQ(error.original_status_code, 400);
  EXPECT_EQ(error.variant, "AllTraffic");
  EXPECT_EQ(error.message.rfind("Received client error (400) from primary with message \"row 1 "
                                "has 3 values",
                                0),
            0u)
      << error.message;

  Invocation xml = Csv("car-price", "<x/>");
  xml.content_type = "application/xml";
  EXPECT_FALSE(host->Invoke(xml, &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kModel);
  EXPECT_EQ(error.original_status_code, 415);
}

TEST_F(EndpointHostTest, AnswersInTheAcceptedType) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost();
  Invocation in = Csv("car-price", "1,1\n0,0\n");
  in.accept = "application/json";
  InvokeError error;
  std::optional<InvocationResult> r = host->Invoke(in, &error);
  ASSERT_TRUE(r.has_value()) << error.message;
  EXPECT_EQ(r->content_type, "application/json");
  StatusOr<Json> body = ParseJson(r->body);
  ASSERT_TRUE(body.ok());
  ASSERT_EQ((*body)["predictions"].size(), 2u);
  EXPECT_NEAR((*body)["predictions"][0]["score"].get<double>(), 101, 1e-6);
  EXPECT_NEAR((*body)["predictions"][1]["score"].get<double>(), 100, 1e-6);

  in.accept = "application/jsonlines";
  r = host->Invoke(in, &error);
  ASSERT_TRUE(r.has_value()) << error.message;
  EXPECT_EQ(r->content_type, "application/jsonlines");
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 2);

  in.accept = "*/*";
  r = host->Invoke(in, &error);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content_type, "text/csv");

  in.accept = "image/png";
  EXPECT_FALSE(host->Invoke(in, &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kModel);
  EXPECT_EQ(error.original_status_code, 406);
}

TEST_F(EndpointHostTest, TargetVariantPicksTheVariant) {
  MakeConfig("two", {{"Blue", "model-a", 1}, {"Green", "model-b", 0}});
  MakeEndpoint("car-price", "two");
  auto host = NewHost();
  Invocation in = Csv("car-price");
  in.target_variant = "Green";
  std::string variant;
  for (int i = 0; i < 20; ++i) {
    EXPECT_NEAR(Predict(*host, in, &variant), 201, 1e-6);
    EXPECT_EQ(variant, "Green");
  }
  in.target_variant = "Red";
  InvokeError error;
  EXPECT_FALSE(host->Invoke(in, &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kValidation);
  EXPECT_NE(error.message.find("Red"), std::string::npos);
}

TEST_F(EndpointHostTest, SplitsTrafficByWeight) {
  MakeConfig("split", {{"Blue", "model-a", 3}, {"Green", "model-b", 1}, {"Off", "model-b", 0}});
  MakeEndpoint("car-price", "split");
  auto host = NewHost();
  std::map<std::string, int> counts;
  constexpr int kCalls = 4000;
  for (int i = 0; i < kCalls; ++i) {
    std::string variant;
    double p = Predict(*host, Csv("car-price"), &variant);
    EXPECT_NEAR(p, variant == "Blue" ? 101 : 201, 1e-6);
    ++counts[variant];
  }
  EXPECT_EQ(counts.count("Off"), 0u);
  // 3:1 -> 75% (the standard deviation over 4000 calls is 0.7%).
  double blue = static_cast<double>(counts["Blue"]) / kCalls;
  EXPECT_GT(blue, 0.70);
  EXPECT_LT(blue, 0.80);
}

TEST_F(EndpointHostTest, SwapsModelsWhileInvocationsRunWithoutAFailure) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeConfig("config-b", {{"AllTraffic", "model-b"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost();
  auto a = host->Load("config-a");
  auto b = host->Load("config-b");
  ASSERT_TRUE(a.ok() && b.ok());
  host->Install("car-price", *a);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, saw_a{0}, saw_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        InvokeError error;
        std::optional<InvocationResult> r = host->Invoke(Csv("car-price"), &error);
        if (!r) {
          ++failed;
          continue;
        }
        double p = std::stod(r->body);
        if (std::abs(p - 101) < 1e-6) {
          ++saw_a;
        } else if (std::abs(p - 201) < 1e-6) {
          ++saw_b;
        } else {
          ++failed;
        }
        ++ok;
      }
    });
  }
  // Installs alternate while requests run; every 10th swap loads anew, as
  // an update does.
  // (Until both models have answered, however slowly the threads start.)
  for (int i = 0; i < 300 || ((saw_a == 0 || saw_b == 0) && i < 100000); ++i) {
    if (i % 10 == 0) {
      auto fresh = host->Load(i % 20 == 0 ? "config-b" : "config-a");
      ASSERT_TRUE(fresh.ok());
      host->Install("car-price", *fresh);
    } else {
      host->Install("car-price", i % 2 == 0 ? *a : *b);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(saw_a.load(), 0);
  EXPECT_GT(saw_b.load(), 0);
}

TEST_F(EndpointHostTest, RechecksTheStoreWhileInvocationsRunWithoutAFailure) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeConfig("config-b", {{"AllTraffic", "model-b"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost(nullptr, std::chrono::milliseconds(0));  // every request rechecks
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        InvokeError error;
        std::optional<InvocationResult> r = host->Invoke(Csv("car-price"), &error);
        double p = r ? std::stod(r->body) : 0;
        (r && (std::abs(p - 101) < 1e-6 || std::abs(p - 201) < 1e-6) ? ok : failed)++;
      }
    });
  }
  while (ok.load() + failed.load() == 0) std::this_thread::yield();
  // Another process switching the config back and forth, and this one
  // installing as a hosting step does.
  for (int i = 0; i < 40; ++i) {
    const char* config = i % 2 == 0 ? "config-b" : "config-a";
    UpdateInStore("car-price", config);
    if (i % 4 == 0) {
      auto fresh = host->Load(config);
      ASSERT_TRUE(fresh.ok());
      host->Install("car-price", *fresh);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  // Settled: the store's config (config-a after the last switch) serves.
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 101, 1e-6);
}

TEST_F(EndpointHostTest, NoticesAConfigChangedByAnotherProcess) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeConfig("config-b", {{"AllTraffic", "model-b"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost(nullptr, std::chrono::milliseconds(0));
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 101, 1e-6);
  UpdateInStore("car-price", "config-b");
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 201, 1e-6);
  ASSERT_TRUE(endpoints_.DeleteEndpoint("car-price").ok());
  InvokeError error;
  EXPECT_FALSE(host->Invoke(Csv("car-price"), &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kValidation);
}

TEST_F(EndpointHostTest, KeepsTheInstalledModelUntilTheRecheckIsDue) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}});
  MakeConfig("config-b", {{"AllTraffic", "model-b"}});
  MakeEndpoint("car-price", "config-a");
  auto host = NewHost(nullptr, std::chrono::hours(1));
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 101, 1e-6);
  UpdateInStore("car-price", "config-b");
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 101, 1e-6);
  host->Evict("car-price");
  EXPECT_NEAR(Predict(*host, Csv("car-price")), 201, 1e-6);
}

TEST_F(EndpointHostTest, LoadNamesTheVariantAndModelThatFailed) {
  mlops::HostedModel broken;
  broken.name = "broken";
  broken.primary_container.model_data_url = "s3://bucket/models/missing";
  broken.execution_role_arn = "arn:aws:iam::123456789012:role/r";
  ASSERT_TRUE(endpoints_.CreateModel(broken).ok());
  MakeConfig("config-broken", {{"AllTraffic", "model-a"}, {"Canary", "broken"}});
  auto host = NewHost();
  auto loaded = host->Load("config-broken");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(
                "variant \"Canary\": failed to load model \"broken\" from "
                "s3://bucket/models/missing"),
            std::string::npos)
      << loaded.status().message();
  EXPECT_EQ(host->Load("no-such-config").status().code(), StatusCode::kNotFound);

  // An InService endpoint whose model cannot be loaded: InternalFailure.
  MakeEndpoint("car-price", "config-broken");
  InvokeError error;
  EXPECT_FALSE(host->Invoke(Csv("car-price"), &error).has_value());
  EXPECT_EQ(error.kind, InvokeErrorKind::kInternal);
  EXPECT_EQ(InvokeErrorHttpStatus(error.kind), 500);
}

TEST_F(EndpointHostTest, CapturesEverySampledRequest) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}}, Capture(100));
  MakeEndpoint("car-price", "config-a");
  {
    CaptureWriter capture(CaptureRoot());
    auto host = NewHost(&capture);
    for (int i = 0; i < 50; ++i) {
      Invocation in = Csv("car-price", std::to_string(i) + ",1");
      in.inference_id = "id-" + std::to_string(i);
      Predict(*host, in);
    }
    Invocation json = Csv("car-price", R"({"instances": [[1, 1]]})");
    json.content_type = "application/json";
    Predict(*host, Csv("car-price"));  // CSV again, then one JSON request
    InvokeError error;
    ASSERT_TRUE(host->Invoke(json, &error).has_value()) << error.message;
  }  // the writer flushes on destruction
  std::vector<std::string> files;
  std::vector<std::string> lines = CaptureLines(CaptureRoot(), &files);
  ASSERT_EQ(lines.size(), 52u);
  ASSERT_EQ(files.size(), 1u);
  // FakeClock: 2023-11-14T22:13:20Z.
  EXPECT_NE(files[0].find("/car-price/AllTraffic/2023/11/14/22/2023-11-14-22-13-20-000-"),
            std::string::npos)
      << files[0];
  StatusOr<Json> first = ParseJson(lines[0]);
  ASSERT_TRUE(first.ok());
  const Json& data = (*first)["captureData"];
  EXPECT_EQ(data["endpointInput"]["data"], "0,1");
  EXPECT_EQ(data["endpointInput"]["encoding"], "CSV");
  EXPECT_EQ(data["endpointInput"]["observedContentType"], "text/csv");
  EXPECT_EQ(std::stod(data["endpointOutput"]["data"].get<std::string>()), 99);
  EXPECT_EQ(data["endpointOutput"]["mode"], "OUTPUT");
  EXPECT_EQ((*first)["eventMetadata"]["inferenceId"], "id-0");
  EXPECT_EQ((*first)["eventMetadata"]["inferenceTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ((*first)["eventMetadata"]["eventId"].get<std::string>().size(), 36u);
  EXPECT_EQ((*first)["eventVersion"], "0");
  StatusOr<Json> last = ParseJson(lines.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ((*last)["captureData"]["endpointInput"]["encoding"], "JSON");
  EXPECT_EQ((*last)["captureData"]["endpointOutput"]["observedContentType"], "application/json");
  EXPECT_FALSE((*last)["eventMetadata"].contains("inferenceId"));
}

TEST_F(EndpointHostTest, SamplesNothingAtZeroPercent) {
  MakeConfig("config-a", {{"AllTraffic", "model-a"}}, Capture(0));
  MakeEndpoint("car-price", "config-a");
  CaptureWriter capture(CaptureRoot());
  auto host = NewHost(&capture);
  for (int i = 0; i < 200; ++i) Predict(*host, Csv("car-price"));
  ASSERT_TRUE(capture.Flush().ok());
  EXPECT_EQ(capture.written(), 0u);
  EXPECT_TRUE(CaptureLines(CaptureRoot()).empty());
}

TEST_F(EndpointHostTest, SamplesAboutThePercentageAndOnlyTheConfiguredModes) {
  mlops::DataCaptureConfig c = Capture(50);
  c.capture_modes = {"Input"};
  MakeConfig("config-a", {{"AllTraffic", "model-a"}}, c);
  MakeEndpoint("car-price", "config-a");
  CaptureWriter capture(CaptureRoot());
  auto host = NewHost(&capture);
  for (int i = 0; i < 2000; ++i) Predict(*host, Csv("car-price"));
  ASSERT_TRUE(capture.Flush().ok());
  std::vector<std::string> lines = CaptureLines(CaptureRoot());
  EXPECT_GT(lines.size(), 850u);  // 1000 expected; sd 22
  EXPECT_LT(lines.size(), 1150u);
  StatusOr<Json> line = ParseJson(lines[0]);
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE((*line)["captureData"].contains("endpointInput"));
  EXPECT_FALSE((*line)["captureData"].contains("endpointOutput"));
}

TEST_F(EndpointHostTest, DisabledCaptureWritesNothing) {
  mlops::DataCaptureConfig c = Capture(100);
  c.enable_capture = false;
  MakeConfig("config-a", {{"AllTraffic", "model-a"}}, c);
  MakeEndpoint("car-price", "config-a");
  CaptureWriter capture(CaptureRoot());
  auto host = NewHost(&capture);
  Predict(*host, Csv("car-price"));
  ASSERT_TRUE(capture.Flush().ok());
  EXPECT_EQ(capture.written(), 0u);
}

}  // namespace
}  // namespace mlflowctl::serving
