#include "steps/parameters_step.h"

#include <atomic>

#include <gtest/gtest.h>

#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

using testing_mlops::TempStore;

std::atomic<bool> kParamsNotCancelled{false};
constexpr char kParamsExecution[] = "arn:aws:states:us-east-1:123456789012:execution:training:e1";

runtime::StepResult CallParameters(ParametersStep& step, const char* resource, Json input) {
  runtime::TaskRequest r;
  r.resource = resource;
  r.input = std::move(input);
  r.execution_arn = kParamsExecution;
  r.state_name = "Export";
  r.task_token = "t";
  r.cancelled = &kParamsNotCancelled;
  return step.Invoke(r);
}

Json Ok(runtime::StepResult result) {
  EXPECT_TRUE(std::holds_alternative<Json>(result)) << std::get<Error>(result).name << ": "
                                                    << std::get<Error>(result).cause;
  return std::holds_alternative<Json>(result) ? std::get<Json>(result) : Json();
}

std::string ErrorName(runtime::StepResult result) {
  return std::holds_alternative<Error>(result) ? std::get<Error>(result).name : "ok";
}

TEST(ParametersStepTest, PutParameterReturnsVersionAndTier) {
  TempStore t;
  ParametersStep step(&t.parameters());
  Json put = {{"Name", "/mlflowctl/endpoint"}, {"Value", "car-price"}, {"Type", "String"}};
  EXPECT_EQ(Ok(CallParameters(step, kSsmPutParameterResource, put)),
            (Json{{"Version", 1}, {"Tier", "Standard"}}));
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmPutParameterResource, put)),
            "Ssm.ParameterAlreadyExistsException");
  put["Overwrite"] = true;
  EXPECT_EQ(Ok(CallParameters(step, kSsmPutParameterResource, put))["Version"], 2);
  auto history = t.parameters().GetParameterHistory("/mlflowctl/endpoint");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().last_modified_user, kParamsExecution);
}

TEST(ParametersStepTest, GetParameterHasSsmResponseShape) {
  TempStore t;
  ParametersStep step(&t.parameters());
  Ok(CallParameters(step, kSsmPutParameterResource,
          {{"Name", "/m/name"}, {"Value", "v1"}, {"Type", "String"}}));
  Ok(CallParameters(step, kSsmPutParameterResource,
          {{"Name", "/m/name"}, {"Value", "v2"}, {"Overwrite", true}}));
  Json out = Ok(CallParameters(step, kSsmGetParameterResource, {{"Name", "/m/name"}}));
  EXPECT_EQ(out, (Json{{"Parameter",
                        {{"Name", "/m/name"},
                         {"Type", "String"},
                         {"Value", "v2"},
                         {"Version", 2},
                         {"LastModifiedDate", "2023-11-14T22:13:20.000Z"},
                         {"ARN", "arn:aws:ssm:us-east-1:123456789012:parameter/m/name"},
                         {"DataType", "text"}}}}));
  Json v1 = Ok(CallParameters(step, kSsmGetParameterResource, {{"Name", "/m/name:1"}}));
  EXPECT_EQ(v1["Parameter"]["Value"], "v1");
  EXPECT_EQ(v1["Parameter"]["Selector"], ":1");
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmGetParameterResource, {{"Name", "/m/name:7"}})),
            "Ssm.ParameterVersionNotFoundException");
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmGetParameterResource, {{"Name", "/m/other"}})),
            "Ssm.ParameterNotFoundException");
}

TEST(ParametersStepTest, SecureStringNeedsWithDecryption) {
  TempStore t;
  ParametersStep step(&t.parameters());
  Ok(CallParameters(step, kSsmPutParameterResource,
          {{"Name", "/db/password"}, {"Value", "s3cret"}, {"Type", "SecureString"}}));
  EXPECT_EQ(Ok(CallParameters(step, kSsmGetParameterResource, {{"Name", "/db/password"}}))
                ["Parameter"]["Value"],
            "****");
  EXPECT_EQ(Ok(CallParameters(step, kSsmGetParameterResource,
                    {{"Name", "/db/password"}, {"WithDecryption", true}}))["Parameter"]["Value"],
            "s3cret");
}

