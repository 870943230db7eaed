#include "engine/mlops/parameter_store.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::mlops {
namespace {

using testing_mlops::TempStore;

PutParameterRequest Put(std::string name, std::string value, bool overwrite = false) {
  PutParameterRequest r;
  r.name = std::move(name);
  r.value = std::move(value);
  r.type = ParameterType::kString;
  r.overwrite = overwrite;
  return r;
}

std::vector<std::string> Names(const std::vector<Parameter>& list) {
  std::vector<std::string> names;
  for (const Parameter& p : list) names.push_back(p.name);
  return names;
}

TEST(ParameterNameTest, FollowsSsmNamingRules) {
  EXPECT_EQ(CheckParameterName("/a/b").canonical, "/a/b");
  EXPECT_EQ(CheckParameterName("model-name").canonical, "/model-name");
  EXPECT_EQ(CheckParameterName("/a.b_c-d/E9").problem, ParameterNameCheck::Problem::kNone);
  for (const char* bad : {"", "a/b", "/a//b", "/a/", "/a b", "/aws/x", "/SSM-x", "awsx",
                          "/a/b$"}) {
    EXPECT_EQ(CheckParameterName(bad).problem, ParameterNameCheck::Problem::kInvalid) << bad;
  }
  std::string deep;
  for (int i = 0; i < 15; ++i) deep += "/l";
  EXPECT_EQ(CheckParameterName(deep).problem, ParameterNameCheck::Problem::kNone);
  EXPECT_EQ(CheckParameterName(deep + "/l").problem, ParameterNameCheck::Problem::kTooDeep);
  EXPECT_EQ(CheckParameterName("/" + std::string(1000, 'a')).problem,
            ParameterNameCheck::Problem::kInvalid);
  EXPECT_EQ(ParameterArn("/a/b"), "arn:aws:ssm:us-east-1:123456789012:parameter/a/b");
}

TEST(ParameterStoreTest, VersionsIncrementAndOverwriteIsRequired) {
  TempStore t;
  auto v1 = t.parameters().PutParameter(Put("/m/name", "a"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->tier, "Standard");
  EXPECT_EQ(t.parameters().PutParameter(Put("/m/name", "b")).status().code(),
            StatusCode::kAlreadyExists);
  t.clock().AdvanceMillis(5);
  auto v2 = t.parameters().PutParameter(Put("/m/name", "b", true));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);
  auto current = t.parameters().GetParameter("/m/name");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->value, "b");
  EXPECT_EQ(current->version, 2);
  EXPECT_EQ(current->last_modified_ms, 1700000000005);
}

TEST(ParameterStoreTest, HistoryKeepsEveryVersionWithItsDate) {
  TempStore t;
  PutParameterRequest first = Put("/m/name", "a");
  first.description = "the model";
  first.user = "arn:exec";
  ASSERT_TRUE(t.parameters().PutParameter(first).ok());
  t.clock().AdvanceMillis(1000);
  PutParameterRequest second = Put("/m/name", "b,c", true);
  second.type = ParameterType::kStringList;
  ASSERT_TRUE(t.parameters().PutParameter(second).ok());
  auto history = t.parameters().GetParameterHistory("/m/name");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].value, "a");
  EXPECT_EQ((*history)[0].last_modified_user, "arn:exec");
  EXPECT_EQ((*history)[0].last_modified_ms, 1700000000000);
  EXPECT_EQ((*history)[1].value, "b,c");
  EXPECT_EQ((*history)[1].type, ParameterType::kStringList);
  EXPECT_EQ((*history)[1].description, "the model");  // kept from version 1
  EXPECT_EQ((*history)[1].last_modified_ms, 1700000001000);
  auto v1 = t.parameters().GetParameterVersion("/m/name", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->value, "a");
  EXPECT_EQ(t.parameters().GetParameterVersion("/m/name", 3).status().code(),
            StatusCode::kNotFound);
}

