#include "steps/invoke_step.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/runtime/resource_registry.h"
#include "engine/store/sqlite_endpoint_store.h"
#include "serving/capture_writer.h"
#include "serving/endpoint_host.h"
#include "steps/hosting_step.h"
#include "steps/registry.h"
#include "steps/train_step.h"
#include "tests/testutil/linear_csv.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using runtime::StepResult;
using runtime::TaskRequest;

constexpr char kInvokeExecution[] =
    "arn:aws:states:us-east-1:123456789012:execution:realtime:run-1";

using testutil::LinearCsv;

class InvokeStepTest : public testing::Test {
 protected:
  InvokeStepTest()
      : endpoints_(&temp_.store(), &temp_.clock()),
        capture_(temp_.dir() + "/home/capture"),
        host_(endpoints_,
              [this](const std::string& uri) { return ResolveUri(env_, uri); },
              temp_.clock(), &capture_) {
    env_.home = temp_.dir() + "/home";
    env_.clock = &temp_.clock();
    env_.endpoints = &endpoints_;
    env_.host = &host_;
    Write("s3/bucket/data/train.csv", LinearCsv(60, 0));
    Write("s3/bucket/shifted/train.csv", LinearCsv(60, 100));
    Train("job-a", "s3://bucket/data/train.csv");
    Train("job-b", "s3://bucket/shifted/train.csv");
  }

  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(env_.home) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

  void Train(const std::string& job, const std::string& train_uri) {
    TrainStep train(env_);
    StepResult r = Run(train, "mlflowctl:train",
                       {{"Algorithm", "linear-learner"},
                        {"TrainUri", train_uri},
                        {"OutputUri", "s3://bucket/models"},
                        {"JobName", job}});
    ASSERT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
  }

  StepResult Run(runtime::TaskHandler& handler, const std::string& resource,
                 const Json& input) {
    TaskRequest request;
    request.resource = resource;
    request.input = input;
    request.execution_arn = kInvokeExecution;
    request.state_name = "Invoke";
    request.cancelled = &cancelled_;
    return handler.Invoke(request);
  }

  // mlflowctl:deploy of JOB's model to ENDPOINT as config CONFIG.
  StepResult Deploy(const std::string& endpoint, const std::string& job,
                    const std::string& config, bool capture = false) {
    DeployStep deploy(env_);
    Json in{{"EndpointName", endpoint},
            {"ModelUri", fmt::format("s3://bucket/models/{}/output/model", job)},
            {"ModelName", config},
            {"EndpointConfigName", config}};
    if (capture) in["DataCapture"] = {{"SamplingPercentage", 100}};
    return Run(deploy, kDeployResource, in);
  }

  StepResult Invoke(const Json& input, const std::string& resource = kInvokeResource) {
    InvokeStep step(&host_);
    return Run(step, resource, input);
  }

  static Json Output(const StepResult& r) {
    EXPECT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
    return std::holds_alternative<Json>(r) ? std::get<Json>(r) : Json();
  }
  static Error ErrorOf(const StepResult& r) {
    return std::holds_alternative<Error>(r) ? std::get<Error>(r) : Error{"none", ""};
  }
  // The single prediction of a CSV response.
  static double Score(const StepResult& r) {
    Json out = Output(r);
    return out.is_object() && out["Body"].is_string() ? std::stod(out["Body"].get<std::string>())
                                                       : -1;
  }

  testing_mlops::TempStore temp_;
  store::SqliteEndpointStore endpoints_;
  StepEnv env_;
  serving::CaptureWriter capture_;
  serving::EndpointHost host_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(InvokeStepTest, InvokesAStringBodyAsCsv) {
  Output(Deploy("car-price", "job-a", "config-a"));
  Json out = Output(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}}));
  EXPECT_EQ(out["ContentType"], "text/csv");
  EXPECT_EQ(out["InvokedProductionVariant"], "AllTraffic");
  ASSERT_TRUE(out["Body"].is_string());
  EXPECT_NEAR(std::stod(out["Body"].get<std::string>()), 4, 1e-6);
}

TEST_F(InvokeStepTest, SendsAJsonBodyAsJsonAndParsesTheJsonResponse) {
  Output(Deploy("car-price", "job-a", "config-a"));
  Json out = Output(Invoke({{"EndpointName", "car-price"},
                            {"Body", {{"instances", {{1, 1}, {2, 0}}}}}},
                           kInvokeEndpointResource));
  EXPECT_EQ(out["ContentType"], "application/json");
  ASSERT_TRUE(out["Body"].is_object()) << out.dump();
  EXPECT_NEAR(out["Body"]["predictions"][0]["score"].get<double>(), 4, 1e-6);
  EXPECT_NEAR(out["Body"]["predictions"][1]["score"].get<double>(), 7, 1e-6);
}

TEST_F(InvokeStepTest, AcceptTurnsACsvAnswerIntoJson) {
  Output(Deploy("car-price", "job-a", "config-a"));
  Json out = Output(Invoke({{"EndpointName", "car-price"},
                            {"Body", "1,1"},
                            {"Accept", "application/json"}}));
  EXPECT_EQ(out["ContentType"], "application/json");
  EXPECT_NEAR(out["Body"]["predictions"][0]["score"].get<double>(), 4, 1e-6);
}