TEST(ParametersStepTest, BadRequestsAreNamedAsTheSdkIntegrationNamesThem) {
  TempStore t;
  ParametersStep step(&t.parameters());
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmPutParameterResource,
                           {{"Name", "/x"}, {"Value", "v"}, {"Type", "Number"}})),
            "Ssm.UnsupportedParameterTypeException");
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmPutParameterResource,
                           {{"Name", "a/b"}, {"Value", "v"}, {"Type", "String"}})),
            "Ssm.ValidationException");
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmPutParameterResource, {{"Name", "/x"}})),
            "Ssm.ValidationException");
  std::string deep;
  for (int i = 0; i < 16; ++i) deep += "/l";
  EXPECT_EQ(ErrorName(CallParameters(step, kSsmPutParameterResource,
                           {{"Name", deep}, {"Value", "v"}, {"Type", "String"}})),
            "Ssm.HierarchyLevelLimitExceededException");
}

TEST(ParametersStepTest, ShortFormPutsAllAtOnceAndGets) {
  TempStore t;
  ParametersStep step(&t.parameters());
  Json out = Ok(CallParameters(step, kParametersResource,
                     {{"Put", {{"/mlflowctl/model-name", "car-price-2"},
                               {"/mlflowctl/features", {"Mileage", "Cylinder"}},
                               {"/mlflowctl/threshold", 3500}}}}));
  EXPECT_EQ(out["Versions"], (Json{{"/mlflowctl/model-name", 1},
                                   {"/mlflowctl/features", 1},
                                   {"/mlflowctl/threshold", 1}}));
  auto features = t.parameters().GetParameter("/mlflowctl/features");
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(features->type, mlops::ParameterType::kStringList);
  EXPECT_EQ(features->value, "Mileage,Cylinder");
  // Overwrite defaults to true in the short form.
  out = Ok(CallParameters(step, kParametersResource,
                {{"Put", {{"/mlflowctl/model-name", "car-price-3"}}},
                 {"Get", {"/mlflowctl/threshold"}}}));
  EXPECT_EQ(out["Versions"]["/mlflowctl/model-name"], 2);
  EXPECT_EQ(out["Parameters"]["/mlflowctl/threshold"], "3500");
  EXPECT_EQ(ErrorName(CallParameters(step, kParametersResource,
                           {{"Put", {{"/mlflowctl/model-name", "x"}}}, {"Overwrite", false}})),
            "Ssm.ParameterAlreadyExistsException");
  EXPECT_EQ(ErrorName(CallParameters(step, kParametersResource, {{"Set", {}}})), "Mlflow.InvalidInput");
}

TEST(ParametersStepTest, ByPathPagesAndHistoryListsVersions) {
  TempStore t;
  ParametersStep step(&t.parameters());
  Json put = Json::object();
  for (int i = 0; i < 12; ++i) put[fmt::format("/app/p{:02}", i)] = "v";
  put["/app/deep/x"] = "v";
  Ok(CallParameters(step, kParametersResource, {{"Put", put}}));
  Json page1 = Ok(CallParameters(step, kSsmGetParametersByPathResource, {{"Path", "/app"}}));
  ASSERT_EQ(page1["Parameters"].size(), 10u);
  ASSERT_TRUE(page1.contains("NextToken"));
  Json page2 = Ok(CallParameters(step, kSsmGetParametersByPathResource,
                       {{"Path", "/app"}, {"NextToken", page1["NextToken"]}}));
  EXPECT_EQ(page2["Parameters"].size(), 2u);
  EXPECT_FALSE(page2.contains("NextToken"));
  Json recursive = Ok(CallParameters(step, kSsmGetParametersByPathResource,
                           {{"Path", "/app"}, {"Recursive", true}, {"MaxResults", 10},
                            {"NextToken", "10"}}));
  EXPECT_EQ(recursive["Parameters"].size(), 3u);
  Ok(CallParameters(step, kParametersResource, {{"Put", {{"/app/p00", "w"}}}}));
  Json history = Ok(CallParameters(step, kSsmGetParameterHistoryResource, {{"Name", "/app/p00"}}));
  ASSERT_EQ(history["Parameters"].size(), 2u);
  EXPECT_EQ(history["Parameters"][1]["Value"], "w");
  EXPECT_EQ(history["Parameters"][1]["LastModifiedUser"], kParamsExecution);
}

}  // namespace
}  // namespace mlflowctl::steps
