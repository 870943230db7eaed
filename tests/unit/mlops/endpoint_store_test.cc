#include "engine/mlops/endpoint_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/store/sqlite_endpoint_store.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::mlops {
namespace {

class EndpointStoreTest : public ::testing::Test {
 protected:
  EndpointStoreTest() { Reopen(); }

  void Reopen() {
    endpoints_.reset();
    temp_.Reopen();
    endpoints_ = std::make_unique<store::SqliteEndpointStore>(&temp_.store(),
                                                              &temp_.clock());
  }

  HostedModel Model(const std::string& name, const std::string& url) {
    HostedModel m;
    m.name = name;
    m.primary_container.image = "mlflowctl-inference:local";
    m.primary_container.model_data_url = url;
    m.primary_container.environment = {{"SAGEMAKER_PROGRAM", "serve"}};
    m.execution_role_arn = "arn:aws:iam::123456789012:role/r";
    return m;
  }

  EndpointConfig Config(const std::string& name, const std::string& model) {
    EndpointConfig c;
    c.name = name;
    ProductionVariant v;
    v.variant_name = "AllTraffic";
    v.model_name = model;
    c.production_variants.push_back(v);
    DataCaptureConfig d;
    d.initial_sampling_percentage = 50;
    d.destination_s3_uri = "s3://mlflowctl/capture";
    c.data_capture = d;
    return c;
  }

  // An InService endpoint "ep" on config "c1" of model "m1".
  void MakeServingEndpoint() {
    ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
    ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c1", "m1")).ok());
    ASSERT_TRUE(endpoints_->CreateEndpoint("ep", "c1").ok());
    ASSERT_TRUE(endpoints_->FinishChange("ep", true, "", "arn:x").ok());
  }

