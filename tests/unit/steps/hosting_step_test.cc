#include "steps/hosting_step.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/store/sqlite_endpoint_store.h"
#include "steps/train_step.h"
#include "tests/testutil/linear_csv.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using runtime::StepResult;
using runtime::TaskRequest;

constexpr char kHostingExecution[] =
    "arn:aws:states:us-east-1:123456789012:execution:training:run-1";

using testutil::LinearCsv;

class HostingStepTest : public testing::Test {
 protected:
  HostingStepTest()
      : endpoints_(&temp_.store(), &temp_.clock()) {
    env_.home = temp_.dir() + "/home";
    env_.clock = &temp_.clock();
    env_.endpoints = &endpoints_;
    hosting_ = std::make_unique<HostingStep>(env_);
    deploy_ = std::make_unique<DeployStep>(env_);
    Write("s3/bucket/data/train.csv", LinearCsv(60, 0));
    Write("s3/bucket/shifted/train.csv", LinearCsv(60, 100));
    Train("job-a", "s3://bucket/data/train.csv");
    Train("job-b", "s3://bucket/shifted/train.csv");
    // A directory that exists but holds no model.
    fs::create_directories(env_.home + "/s3/bucket/models/broken/output/model");
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
                 const Json& input, const std::string& execution = kHostingExecution) {
    TaskRequest request;
    request.resource = resource;
    request.input = input;
    request.execution_arn = execution;
    request.state_name = "Deploy";
    request.cancelled = &cancelled_;
    return handler.Invoke(request);
  }
  StepResult Host(const std::string& resource, const Json& input) {
    return Run(*hosting_, resource, input);
  }

  static std::string ModelUri(const std::string& job) {
    return fmt::format("s3://bucket/models/{}/output/model", job);
  }

  // Model NAME on JOB's artifact and config NAME-config on it.
  void MakeModelAndConfig(const std::string& name, const std::string& job) {
    StepResult m = Host(kCreateModelResource,
                        {{"ModelName", name},
                         {"PrimaryContainer", {{"Image", "img"}, {"ModelDataUrl", ModelUri(job)}}},
                         {"ExecutionRoleArn", "arn:aws:iam::123456789012:role/r"}});
    ASSERT_TRUE(std::holds_alternative<Json>(m)) << std::get<Error>(m).cause;
    StepResult c = Host(kCreateEndpointConfigResource,
                        {{"EndpointConfigName", name + "-config"},
                         {"ProductionVariants",
                          {{{"VariantName", "AllTraffic"}, {"ModelName", name}}}}});
    ASSERT_TRUE(std::holds_alternative<Json>(c)) << std::get<Error>(c).cause;
  }

  Json Describe(const std::string& endpoint) {
    StepResult r = Host(kDescribeEndpointResource, {{"EndpointName", endpoint}});
    EXPECT_TRUE(std::holds_alternative<Json>(r));
    return std::holds_alternative<Json>(r) ? std::get<Json>(r) : Json();
  }

  static Error ErrorOf(const StepResult& r) {
    return std::holds_alternative<Error>(r) ? std::get<Error>(r) : Error{"none", ""};
  }

