#include "engine/mlops/model_registry.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::mlops {
namespace {

using testing_mlops::TempStore;

NewModelPackage Package(const std::string& group, double rmse) {
  NewModelPackage p;
  p.group = group;
  p.algorithm = "xgboost";
  p.artifact_uri = "s3://models/" + group;
  p.metrics = Json{{"validation:rmse", rmse}};
  p.lineage = Json{{"execution_arn", "arn:x"}, {"hyperparameters", {{"eta", "0.3"}}}};
  return p;
}

TEST(ModelRegistryTest, VersionsCountFromOnePerGroup) {
  TempStore t;
  auto a1 = t.models().RegisterModelPackage(Package("car-price", 3000));
  auto a2 = t.models().RegisterModelPackage(Package("car-price", 2900));
  auto b1 = t.models().RegisterModelPackage(Package("other", 1));
  ASSERT_TRUE(a1.ok() && a2.ok() && b1.ok()) << a1.status().ToString();
  EXPECT_EQ(a1->version, 1);
  EXPECT_EQ(a2->version, 2);
  EXPECT_EQ(b1->version, 1);
  EXPECT_EQ(a1->created_ms, 1700000000000);
  auto group = t.models().GetModelPackageGroup("car-price");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->package_count, 2);
  EXPECT_EQ(group->latest_version, 2);
  auto groups = t.models().ListModelPackageGroups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].name, "car-price");
  EXPECT_EQ((*groups)[1].name, "other");
}

TEST(ModelRegistryTest, PackageKeepsMetricsLineageAndUri) {
  TempStore t;
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("car-price", 3012.4)).ok());
  auto p = t.models().GetModelPackage("car-price", 1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->algorithm, "xgboost");
  EXPECT_EQ(p->artifact_uri, "s3://models/car-price");
  EXPECT_EQ(p->metrics["validation:rmse"].get<double>(), 3012.4);
  EXPECT_EQ(p->lineage["hyperparameters"]["eta"], "0.3");
  EXPECT_EQ(ModelPackageArn("car-price", 1),
            "arn:aws:sagemaker:us-east-1:123456789012:model-package/car-price/1");
}

TEST(ModelRegistryTest, MissingGroupsAndVersionsAreNotFound) {
  TempStore t;
  EXPECT_EQ(t.models().GetModelPackageGroup("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.models().ListModelPackages("nope").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 1)).ok());
  EXPECT_EQ(t.models().GetModelPackage("g", 2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.models().GetAliasedPackage("nope", "champion").status().code(),
            StatusCode::kNotFound);
  auto unset = t.models().GetAliasedPackage("g", "champion");
  ASSERT_TRUE(unset.ok());
  EXPECT_FALSE(unset->has_value());
}

TEST(ModelRegistryTest, BadInputIsInvalidArgument) {
  TempStore t;
  EXPECT_EQ(t.models().RegisterModelPackage(Package("bad name", 1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t.models().RegisterModelPackage(Package("-dash", 1)).status().code(),
            StatusCode::kInvalidArgument);
  NewModelPackage no_uri = Package("g", 1);
  no_uri.artifact_uri.clear();
  EXPECT_EQ(t.models().RegisterModelPackage(no_uri).status().code(),
            StatusCode::kInvalidArgument);
  NewModelPackage bad_metrics = Package("g", 1);
  bad_metrics.metrics = Json::array();
  EXPECT_EQ(t.models().RegisterModelPackage(bad_metrics).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ModelRegistryTest, SameClientTokenReturnsTheFirstRegistration) {
  TempStore t;
  NewModelPackage p = Package("g", 1);
  p.client_token = "token-1";
  auto first = t.models().RegisterModelPackage(p);
  auto again = t.models().RegisterModelPackage(p);
  p.client_token = "token-2";
  auto other = t.models().RegisterModelPackage(p);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(again->version, 1);
  EXPECT_EQ(other->version, 2);
}

TEST(ModelRegistryTest, AliasMovesAreRecordedInOrder) {
  TempStore t;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 10 - i)).ok());
  }
  SetAliasRequest r{"g", "champion", 1, "arn:exec-1", std::nullopt};
  auto m1 = t.models().SetAlias(r);
  ASSERT_TRUE(m1.ok()) << m1.status().ToString();
  EXPECT_FALSE(m1->from_version.has_value());
  t.clock().AdvanceMillis(1000);
  r.version = 3;
  r.moved_by = "cli";
  auto m2 = t.models().SetAlias(r);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->from_version, 1);
  // Pointing it where it already points records nothing.
  ASSERT_TRUE(t.models().SetAlias(r).ok());

  auto moves = t.models().ListAliasMoves("g");
  ASSERT_TRUE(moves.ok());
  ASSERT_EQ(moves->size(), 2u);
  EXPECT_EQ((*moves)[0].to_version, 1);
  EXPECT_EQ((*moves)[0].moved_by, "arn:exec-1");
  EXPECT_EQ((*moves)[1].from_version, 1);
  EXPECT_EQ((*moves)[1].to_version, 3);
  EXPECT_EQ((*moves)[1].moved_by, "cli");
  EXPECT_EQ((*moves)[1].moved_ms, 1700000001000);

  auto champion = t.models().GetAliasedPackage("g", "champion");
  ASSERT_TRUE(champion.ok() && champion->has_value());
  EXPECT_EQ((*champion)->version, 3);
  EXPECT_EQ((*champion)->aliases, std::vector<std::string>{"champion"});
  auto group = t.models().GetModelPackageGroup("g");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->aliases.at("champion"), 3);
  auto v1 = t.models().GetModelPackage("g", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(v1->aliases.empty());
}

TEST(ModelRegistryTest, AliasToAMissingVersionIsNotFoundAndBadNamesInvalid) {
  TempStore t;
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 1)).ok());
  EXPECT_EQ(t.models().SetAlias({"g", "champion", 2, "cli", std::nullopt}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.models().SetAlias({"h", "champion", 1, "cli", std::nullopt}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.models().SetAlias({"g", "1st", 1, "cli", std::nullopt}).status().code(),
            StatusCode::kInvalidArgument);
  auto moves = t.models().ListAliasMoves("g");
  ASSERT_TRUE(moves.ok());
  EXPECT_TRUE(moves->empty());
}

TEST(ModelRegistryTest, CompareAndSetRefusesAStaleExpectation) {
  TempStore t;
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 2)).ok());
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 1)).ok());
  // Expecting no alias yet: succeeds once, then the expectation is stale.
  SetAliasRequest r{"g", "champion", 1, "a", std::optional<int64_t>()};
  ASSERT_TRUE(t.models().SetAlias(r).ok());
  r.version = 2;
  EXPECT_EQ(t.models().SetAlias(r).status().code(), StatusCode::kAborted);
  r.expected_current = std::optional<int64_t>(1);
  EXPECT_TRUE(t.models().SetAlias(r).ok());
}