  testing_mlops::TempStore temp_;
  std::unique_ptr<store::SqliteEndpointStore> endpoints_;
};

TEST(EndpointArnTest, ArnsUseLowerCasedNames) {
  EXPECT_EQ(ModelArn("Car-Price"),
            "arn:aws:sagemaker:us-east-1:123456789012:model/car-price");
  EXPECT_EQ(EndpointConfigArn("C1"),
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c1");
  EXPECT_EQ(EndpointArn("Ep"),
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep");
}

TEST(EndpointArnTest, NamesFollowSageMakersPattern) {
  EXPECT_EQ(CheckHostingName("car-price-1"), "");
  EXPECT_EQ(CheckHostingName("a--b"), "");
  EXPECT_NE(CheckHostingName(""), "");
  EXPECT_NE(CheckHostingName("-a"), "");
  EXPECT_NE(CheckHostingName("a-"), "");
  EXPECT_NE(CheckHostingName("a_b"), "");
  EXPECT_NE(CheckHostingName(std::string(64, 'a')), "");
  EXPECT_EQ(CheckHostingName(std::string(63, 'a')), "");
}

TEST_F(EndpointStoreTest, ModelsAndConfigsSurviveReopening) {
  ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
  temp_.clock().AdvanceMillis(5000);
  ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c1", "m1")).ok());
  Reopen();
  StatusOr<HostedModel> m = endpoints_->GetModel("m1");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->primary_container.model_data_url, "s3://b/m1");
  EXPECT_EQ(m->primary_container.environment.at("SAGEMAKER_PROGRAM"), "serve");
  EXPECT_EQ(m->execution_role_arn, "arn:aws:iam::123456789012:role/r");
  StatusOr<EndpointConfig> c = endpoints_->GetEndpointConfig("c1");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->production_variants.size(), 1u);
  EXPECT_EQ(c->production_variants[0].model_name, "m1");
  ASSERT_TRUE(c->data_capture.has_value());
  EXPECT_EQ(c->data_capture->initial_sampling_percentage, 50);
  EXPECT_EQ(c->created_ms - m->created_ms, 5000);
}

TEST_F(EndpointStoreTest, DuplicatesAreRefusedWhateverTheCase) {
  ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
  EXPECT_EQ(endpoints_->CreateModel(Model("M1", "s3://b/x")).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c1", "m1")).ok());
  EXPECT_EQ(endpoints_->CreateEndpointConfig(Config("c1", "m1")).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(endpoints_->CreateEndpoint("ep", "c1").ok());
  EXPECT_EQ(endpoints_->CreateEndpoint("EP", "c1").status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(EndpointStoreTest, ConfigNeedsExistingModelsAndValidValues) {
  EXPECT_EQ(endpoints_->CreateEndpointConfig(Config("c1", "nope")).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
  EndpointConfig bad = Config("c1", "m1");
  bad.data_capture->initial_sampling_percentage = 101;
  EXPECT_EQ(endpoints_->CreateEndpointConfig(bad).status().code(),
            StatusCode::kInvalidArgument);
  bad = Config("c1", "m1");
  bad.production_variants.push_back(bad.production_variants[0]);
  EXPECT_EQ(endpoints_->CreateEndpointConfig(bad).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(endpoints_->CreateModel(Model("bad_name", "s3://b")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EndpointStoreTest, CreationGoesFromCreatingToInServiceAndIsRecorded) {
  ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
  ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c1", "m1")).ok());
  StatusOr<Endpoint> e = endpoints_->CreateEndpoint("ep", "c1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->status, kEndpointCreating);
  temp_.clock().AdvanceMillis(2000);
  e = endpoints_->FinishChange("ep", true, "", "arn:exec:1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->status, kEndpointInService);
  EXPECT_EQ(e->last_modified_ms - e->created_ms, 2000);
  Reopen();
  auto changes = endpoints_->ListEndpointChanges("ep");
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_FALSE((*changes)[0].from_config.has_value());
  EXPECT_EQ((*changes)[0].to_config, "c1");
  EXPECT_EQ((*changes)[0].outcome, "InService");
  EXPECT_EQ((*changes)[0].changed_by, "arn:exec:1");
}

TEST_F(EndpointStoreTest, FailedCreationLeavesTheEndpointFailedWithItsReason) {
  ASSERT_TRUE(endpoints_->CreateModel(Model("m1", "s3://b/m1")).ok());
  ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c1", "m1")).ok());
  ASSERT_TRUE(endpoints_->CreateEndpoint("ep", "c1").ok());
  ASSERT_TRUE(endpoints_->FinishChange("ep", false, "no model", "cli").ok());
  StatusOr<Endpoint> e = endpoints_->GetEndpoint("ep");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->status, kEndpointFailed);
  EXPECT_EQ(e->failure_reason, "no model");
  // A Failed endpoint cannot be updated; it can be deleted.
  EXPECT_EQ(endpoints_->BeginUpdate("ep", "c1").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(endpoints_->DeleteEndpoint("ep").ok());
  EXPECT_EQ(endpoints_->GetEndpoint("ep").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(endpoints_->DeleteEndpoint("ep").code(), StatusCode::kNotFound);
}

TEST_F(EndpointStoreTest, UpdateSwitchesConfigOnlyWhenItSucceeds) {
  MakeServingEndpoint();
  ASSERT_TRUE(endpoints_->CreateModel(Model("m2", "s3://b/m2")).ok());
  ASSERT_TRUE(endpoints_->CreateEndpointConfig(Config("c2", "m2")).ok());

  StatusOr<Endpoint> e = endpoints_->BeginUpdate("ep", "c2");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->status, kEndpointUpdating);
  EXPECT_EQ(e->config_name, "c1");  // the old config keeps serving
  EXPECT_EQ(e->pending_config_name, "c2");
  // A second update waits for this one.
  EXPECT_EQ(endpoints_->BeginUpdate("ep", "c2").status().code(),
            StatusCode::kFailedPrecondition);
  e = endpoints_->FinishChange("ep", false, "cannot load m2", "arn:exec:2");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->status, kEndpointInService);
  EXPECT_EQ(e->config_name, "c1");
  EXPECT_FALSE(e->pending_config_name.has_value());
  EXPECT_EQ(e->failure_reason, "cannot load m2");

  ASSERT_TRUE(endpoints_->BeginUpdate("ep", "c2").ok());
  e = endpoints_->FinishChange("ep", true, "", "arn:exec:3");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->config_name, "c2");
  EXPECT_EQ(e->failure_reason, "");

  auto changes = endpoints_->ListEndpointChanges("ep");
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ((*changes)[1].from_config, "c1");
  EXPECT_EQ((*changes)[1].to_config, "c2");
  EXPECT_EQ((*changes)[1].outcome, "RolledBack");
  EXPECT_EQ((*changes)[1].failure_reason, "cannot load m2");
  EXPECT_EQ((*changes)[2].outcome, "InService");
  EXPECT_EQ((*changes)[2].changed_by, "arn:exec:3");
}

TEST_F(EndpointStoreTest, FinishWithoutAChangeInProgressIsRefused) {
  MakeServingEndpoint();
  EXPECT_EQ(endpoints_->FinishChange("ep", true, "", "cli").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(endpoints_->FinishChange("none", true, "", "cli").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(endpoints_->BeginUpdate("ep", "missing").status().code(),
            StatusCode::kNotFound);
}

TEST_F(EndpointStoreTest, ConcurrentUpdatesLetExactlyOneBegin) {
  MakeServingEndpoint();
  std::vector<std::thread> threads;
  std::vector<StatusCode> codes(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([this, &codes, i] {
      codes[i] = endpoints_->BeginUpdate("ep", "c1").status().code();
    });
  }
  for (auto& t : threads) t.join();
  int begun = 0;
  for (StatusCode c : codes) {
    if (c == StatusCode::kOk) ++begun;
    else EXPECT_EQ(c, StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(begun, 1);
}

TEST_F(EndpointStoreTest, ListsEndpointsByName) {
  MakeServingEndpoint();
  ASSERT_TRUE(endpoints_->CreateEndpoint("a-first", "c1").ok());
  auto list = endpoints_->ListEndpoints();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a-first");
  EXPECT_EQ((*list)[1].name, "ep");
}

TEST(EndpointShapesTest, DescribeEndpointHasSageMakersMembers) {
  Endpoint e;
  e.name = "Ep";
  e.config_name = "c1";
  e.status = kEndpointInService;
  e.created_ms = 1000;
  e.last_modified_ms = 2500;
  EndpointConfig c;
  c.name = "c1";
  ProductionVariant v;
  v.variant_name = "AllTraffic";
  v.model_name = "m1";
  c.production_variants.push_back(v);
  DataCaptureConfig d;
  d.destination_s3_uri = "s3://cap";
  c.data_capture = d;
  Json j = DescribeEndpointJson(e, &c, {});
  EXPECT_EQ(j["EndpointArn"], "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep");
  EXPECT_EQ(j["EndpointStatus"], "InService");
  EXPECT_EQ(j["CreationTime"], 1.0);
  EXPECT_EQ(j["LastModifiedTime"], 2.5);
  EXPECT_EQ(j["ProductionVariants"][0]["VariantName"], "AllTraffic");
  EXPECT_EQ(j["ProductionVariants"][0]["CurrentWeight"], 1.0);
  EXPECT_EQ(j["DataCaptureConfig"]["CaptureStatus"], "Started");
  EXPECT_EQ(j["DataCaptureConfig"]["CurrentSamplingPercentage"], 100.0);
  EXPECT_FALSE(j.contains("FailureReason"));
}

TEST(EndpointShapesTest, CreateRequestsRoundTripThroughDescribe) {
  Json request = ParseJson(R"({
    "EndpointConfigName": "c1",
    "ProductionVariants": [{"VariantName": "v1", "ModelName": "m1",
                            "InitialInstanceCount": 2, "InstanceType": "ml.c5.large",
                            "InitialVariantWeight": 0.5}],
    "DataCaptureConfig": {"EnableCapture": true, "InitialSamplingPercentage": 20,
                          "DestinationS3Uri": "s3://cap",
                          "CaptureOptions": [{"CaptureMode": "Input"}],
                          "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}
  })").value();
  StatusOr<EndpointConfig> c = EndpointConfigFromCreateRequest(request);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Json described = DescribeEndpointConfigJson(*c);
  EXPECT_EQ(described["ProductionVariants"], request["ProductionVariants"]);
  EXPECT_EQ(described["DataCaptureConfig"], request["DataCaptureConfig"]);
  Json missing = request;
  missing["DataCaptureConfig"].erase("DestinationS3Uri");
  EXPECT_EQ(EndpointConfigFromCreateRequest(missing).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlflowctl::mlops