  testing_mlops::TempStore temp_;
  store::SqliteEndpointStore endpoints_;
  StepEnv env_;
  std::unique_ptr<HostingStep> hosting_;
  std::unique_ptr<DeployStep> deploy_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(HostingStepTest, CreatesAnEndpointAndDescribesIt) {
  MakeModelAndConfig("model-a", "job-a");
  StepResult r = Host(kCreateEndpointResource,
                      {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-a-config"}});
  ASSERT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
  EXPECT_EQ(std::get<Json>(r),
            Json({{"EndpointArn", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/car-price"}}));

  Json d = Describe("car-price");
  EXPECT_EQ(d["EndpointStatus"], "InService");
  EXPECT_EQ(d["EndpointConfigName"], "model-a-config");
  EXPECT_EQ(d["ProductionVariants"][0]["VariantName"], "AllTraffic");
  EXPECT_EQ(d["ProductionVariants"][0]["DeployedImages"][0]["SpecifiedImage"], "img");
  EXPECT_TRUE(d["CreationTime"].is_number());

  StepResult model = Host(kDescribeModelResource, {{"ModelName", "model-a"}});
  ASSERT_TRUE(std::holds_alternative<Json>(model));
  EXPECT_EQ(std::get<Json>(model)["PrimaryContainer"]["ModelDataUrl"], ModelUri("job-a"));
  EXPECT_EQ(std::get<Json>(model)["ModelArn"],
            "arn:aws:sagemaker:us-east-1:123456789012:model/model-a");
  StepResult config =
      Host(kDescribeEndpointConfigResource, {{"EndpointConfigName", "model-a-config"}});
  ASSERT_TRUE(std::holds_alternative<Json>(config));
  EXPECT_EQ(std::get<Json>(config)["ProductionVariants"][0]["ModelName"], "model-a");
  EXPECT_EQ(std::get<Json>(config)["ProductionVariants"][0]["InitialInstanceCount"], 1);

  auto history = endpoints_.ListEndpointChanges("car-price");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].changed_by, kHostingExecution);
}

TEST_F(HostingStepTest, CreatingAnExistingEndpointIsAValidationException) {
  MakeModelAndConfig("model-a", "job-a");
  Json input = {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-a-config"}};
  ASSERT_TRUE(std::holds_alternative<Json>(Host(kCreateEndpointResource, input)));
  Error e = ErrorOf(Run(*hosting_, kCreateEndpointResource, input,
                        "arn:aws:states:us-east-1:123456789012:execution:training:run-2"));
  EXPECT_EQ(e.name, "SageMaker.ValidationException");
  EXPECT_EQ(e.cause,
            "Cannot create already existing endpoint "
            "\"arn:aws:sagemaker:us-east-1:123456789012:endpoint/car-price\".");
  e = ErrorOf(Host(kCreateModelResource,
                   {{"ModelName", "model-a"},
                    {"PrimaryContainer", {{"ModelDataUrl", ModelUri("job-a")}}}}));
  EXPECT_EQ(e.cause,
            "Cannot create already existing model "
            "\"arn:aws:sagemaker:us-east-1:123456789012:model/model-a\".");
}

// At-least-once: a resumed execution runs the task that was in flight at a
// crash again with the same request.
TEST_F(HostingStepTest, CreatesRunAgainByTheirExecutionAnswerAsTheFirstRun) {
  MakeModelAndConfig("model-a", "job-a");
  Json model = {{"ModelName", "model-a"},
                {"PrimaryContainer", {{"Image", "img"}, {"ModelDataUrl", ModelUri("job-a")}}},
                {"ExecutionRoleArn", "arn:aws:iam::123456789012:role/r"}};
  StepResult m = Host(kCreateModelResource, model);
  ASSERT_TRUE(std::holds_alternative<Json>(m)) << std::get<Error>(m).cause;
  EXPECT_EQ(std::get<Json>(m)["ModelArn"], "arn:aws:sagemaker:us-east-1:123456789012:model/model-a");
  Json config = {{"EndpointConfigName", "model-a-config"},
                 {"ProductionVariants", {{{"VariantName", "AllTraffic"}, {"ModelName", "model-a"}}}}};
  EXPECT_TRUE(std::holds_alternative<Json>(Host(kCreateEndpointConfigResource, config)));
  config["ProductionVariants"][0]["VariantName"] = "Other";
  EXPECT_EQ(ErrorOf(Host(kCreateEndpointConfigResource, config)).name,
            "SageMaker.ValidationException");

  Json endpoint = {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-a-config"}};
  ASSERT_TRUE(std::holds_alternative<Json>(Host(kCreateEndpointResource, endpoint)));
  StepResult again = Host(kCreateEndpointResource, endpoint);
  ASSERT_TRUE(std::holds_alternative<Json>(again)) << std::get<Error>(again).cause;
  EXPECT_EQ(std::get<Json>(again)["EndpointArn"],
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint/car-price");
  auto history = endpoints_.ListEndpointChanges("car-price");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
}

TEST_F(HostingStepTest, ChangesACrashCutShortAreFinishedWhenTheTaskRunsAgain) {
  MakeModelAndConfig("model-a", "job-a");
  MakeModelAndConfig("model-b", "job-b");
  // A creation begun in the store, its process killed before it finished.
  ASSERT_TRUE(endpoints_.CreateEndpoint("car-price", "model-a-config").ok());
  StepResult created = Host(kCreateEndpointResource, {{"EndpointName", "car-price"},
                                                      {"EndpointConfigName", "model-a-config"}});
  ASSERT_TRUE(std::holds_alternative<Json>(created)) << std::get<Error>(created).cause;
  EXPECT_EQ(Describe("car-price")["EndpointStatus"], "InService");

  // The same for an update.
  ASSERT_TRUE(endpoints_.BeginUpdate("car-price", "model-b-config").ok());
  StepResult updated = Host(kUpdateEndpointResource, {{"EndpointName", "car-price"},
                                                      {"EndpointConfigName", "model-b-config"}});
  ASSERT_TRUE(std::holds_alternative<Json>(updated)) << std::get<Error>(updated).cause;
  Json d = Describe("car-price");
  EXPECT_EQ(d["EndpointStatus"], "InService");
  EXPECT_EQ(d["EndpointConfigName"], "model-b-config");

  // And for mlflowctl:deploy: a creation left Creating is finished, not updated.
  ASSERT_TRUE(std::holds_alternative<Json>(
      Host(kCreateModelResource,
           {{"ModelName", "other-run-1"},
            {"PrimaryContainer", {{"ModelDataUrl", ModelUri("job-a")}}}})));
  ASSERT_TRUE(std::holds_alternative<Json>(
      Host(kCreateEndpointConfigResource,
           {{"EndpointConfigName", "other-run-1"},
            {"ProductionVariants", {{{"VariantName", "AllTraffic"}, {"ModelName", "other-run-1"},
                                      {"InstanceType", "ml.m5.large"}}}}})));
  ASSERT_TRUE(endpoints_.CreateEndpoint("other", "other-run-1").ok());
  StepResult deployed = Run(*deploy_, kDeployResource,
                            {{"EndpointName", "other"}, {"ModelUri", ModelUri("job-a")}});
  ASSERT_TRUE(std::holds_alternative<Json>(deployed)) << std::get<Error>(deployed).cause;
  EXPECT_EQ(std::get<Json>(deployed)["Action"], "created");
  EXPECT_EQ(Describe("other")["EndpointStatus"], "InService");
}

TEST_F(HostingStepTest, DescribingAMissingEndpointIsAValidationException) {
  Error e = ErrorOf(Host(kDescribeEndpointResource, {{"EndpointName", "nope"}}));
  EXPECT_EQ(e.name, "SageMaker.ValidationException");
  EXPECT_EQ(e.cause, "Could not find endpoint \"nope\".");
  e = ErrorOf(Host(kDeleteEndpointResource, {{"EndpointName", "nope"}}));
  EXPECT_EQ(e.cause,
            "Could not find endpoint \"arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope\".");
  e = ErrorOf(Host(kCreateEndpointResource,
                   {{"EndpointName", "ep"}, {"EndpointConfigName", "no-config"}}));
  EXPECT_EQ(e.cause,
            "Could not find endpoint configuration "
            "\"arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/no-config\".");
  e = ErrorOf(Host(kCreateEndpointConfigResource,
                   {{"EndpointConfigName", "c"},
                    {"ProductionVariants", {{{"VariantName", "v"}, {"ModelName", "ghost"}}}}}));
  EXPECT_EQ(e.cause,
            "Could not find model \"arn:aws:sagemaker:us-east-1:123456789012:model/ghost\".");
  e = ErrorOf(Host(kCreateModelResource,
                   {{"ModelName", "m"},
                    {"PrimaryContainer", {{"ModelDataUrl", "s3://bucket/missing"}}}}));
  EXPECT_EQ(e.cause, "Could not find model data at s3://bucket/missing.");
}

TEST_F(HostingStepTest, EndpointWhoseModelCannotLoadIsLeftFailed) {
  MakeModelAndConfig("model-broken", "broken");
  Error e = ErrorOf(Host(kCreateEndpointResource, {{"EndpointName", "car-price"},
                                                   {"EndpointConfigName", "model-broken-config"}}));
  EXPECT_EQ(e.name, "Mlflow.ModelLoadFailed");
  Json d = Describe("car-price");
  EXPECT_EQ(d["EndpointStatus"], "Failed");
  EXPECT_NE(d["FailureReason"].get<std::string>().find("model-broken"), std::string::npos)
      << d.dump();
  EXPECT_FALSE(d.contains("ProductionVariants"));
}

TEST_F(HostingStepTest, UpdateKeepsTheOldConfigWhenTheNewModelCannotLoad) {
  MakeModelAndConfig("model-a", "job-a");
  MakeModelAndConfig("model-broken", "broken");
  ASSERT_TRUE(std::holds_alternative<Json>(Host(
      kCreateEndpointResource,
      {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-a-config"}})));
  Error e = ErrorOf(Host(kUpdateEndpointResource, {{"EndpointName", "car-price"},
                                                   {"EndpointConfigName", "model-broken-config"}}));
  EXPECT_EQ(e.name, "Mlflow.ModelLoadFailed");
  EXPECT_NE(e.cause.find("\"model-a-config\" keeps serving"), std::string::npos) << e.cause;

  Json d = Describe("car-price");
  EXPECT_EQ(d["EndpointStatus"], "InService");
  EXPECT_EQ(d["EndpointConfigName"], "model-a-config");
  EXPECT_TRUE(d.contains("FailureReason"));
  auto history = endpoints_.ListEndpointChanges("car-price");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].outcome, "RolledBack");
  EXPECT_EQ((*history)[1].to_config, "model-broken-config");
}

TEST_F(HostingStepTest, UpdateSwitchesToTheNewConfig) {
  MakeModelAndConfig("model-a", "job-a");
  MakeModelAndConfig("model-b", "job-b");
  ASSERT_TRUE(std::holds_alternative<Json>(Host(
      kCreateEndpointResource,
      {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-a-config"}})));
  StepResult r = Host(kUpdateEndpointResource,
                      {{"EndpointName", "car-price"}, {"EndpointConfigName", "model-b-config"}});
  ASSERT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
  Json d = Describe("car-price");
  EXPECT_EQ(d["EndpointStatus"], "InService");
  EXPECT_EQ(d["EndpointConfigName"], "model-b-config");
  EXPECT_FALSE(d.contains("FailureReason"));
  ASSERT_TRUE(std::holds_alternative<Json>(
      Host(kDeleteEndpointResource, {{"EndpointName", "car-price"}})));
  EXPECT_EQ(ErrorOf(Host(kDescribeEndpointResource, {{"EndpointName", "car-price"}})).name,
            "SageMaker.ValidationException");
}

TEST_F(HostingStepTest, DeployCreatesThenUpdates) {
  StepResult first = Run(*deploy_, kDeployResource,
                         {{"EndpointName", "car-price"},
                          {"ModelUri", ModelUri("job-a")},
                          {"DataCapture", {{"SamplingPercentage", 25}}}});
  ASSERT_TRUE(std::holds_alternative<Json>(first)) << std::get<Error>(first).cause;
  const Json& a = std::get<Json>(first);
  EXPECT_EQ(a["Action"], "created");
  EXPECT_EQ(a["ModelName"], "car-price-run-1");
  EXPECT_EQ(a["EndpointConfigName"], "car-price-run-1");
  EXPECT_EQ(a["EndpointArn"], "arn:aws:sagemaker:us-east-1:123456789012:endpoint/car-price");
  Json d = Describe("car-price");
  EXPECT_EQ(d["DataCaptureConfig"]["CurrentSamplingPercentage"], 25.0);
  EXPECT_EQ(d["DataCaptureConfig"]["DestinationS3Uri"], "s3://mlflowctl/capture");

  StepResult second = Run(*deploy_, kDeployResource,
                          {{"EndpointName", "car-price"}, {"ModelUri", ModelUri("job-b")}},
                          "arn:aws:states:us-east-1:123456789012:execution:training:run-2");
  ASSERT_TRUE(std::holds_alternative<Json>(second)) << std::get<Error>(second).cause;
  EXPECT_EQ(std::get<Json>(second)["Action"], "updated");
  d = Describe("car-price");
  EXPECT_EQ(d["EndpointConfigName"], "car-price-run-2");
  EXPECT_FALSE(d.contains("DataCaptureConfig"));

  // The same execution deploying again (a retry, or its task run again
  // after a crash) reuses its model and config, and its finished update
  // is answered as done without switching again.
  StepResult again = Run(*deploy_, kDeployResource,
                         {{"EndpointName", "car-price"}, {"ModelUri", ModelUri("job-b")}},
                         "arn:aws:states:us-east-1:123456789012:execution:training:run-2");
  ASSERT_TRUE(std::holds_alternative<Json>(again)) << std::get<Error>(again).cause;
  EXPECT_EQ(std::get<Json>(again)["Action"], "updated");
  auto history = endpoints_.ListEndpointChanges("car-price");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].from_config, "car-price-run-1");
  EXPECT_EQ((*history)[1].to_config, "car-price-run-2");
}

TEST_F(HostingStepTest, DeployReplacesAFailedEndpoint) {
  StepResult failed = Run(*deploy_, kDeployResource,
                          {{"EndpointName", "car-price"}, {"ModelUri", ModelUri("broken")}});
  EXPECT_EQ(ErrorOf(failed).name, "Mlflow.ModelLoadFailed");
  EXPECT_EQ(Describe("car-price")["EndpointStatus"], "Failed");
  StepResult ok = Run(*deploy_, kDeployResource,
                      {{"EndpointName", "car-price"},
                       {"ModelUri", ModelUri("job-a")},
                       {"ModelName", "car-price-a"}});
  ASSERT_TRUE(std::holds_alternative<Json>(ok)) << std::get<Error>(ok).cause;
  EXPECT_EQ(std::get<Json>(ok)["Action"], "created");
  EXPECT_EQ(Describe("car-price")["EndpointStatus"], "InService");
}

}  // namespace
}  // namespace mlflowctl::steps
