#include "steps/ml/xgboost_api.h"

#include <gtest/gtest.h>

#include <string>

namespace mlflowctl::ml {
namespace {

TEST(XgboostApiTest, GetLoadsEveryFunctionOfTheConfiguredLibrary) {
  StatusOr<const XgboostApi*> api = XgboostApi::Get();
  ASSERT_TRUE(api.ok()) << api.status().ToString();
#define MLF_EXPECT_RESOLVED(name) EXPECT_NE((*api)->name, nullptr) << #name;
  MLF_XGBOOST_API_FUNCTIONS(MLF_EXPECT_RESOLVED)
#undef MLF_EXPECT_RESOLVED
  // The same table every time.
  StatusOr<const XgboostApi*> again = XgboostApi::Get();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *api);
  BoosterHandle booster = nullptr;
  ASSERT_EQ((*api)->XGBoosterCreate(nullptr, 0, &booster), 0) << (*api)->XGBGetLastError();
  EXPECT_EQ((*api)->XGBoosterFree(booster), 0);
}

TEST(XgboostApiTest, AMissingLibraryIsAClearError) {
  StatusOr<std::unique_ptr<XgboostApi>> api = XgboostApi::Open("libmlflowctl-missing-xgboost.so");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = api.status().message();
  EXPECT_NE(m.find("XGBoost is not available"), std::string::npos) << m;
  EXPECT_NE(m.find("libmlflowctl-missing-xgboost.so"), std::string::npos) << m;
  EXPECT_NE(m.find("MLFLOWCTL_XGBOOST_LIBRARY"), std::string::npos) << m;
}

TEST(XgboostApiTest, ALibraryWithoutTheFunctionsIsAClearError) {
  // The C math library loads but has none of XGBoost's functions.
  StatusOr<std::unique_ptr<XgboostApi>> api = XgboostApi::Open("libm.so.6");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(api.status().message().find("no function XGBGetLastError"), std::string::npos)
      << api.status().message();
}

}  // namespace
}  // namespace mlflowctl::ml