TEST(ModelRegistryTest, ReopeningKeepsPackagesAliasesAndMoves) {
  TempStore t;
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 5)).ok());
  ASSERT_TRUE(t.models().SetAlias({"g", "champion", 1, "arn:e", std::nullopt}).ok());
  t.Reopen();
  auto packages = t.models().ListModelPackages("g");
  ASSERT_TRUE(packages.ok());
  ASSERT_EQ(packages->size(), 1u);
  EXPECT_EQ((*packages)[0].metrics["validation:rmse"], 5.0);
  EXPECT_EQ((*packages)[0].aliases, std::vector<std::string>{"champion"});
  auto moves = t.models().ListAliasMoves("g");
  ASSERT_TRUE(moves.ok());
  EXPECT_EQ(moves->size(), 1u);
}

TEST(ModelRegistryTest, WritesCommitWithPendingExecutionWrites) {
  TempStore t;
  history::ExecutionRecord e;
  e.arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  e.name = "e";
  e.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
  e.state_machine_name = "m";
  e.state_machine_version = 1;
  e.input = "{}";
  e.start_ms = 1;
  ASSERT_TRUE(t.store().CreateExecution(e).ok());
  e.status = history::ExecutionStatus::kSucceeded;
  e.stop_ms = 2;
  ASSERT_TRUE(t.store().UpdateExecution(e).ok());
  EXPECT_GT(t.store().PendingWrites(), 0);
  ASSERT_TRUE(t.models().RegisterModelPackage(Package("g", 1)).ok());
  EXPECT_EQ(t.store().PendingWrites(), 0);
  // A second connection sees both: the registration committed everything.
  auto other = store::SqliteExecutionStore::Open(t.db_path());
  ASSERT_TRUE(other.ok());
  store::SqliteModelRegistry models(other->get(), &t.clock());
  EXPECT_TRUE(models.GetModelPackage("g", 1).ok());
  auto read = (*other)->GetExecution(e.arn);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, history::ExecutionStatus::kSucceeded);
}

TEST(ModelRegistryTest, ConcurrentRegistrationsGetDistinctVersions) {
  TempStore t;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&t] {
      for (int j = 0; j < 5; ++j) {
        EXPECT_TRUE(t.models().RegisterModelPackage(Package("g", j)).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto packages = t.models().ListModelPackages("g");
  ASSERT_TRUE(packages.ok());
  ASSERT_EQ(packages->size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ((*packages)[i].version, i + 1);
}

}  // namespace
}  // namespace mlflowctl::mlops