TEST(ParameterStoreTest, OnlyTheNewestHundredVersionsAreKept) {
  TempStore t;
  for (int i = 1; i <= 102; ++i) {
    ASSERT_TRUE(t.parameters().PutParameter(Put("/p", std::to_string(i), true)).ok());
  }
  auto history = t.parameters().GetParameterHistory("/p");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 100u);
  EXPECT_EQ(history->front().version, 3);
  EXPECT_EQ(history->back().version, 102);
}

TEST(ParameterStoreTest, MissingNamesAndBadRequestsAreReported) {
  TempStore t;
  EXPECT_EQ(t.parameters().GetParameter("/nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.parameters().GetParameterHistory("/nope").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.parameters().GetParameter("a/b").status().code(),
            StatusCode::kInvalidArgument);
  PutParameterRequest untyped = Put("/new", "x");
  untyped.type.reset();
  EXPECT_EQ(t.parameters().PutParameter(untyped).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t.parameters().PutParameter(Put("/big", std::string(4097, 'x'))).status().code(),
            StatusCode::kInvalidArgument);
  PutParameterRequest advanced = Put("/big", std::string(4097, 'x'));
  advanced.tier = "Advanced";
  EXPECT_TRUE(t.parameters().PutParameter(advanced).ok());
  EXPECT_EQ(t.parameters().PutParameter(Put("/ref", "{{ssm:/x}}")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ParameterStoreTest, SlashlessTopLevelNameIsTheSameAsWithSlash) {
  TempStore t;
  ASSERT_TRUE(t.parameters().PutParameter(Put("model", "a")).ok());
  auto p = t.parameters().GetParameter("/model");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "/model");
  EXPECT_EQ(t.parameters().PutParameter(Put("/model", "b")).status().code(),
            StatusCode::kAlreadyExists);
}

TEST(ParameterStoreTest, ByPathListsOneLevelOrRecursively) {
  TempStore t;
  for (const char* name : {"/a/x", "/a/y", "/a/b/z", "/a-b/w", "/ab", "/top"}) {
    ASSERT_TRUE(t.parameters().PutParameter(Put(name, "v")).ok()) << name;
  }
  auto one = t.parameters().GetParametersByPath("/a", false);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Names(*one), (std::vector<std::string>{"/a/x", "/a/y"}));
  auto all = t.parameters().GetParametersByPath("/a/", true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"/a/b/z", "/a/x", "/a/y"}));
  auto root = t.parameters().GetParametersByPath("/", false);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(Names(*root), (std::vector<std::string>{"/ab", "/top"}));
  auto everything = t.parameters().GetParametersByPath("/", true);
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(everything->size(), 6u);
  EXPECT_EQ(t.parameters().GetParametersByPath("a", true).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ParameterStoreTest, BatchPutIsAllOrNothing) {
  TempStore t;
  ASSERT_TRUE(t.parameters().PutParameter(Put("/taken", "v")).ok());
  auto failed = t.parameters().PutParameters({Put("/fresh", "1"), Put("/taken", "2")});
  EXPECT_EQ(failed.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t.parameters().GetParameter("/fresh").status().code(), StatusCode::kNotFound);
  auto both = t.parameters().PutParameters({Put("/fresh", "1"), Put("/fresh", "2", true)});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)[1].version, 2);
}

TEST(ParameterStoreTest, ReopeningKeepsValuesAndHistory) {
  TempStore t;
  ASSERT_TRUE(t.parameters().PutParameter(Put("/m/endpoint", "e1")).ok());
  ASSERT_TRUE(t.parameters().PutParameter(Put("/m/endpoint", "e2", true)).ok());
  t.Reopen();
  auto p = t.parameters().GetParameter("/m/endpoint");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->value, "e2");
  auto history = t.parameters().GetParameterHistory("/m/endpoint");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
}

}  // namespace
}  // namespace mlflowctl::mlops