TEST_F(InvokeStepTest, NamesErrorsAsStepFunctionsNamesSdkErrors) {
  Output(Deploy("car-price", "job-a", "config-a"));
  Error unknown = ErrorOf(Invoke({{"EndpointName", "nope"}, {"Body", "1,1"}}));
  EXPECT_EQ(unknown.name, "SageMakerRuntime.ValidationErrorException");
  EXPECT_EQ(unknown.cause.rfind("Endpoint nope of account 123456789012 not found. (Service: "
                                "SageMakerRuntime, Status Code: 400, Request ID: ",
                                0),
            0u)
      << unknown.cause;

  Error bad_row = ErrorOf(Invoke({{"EndpointName", "car-price"}, {"Body", "1,2,3"}}));
  EXPECT_EQ(bad_row.name, "SageMakerRuntime.ModelErrorException");
  EXPECT_NE(bad_row.cause.find("row 1 has 3 values"), std::string::npos) << bad_row.cause;
  EXPECT_NE(bad_row.cause.find("Status Code: 424"), std::string::npos) << bad_row.cause;

  EXPECT_EQ(ErrorOf(Invoke({{"Body", "1,1"}})).name, "SageMakerRuntime.ValidationErrorException");
  EXPECT_EQ(ErrorOf(Invoke({{"EndpointName", "car-price"}})).name,
            "SageMakerRuntime.ValidationErrorException");
  EXPECT_EQ(ErrorOf(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}, {"Accept", 3}})).name,
            "SageMakerRuntime.ValidationErrorException");
  EXPECT_EQ(ErrorOf(Invoke({{"EndpointName", "car-price"},
                            {"Body", "1,1"},
                            {"TargetVariant", "Nope"}}))
                .name,
            "SageMakerRuntime.ValidationErrorException");
}

TEST_F(InvokeStepTest, UpdateSwapsTheServedModelAndDeleteEvictsIt) {
  Output(Deploy("car-price", "job-a", "config-a"));
  EXPECT_NEAR(Score(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}})), 4, 1e-6);
  Json updated = Output(Deploy("car-price", "job-b", "config-b"));
  EXPECT_EQ(updated["Action"], "updated");
  EXPECT_NEAR(Score(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}})), 104, 1e-6);

  HostingStep hosting(env_);
  Output(Run(hosting, kDeleteEndpointResource, {{"EndpointName", "car-price"}}));
  EXPECT_EQ(ErrorOf(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}})).name,
            "SageMakerRuntime.ValidationErrorException");
}

TEST_F(InvokeStepTest, AFailedUpdateKeepsTheOldModelServing) {
  Output(Deploy("car-price", "job-a", "config-a"));
  fs::create_directories(env_.home + "/s3/bucket/models/broken/output/model");
  DeployStep deploy(env_);
  Error failed = ErrorOf(Run(deploy, kDeployResource,
                             {{"EndpointName", "car-price"},
                              {"ModelUri", "s3://bucket/models/broken/output/model"},
                              {"ModelName", "broken"}}));
  EXPECT_EQ(failed.name, "Mlflow.ModelLoadFailed");
  EXPECT_NEAR(Score(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}})), 4, 1e-6);
}

TEST_F(InvokeStepTest, InvocationsDuringRepeatedUpdatesAllSucceed) {
  Output(Deploy("car-price", "job-a", "config-a"));
  Output(Deploy("car-price", "job-b", "config-b"));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      InvokeStep step(&host_);
      while (!stop.load()) {
        StepResult r = Run(step, kInvokeResource, {{"EndpointName", "car-price"}, {"Body", "1,1"}});
        double score = std::holds_alternative<Json>(r)
                           ? std::stod(std::get<Json>(r)["Body"].get<std::string>())
                           : -1;
        (std::abs(score - 4) < 1e-6 || std::abs(score - 104) < 1e-6 ? ok : failed)++;
      }
    });
  }
  while (ok.load() + failed.load() == 0) std::this_thread::yield();
  // Each update loads the model anew, then switches (configs are reused).
  for (int i = 0; i < 10; ++i) {
    Json out = Output(Deploy("car-price", i % 2 == 0 ? "job-a" : "job-b",
                             i % 2 == 0 ? "config-a" : "config-b"));
    EXPECT_EQ(out["Action"], "updated");
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
}

TEST_F(InvokeStepTest, CapturesWhatTheDeployedConfigAsksFor) {
  Output(Deploy("car-price", "job-a", "config-a", /*capture=*/true));
  Output(Invoke({{"EndpointName", "car-price"}, {"Body", "1,1"}, {"InferenceId", "r-1"}}));
  ASSERT_TRUE(capture_.Flush().ok());
  EXPECT_EQ(capture_.written(), 1u);
  EXPECT_TRUE(fs::exists(env_.home + "/capture/car-price/AllTraffic"));
}

TEST_F(InvokeStepTest, IsRegisteredOnlyWithAHost) {
  runtime::ResourceRegistry with, without;
  RegisterBuiltinSteps(with, env_);
  StepEnv no_host = env_;
  no_host.host = nullptr;
  RegisterBuiltinSteps(without, no_host);
  EXPECT_NE(with.Find(kInvokeResource), nullptr);
  EXPECT_NE(with.Find(kInvokeEndpointResource), nullptr);
  EXPECT_EQ(without.Find(kInvokeResource), nullptr);
}

}  // namespace
}  // namespace mlflowctl::steps
